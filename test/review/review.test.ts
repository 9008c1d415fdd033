import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_REGISTRY_HOSTS } from "../../src/lockfile/diff.js";
import { reviewChanges } from "../../src/review/review.js";
import { fakeRegistry, memorySource, packument } from "../support/packages.js";

const corpus = (pair: string, side: string, file: string) =>
  readFileSync(new URL(`../../../shared/corpus/lockfile-pairs/${pair}/${side}/${file}`, import.meta.url), "utf8");

function npmLock(packages: Record<string, Record<string, unknown>>, root: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ name: "app", lockfileVersion: 3, requires: true, packages: { "": { name: "app", ...root }, ...packages } }, null, 2)}\n`;
}

const manifest = (deps: Record<string, string>) => `${JSON.stringify({ name: "app", version: "1.0.0", dependencies: deps }, null, 2)}\n`;

const entry = (name: string, version: string, extra: Record<string, unknown> = {}) => ({
  version,
  resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
  integrity: `sha512-${Buffer.from(`${name}@${version}`).toString("base64")}`,
  ...extra,
});

const deps = (registry = fakeRegistry([])) => ({ registry, registryHosts: DEFAULT_REGISTRY_HOSTS });

describe("reviewChanges", () => {
  it("reviews a real lockfile change: the bumped package and its lines", async () => {
    const pair = "mocha-npm2-bump-serialize-javascript";
    const source = memorySource(
      { "package-lock.json": corpus(pair, "base", "package-lock.json"), "package.json": corpus(pair, "base", "package.json") },
      { "package-lock.json": corpus(pair, "head", "package-lock.json"), "package.json": corpus(pair, "head", "package.json") },
    );
    const registry = fakeRegistry([packument("serialize-javascript", { "6.0.2": {}, "7.0.2": {} })]);
    const review = await reviewChanges(source, deps(registry));
    expect(review.unreviewed).toEqual([]);
    const changes = review.lockfiles.flatMap((lockfile) => lockfile.changes);
    // 6.0.2 stays, nested under terser-webpack-plugin: 7.0.2 is a new version beside it.
    expect(changes.map((c) => `${c.type} ${c.name} ${c.from} ${c.to}`)).toContain("added serialize-javascript null 7.0.2");
    expect(registry.asked).toContain("serialize-javascript");
  });

  it("finds the lockfile and package.json lines of a direct dependency from a tarball URL", async () => {
    const base = { "package-lock.json": npmLock({}, {}), "package.json": manifest({}) };
    const head = {
      "package-lock.json": npmLock(
        { "node_modules/left-pad": { version: "1.3.0", resolved: "https://evil.example/left-pad.tgz", integrity: "sha512-AAAA" } },
        { dependencies: { "left-pad": "https://evil.example/left-pad.tgz" } },
      ),
      "package.json": manifest({ "left-pad": "https://evil.example/left-pad.tgz" }),
    };
    const review = await reviewChanges(memorySource(base, head), deps());
    const alert = review.alerts.find((a) => a.rule === "http-dependency");
    expect(alert).toBeDefined();
    const lockLines = head["package-lock.json"].split("\n");
    expect(lockLines[alert!.location.line! - 1]).toContain('"node_modules/left-pad"');
    expect(alert!.location.manifest).toEqual({ path: "package.json", line: 5 });
  });

  it("reviews a change that only approves install scripts, against the lockfile as it stands", async () => {
    const lock = npmLock({ "node_modules/esbuild": entry("esbuild", "0.25.0") }, { dependencies: { esbuild: "^0.25.0" } });
    const app = (extra: Record<string, unknown>) => `${JSON.stringify({ name: "app", version: "1.0.0", dependencies: { esbuild: "^0.25.0" }, ...extra }, null, 2)}\n`;
    const base = { "package-lock.json": lock, "package.json": app({}) };
    const head = { "package-lock.json": lock, "package.json": app({ allowScripts: { esbuild: true } }) };
    const scripted = packument("esbuild", { "0.25.0": {} });
    scripted.versions["0.25.0"]!.scripts = { postinstall: "node install.js" };
    const review = await reviewChanges(memorySource(base, head), deps(fakeRegistry([scripted])));
    const alert = review.alerts.find((a) => a.rule === "install-script-approved");
    expect(alert?.package).toMatchObject({ name: "esbuild", version: "0.25.0" });
    expect(alert?.location.path).toBe("package.json");
    expect(alert?.message).toContain("node install.js");
  });

  it("checks the names someone chose for look-alikes, not the dependencies those packages bring", async () => {
    const base = { "package-lock.json": npmLock({}), "package.json": manifest({}) };
    const head = {
      "package-lock.json": npmLock({ "node_modules/expres": entry("expres", "0.0.5"), "node_modules/ansistyles": entry("ansistyles", "0.1.3") }, { dependencies: { expres: "0.0.5" } }),
      "package.json": manifest({ expres: "0.0.5" }),
    };
    const registry = fakeRegistry([packument("expres", { "0.0.5": {} }), packument("ansistyles", { "0.1.3": {} })]);
    const review = await reviewChanges(memorySource(base, head), deps(registry));
    expect(review.alerts.filter((a) => a.rule === "typosquat").map((a) => a.package.name)).toEqual(["expres"]);
  });

  it("names what the registry could not answer, and alerts on versions that are gone or deprecated", async () => {
    const base = { "package-lock.json": npmLock({}) };
    const head = {
      "package-lock.json": npmLock({
        "node_modules/a": entry("a", "1.0.0"),
        "node_modules/b": entry("b", "2.0.0"),
        "node_modules/c": entry("c", "3.0.0"),
        "node_modules/d": entry("d", "4.0.0"),
      }),
    };
    const registry = fakeRegistry([packument("a", { "1.0.0": {} }), packument("b", { "1.0.0": {} }), packument("c", { "3.0.0": { deprecated: "use e" } })], ["d"]);
    const review = await reviewChanges(memorySource(base, head), deps(registry));
    expect(review.alerts.map((a) => `${a.rule} ${a.package.name}`).sort()).toEqual(["deprecated c", "not-found b"]);
    expect(review.unreviewed).toEqual([
      { subject: "d@4.0.0", reason: "the registry could not be reached (ECONNREFUSED)", location: { path: "package-lock.json", line: expect.any(Number) } },
    ]);
  });

  it("reports a broken lockfile with its line instead of an empty diff", async () => {
    const pair = "wayfair-npm1-conflict-markers-introduced";
    const source = memorySource({ "package-lock.json": corpus(pair, "base", "package-lock.json") }, { "package-lock.json": corpus(pair, "head", "package-lock.json") });
    const review = await reviewChanges(source, deps());
    expect(review.lockfiles).toEqual([]);
    expect(review.unreviewed).toHaveLength(1);
    expect(review.unreviewed[0]!.reason).toMatch(/merge-conflict markers/);
    const lines = corpus(pair, "head", "package-lock.json").split("\n");
    expect(lines[review.unreviewed[0]!.location!.line! - 1]).toMatch(/^<{7}/);
  });

  it("reports a package.json change that no lockfile reflects, and a move to production", async () => {
    const pair = "webpack-manifest-only-dev-to-prod-move";
    const source = memorySource(
      { "yarn.lock": corpus(pair, "base", "yarn.lock"), "package.json": corpus(pair, "base", "package.json") },
      { "yarn.lock": corpus(pair, "head", "yarn.lock"), "package.json": corpus(pair, "head", "package.json") },
    );
    const review = await reviewChanges(source, deps());
    expect(review.lockfiles).toEqual([]);
    expect(review.manifestChanges.map((c) => [c.name, c.from?.section, c.to?.section])).toEqual([["@types/eslint-scope", "devDependencies", "dependencies"]]);
    expect(review.alerts.map((a) => [a.rule, a.package.name])).toEqual([["moved-to-production", "@types/eslint-scope"]]);

    const added = memorySource({ "package.json": manifest({}) }, { "package.json": manifest({ "left-pad": "^1.3.0" }) });
    const orphan = await reviewChanges(added, deps());
    expect(orphan.alerts).toEqual([
      expect.objectContaining({ rule: "manifest-without-lockfile", message: "package.json adds left-pad@^1.3.0, but no lockfile changed with it.", location: { path: "package.json", line: 5 } }),
    ]);
  });

  it("validates a policy file the change edits, with lines", async () => {
    const source = memorySource({}, { ".github/tollgate.yml": "rules:\n  git-dependency: fatal\n" });
    const review = await reviewChanges(source, deps());
    expect(review.configProblems).toEqual([
      { file: ".github/tollgate.yml", line: 2, field: "rules.git-dependency", message: expect.stringContaining("Invalid option") },
    ]);
  });

  it("names a binary bun.lockb as not reviewable", async () => {
    const pair = "hono-bunlockb-bump-devdeps";
    const read = (side: string) => readFileSync(new URL(`../../../shared/corpus/lockfile-pairs/${pair}/${side}/bun.lockb`, import.meta.url), "latin1");
    const review = await reviewChanges(memorySource({ "bun.lockb": read("base") }, { "bun.lockb": read("head") }), deps());
    expect(review.unreviewed).toHaveLength(1);
    expect(review.unreviewed[0]!.reason).toMatch(/bun\.lock/);
  });
});

describe("the policy's paths", () => {
  it("reviews only the dependency files the globs select", async () => {
    const lock = npmLock({ "node_modules/a": entry("a", "1.0.0") });
    const source = memorySource({}, { "package-lock.json": lock, "packages/app/package-lock.json": lock, "tools/package-lock.json": lock });
    const review = await reviewChanges(source, { ...deps(fakeRegistry([packument("a", { "1.0.0": {} })])), paths: ["packages/**"] });
    expect(review.lockfiles.map((lockfile) => lockfile.path)).toEqual(["packages/app/package-lock.json"]);
  });
});
