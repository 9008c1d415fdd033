/**
 * End to end: the real server (Probot's, configured only by environment variables) receives a signed
 * pull_request webhook over HTTP, talks to a fake GitHub on loopback through GHE_HOST, reads a real
 * public repository's lockfile change, asks the registry (pacote, answered by nock) and completes
 * the check run. Every request body is checked against GitHub's OpenAPI description.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { run } from "probot";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import { tollgateApp } from "../../src/github/app.js";
import { parseLockfile } from "../../src/lockfile/parse.js";
import { createPacoteRegistry } from "../../src/registry/pacote-registry.js";
import { getFreePort, startFakeGitHub, type FakeGitHub } from "../support/fake-github.js";
import { generatePrivateKey, pullRequestEvent, webhookRequest } from "../support/fixtures.js";

const PAIR = "npmcli-npm3-ws-bump-sigstore3";
const corpus = (side: string, file: string) =>
  readFileSync(new URL(`../../../shared/corpus/lockfile-pairs/${PAIR}/${side}/${file}`, import.meta.url), "utf8");

const APP_ID = 31337;
const SECRET = "e2e-webhook-secret";
const PRIVATE_KEY = generatePrivateKey();
const BASE = "286739c0224bad88c4a38927bafd61973f71098c";
const HEAD = "7ee15bbdc1da0ed85297f47952b66089f29ed3fd";

let fake: FakeGitHub;
let stop: (() => Promise<void>) | undefined;
const cache = mkdtempSync(join(tmpdir(), "tollgate-e2e-cache-"));

beforeAll(async () => {
  fake = await startFakeGitHub({
    appId: APP_ID,
    privateKey: PRIVATE_KEY,
    files: {
      "npm/cli": {
        [BASE]: { "package-lock.json": corpus("base", "package-lock.json"), "package.json": corpus("base", "package.json") },
        [HEAD]: { "package-lock.json": corpus("head", "package-lock.json"), "package.json": corpus("head", "package.json") },
      },
    },
    pulls: {
      "npm/cli": {
        7843: {
          head: { sha: HEAD, ref: "deps/sigstore-3" },
          base: { sha: BASE, ref: "latest" },
          files: [
            { filename: "package-lock.json", status: "modified" },
            { filename: "workspaces/libnpmpublish/package.json", status: "modified" },
            { filename: "node_modules/sigstore/package.json", status: "modified" },
          ],
        },
      },
    },
  });
  // The registry knows every version the head lockfile names.
  const versions = new Map<string, Set<string>>();
  for (const instance of parseLockfile("package-lock.json", corpus("head", "package-lock.json")).packages) {
    versions.set(instance.name, (versions.get(instance.name) ?? new Set()).add(instance.version));
  }
  nock.disableNetConnect();
  nock.enableNetConnect(/^127\.0\.0\.1/);
  nock("https://registry.npmjs.org")
    .persist()
    .get(/.*/)
    .reply((request: unknown) => {
      // nock 15 hands fetch requests over as Request objects, http ones as a path.
      const uri = typeof request === "string" ? request : (request as Request).url;
      const name = decodeURIComponent(new URL(uri, "https://registry.npmjs.org").pathname.slice(1));
      const known = versions.get(name);
      if (!known) return [404, { error: "Not found" }];
      return [200, { name, versions: Object.fromEntries([...known].map((version) => [version, { name, version }])) }];
    });
});

afterAll(async () => {
  await stop?.();
  await fake.close();
  nock.cleanAll();
  nock.enableNetConnect();
  rmSync(cache, { recursive: true, force: true });
});

it("answers a signed pull_request webhook with a check run that goes in_progress, then completed", async () => {
  const port = await getFreePort();
  const registry = createPacoteRegistry({ registries: DEFAULT_CONFIG.registries, env: {}, cache });
  // Code analysis has its own tests (test/review/code-signals.test.ts, the app's tests): the corpus
  // lockfile's integrities are real, so analysing here would download real tarballs.
  const server = await run(tollgateApp({ registry: () => registry, analysis: false }), {
    env: { ...fake.env, APP_ID: String(APP_ID), PRIVATE_KEY, WEBHOOK_SECRET: SECRET, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "error" },
  });
  stop = () => server.stop();

  const event = pullRequestEvent({ owner: "npm", repo: "cli", number: 7843, headSha: HEAD, baseSha: BASE, installationId: 5 });
  const { headers, body } = await webhookRequest(event, SECRET);
  const started = Date.now();
  const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, { method: "POST", headers, body });
  expect(response.status).toBe(200);
  // The webhook is answered before the review: quickly, and with the check run already created.
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(fake.checkRuns()).toMatchObject([{ name: "Tollgate", status: "in_progress", head_sha: HEAD }]);

  const checkRun = await fake.waitForCheckRun({ headSha: HEAD, timeoutMs: 30_000 });
  expect(checkRun.history.map((entry) => entry.method)).toEqual(["POST", "PATCH"]);
  expect(checkRun.history[0]!.body).toMatchObject({ status: "in_progress" });
  expect(checkRun.status).toBe("completed");
  expect(checkRun.conclusion).toBe("success");
  expect(checkRun.output?.title).toMatch(/in \d+ changed packages$/);
  expect(checkRun.output?.summary).toContain("sigstore");
  expect(checkRun.output?.summary).toContain("`package-lock.json`");
  expect(fake.problems).toEqual([]);
  expect(fake.unexpected).toEqual([]);
}, 60_000);
