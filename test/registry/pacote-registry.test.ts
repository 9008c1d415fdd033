import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import { createPacoteRegistry } from "../../src/registry/pacote-registry.js";

const caches: string[] = [];
const registry = (registries = DEFAULT_CONFIG.registries, env: NodeJS.ProcessEnv = {}) => {
  const cache = mkdtempSync(join(tmpdir(), "tollgate-cache-"));
  caches.push(cache);
  return createPacoteRegistry({ registries, env, cache, retry: { retries: 1, minTimeoutMs: 1, maxTimeoutMs: 2 } });
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  nock.cleanAll();
  caches.splice(0).forEach((cache) => rmSync(cache, { recursive: true, force: true }));
});

describe("pacote registry", () => {
  it("fetches a packument", async () => {
    nock("https://registry.npmjs.org")
      .get("/left-pad")
      .reply(200, { name: "left-pad", "dist-tags": { latest: "1.3.0" }, versions: { "1.3.0": { name: "left-pad", version: "1.3.0", deprecated: "use String.prototype.padStart()" } } });
    const packument = await registry().packument("left-pad");
    expect(packument?.versions["1.3.0"]?.deprecated).toBe("use String.prototype.padStart()");
  });

  it("answers undefined for a package the registry does not have", async () => {
    // pacote may ask more than once before it reports a 404.
    nock("https://registry.npmjs.org").persist().get("/no-such-package-xyz").reply(404, { error: "Not found" });
    expect(await registry().packument("no-such-package-xyz")).toBeUndefined();
  });

  it("retries, then says why the registry could not answer", async () => {
    nock("https://registry.npmjs.org").get("/flaky").times(2).reply(503, "unavailable");
    await expect(registry().packument("flaky")).rejects.toThrow("the registry answered HTTP 503");
    expect(nock.isDone()).toBe(true);
  });

  it("uses a scope's registry and the token from the server's environment, never naming it", async () => {
    const registries = {
      default: { url: "https://registry.npmjs.org/" },
      scopes: { "@acme": { url: "https://npm.acme.test/", tokenEnv: "TOLLGATE_TOKEN_ACME" } },
    };
    const scope = nock("https://npm.acme.test", { reqheaders: { authorization: "Bearer s3cr3t-token" } })
      .get("/@acme%2fwidget")
      .reply(500, "boom");
    const acme = registry(registries, { TOLLGATE_TOKEN_ACME: "s3cr3t-token" });
    expect(acme.urlFor("@acme/widget")).toBe("https://npm.acme.test/");
    const error = await acme.packument("@acme/widget").catch((caught: Error) => caught);
    expect(scope.isDone()).toBe(true);
    expect(String(error)).not.toContain("s3cr3t-token");
  });
});
