import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIo } from "../../src/cli/main.js";
import { fakeRegistry, packument, sri } from "../support/packages.js";
import { makeTarball } from "../support/tarballs.js";

const corpus = (path: string) => fileURLToPath(new URL(`../../../shared/corpus/lockfile-pairs/${path}`, import.meta.url));

/** is-number as the fake registry serves it: plain code, no capability. */
const IS_NUMBER = makeTarball({
  "package.json": JSON.stringify({ name: "is-number", version: "7.0.0" }),
  "index.js": "module.exports = (n) => typeof n === 'number';\n",
});
const cacheDir = mkdtempSync(join(tmpdir(), "tollgate-cli-cache-"));

function capture(overrides: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text) },
    stderr: { write: (text: string) => err.push(text) },
    cwd: process.cwd(),
    registry: () => fakeRegistry([packument("left-pad", { "1.3.0": {} }), packument("is-number", { "7.0.0": {} })], [], { "is-number@7.0.0": IS_NUMBER }),
    now: () => new Date("2026-06-15T00:00:00Z"),
    analysisJobs: 1,
    env: { TOLLGATE_CACHE_DIR: cacheDir },
    ...overrides,
  };
  return { io, out, err, stdout: () => out.join(""), stderr: () => err.join("") };
}

const folders: string[] = [];
afterAll(() => [...folders, cacheDir].forEach((folder) => rmSync(folder, { recursive: true, force: true })));

/** A git repository with two commits: the second adds dependencies. */
function repository(): string {
  const dir = mkdtempSync(join(tmpdir(), "tollgate-cli-"));
  folders.push(dir);
  const git = (...args: string[]) => execFileSync("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { stdio: "pipe" });
  git("init", "-q", "-b", "main");
  const lock = (packages: Record<string, unknown>) =>
    JSON.stringify({ name: "app", lockfileVersion: 3, requires: true, packages: { "": { name: "app" }, ...packages } }, null, 2);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", dependencies: {} }, null, 2));
  writeFileSync(join(dir, "package-lock.json"), lock({}));
  git("add", ".");
  git("commit", "-q", "-m", "start");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", dependencies: { "is-number": "^7.0.0", "left-pad": "git+https://github.com/x/left-pad.git" } }, null, 2));
  writeFileSync(
    join(dir, "package-lock.json"),
    lock({
      "node_modules/is-number": { version: "7.0.0", resolved: "https://registry.npmjs.org/is-number/-/is-number-7.0.0.tgz", integrity: sri(IS_NUMBER) },
      "node_modules/left-pad": { version: "1.3.0", resolved: "git+ssh://git@github.com/x/left-pad.git#0123456789abcdef0123456789abcdef01234567" },
    }),
  );
  mkdirSync(join(dir, ".github"));
  git("add", ".");
  git("commit", "-q", "-m", "add deps");
  return dir;
}

describe("tollgate CLI", () => {
  it("prints help", async () => {
    const run = capture();
    expect(await main(["--help"], run.io)).toBe(0);
    expect(run.stdout()).toContain("tollgate review [--repo DIR]");
  });

  it("rejects unknown commands and options with exit 2 and one line", async () => {
    const run = capture();
    expect(await main(["frobnicate"], run.io)).toBe(2);
    expect(run.stderr()).toBe('tollgate: unknown command "frobnicate" (see tollgate --help)\n');
    const second = capture();
    expect(await main(["review", "--colour"], second.io)).toBe(2);
    expect(second.stderr()).toMatch(/^tollgate: Unknown option '--colour'.*\n$/);
  });

  it("reviews the last commit of a repository and passes with default levels", async () => {
    const dir = repository();
    const run = capture();
    expect(await main(["review", "--repo", dir, "--format", "json"], run.io)).toBe(0);
    const result = JSON.parse(run.stdout());
    expect(result.changes.map((c: { name: string; type: string; to: string }) => `${c.type} ${c.name} ${c.to}`)).toEqual([
      "added is-number 7.0.0",
      "added left-pad 1.3.0",
    ]);
    expect(result.alerts.map((a: { rule: string; level: string }) => `${a.rule} ${a.level}`)).toEqual(["git-dependency warning"]);
    expect(result.conclusion).toBe("success");
  });

  it("exits 1 when the policy fails, with the reason in the text output", async () => {
    const dir = repository();
    writeFileSync(join(dir, "policy.yml"), "rules:\n  git-dependency: error\n");
    const run = capture();
    expect(await main(["review", "--repo", dir, "--config", join(dir, "policy.yml")], run.io)).toBe(1);
    expect(run.stdout()).toContain("FAIL: 1 error in 2 changed packages");
    expect(run.stdout()).toContain("git-dependency  left-pad@1.3.0  package-lock.json:");
  });

  it("names an invalid policy file and a bad ref", async () => {
    const dir = repository();
    writeFileSync(join(dir, "policy.yml"), "rules:\n  git-dependency: fatal\n");
    const run = capture();
    expect(await main(["review", "--repo", dir, "--config", join(dir, "policy.yml")], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/invalid policy .*policy.yml:2: rules.git-dependency: Invalid option/);
    const bad = capture();
    expect(await main(["review", "--repo", dir, "--base", "nope"], bad.io)).toBe(2);
    expect(bad.stderr()).toBe(`tollgate: unknown git ref "nope" in ${dir}\n`);
  });

  it("diffs two lockfiles as JSON", async () => {
    const run = capture();
    const pair = "mocha-npm2-bump-serialize-javascript";
    const code = await main(["diff", corpus(`${pair}/base/package-lock.json`), corpus(`${pair}/head/package-lock.json`), "--format", "json"], run.io);
    expect(code).toBe(0);
    const { changes } = JSON.parse(run.stdout());
    expect(changes).toContainEqual(expect.objectContaining({ name: "serialize-javascript", type: "added", from: null, to: "7.0.2" }));
  });

  it("says clearly when a lockfile has conflict markers", async () => {
    const run = capture();
    const pair = "wayfair-npm1-conflict-markers-introduced";
    expect(await main(["diff", corpus(`${pair}/base/package-lock.json`), corpus(`${pair}/head/package-lock.json`)], run.io)).toBe(2);
    expect(run.stderr()).toMatch(/package-lock\.json:\d+: committed merge-conflict markers/);
  });
});

describe("tollgate review --format sarif", () => {
  it("writes SARIF 2.1.0 with one result per finding on its lockfile line", async () => {
    const dir = repository();
    const run = capture();
    expect(await main(["review", "--repo", dir, "--format", "sarif"], run.io)).toBe(0);
    const sarif = JSON.parse(run.stdout());
    expect(sarif.version).toBe("2.1.0");
    const [only] = sarif.runs;
    expect(only.tool.driver).toMatchObject({ name: "Tollgate", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(only.tool.driver.rules.map((rule: { id: string }) => rule.id)).toEqual(["git-dependency"]);
    expect(only.results).toEqual([
      expect.objectContaining({
        ruleId: "git-dependency",
        level: "warning",
        locations: [{ physicalLocation: { artifactLocation: { uri: "package-lock.json" }, region: { startLine: expect.any(Number) } } }],
        partialFingerprints: { "tollgate/v1": "git-dependency:left-pad@1.3.0" },
      }),
    ]);
  });
});
