import { describe, expect, it } from "vitest";
import { readInstallPolicy, splitSpec, type ProjectSettingsFiles } from "../../src/publication/install-policy.js";
import type { LockfileFormat } from "../../src/lockfile/model.js";
import { scriptApproval, versionMatches } from "../../src/publication/script-approval.js";

const json = (value: object) => `${JSON.stringify(value, null, 2)}\n`;
const packageJson = (value: object) => ({ path: "package.json", text: json({ name: "app", version: "1.0.0", ...value }) });

function verdict(format: LockfileFormat, files: ProjectSettingsFiles, name: string, version = "1.0.0", source?: "registry" | "git") {
  return scriptApproval(readInstallPolicy(format, files), { name, version, ...(source ? { source } : {}) });
}

describe("reading the install-script policy", () => {
  it("keeps each entry's file and line", () => {
    const policy = readInstallPolicy("npm", { packageJson: packageJson({ allowScripts: { esbuild: true, "core-js": false, "@scope/native@1.2.3": true } }) });
    expect(policy.entries).toEqual([
      { setting: "allowScripts", text: "esbuild: true", name: "esbuild", allow: true, file: "package.json", line: 5 },
      { setting: "allowScripts", text: "core-js: false", name: "core-js", allow: false, file: "package.json", line: 6 },
      { setting: "allowScripts", text: "@scope/native@1.2.3: true", name: "@scope/native", versions: "1.2.3", allow: true, file: "package.json", line: 7 },
    ]);
  });

  it("reads pnpm-workspace.yaml with lines", () => {
    const text = "packages:\n  - packages/*\nonlyBuiltDependencies:\n  - esbuild\n  - sharp@0.33.5\nallowBuilds:\n  core-js: false\n";
    const policy = readInstallPolicy("pnpm", { pnpmWorkspace: { path: "pnpm-workspace.yaml", text } });
    expect(policy.entries.map((entry) => [entry.setting, entry.name, entry.versions, entry.allow, entry.line])).toEqual([
      ["allowBuilds", "core-js", undefined, false, 7],
      ["onlyBuiltDependencies", "esbuild", undefined, true, 4],
      ["onlyBuiltDependencies", "sharp", "0.33.5", true, 5],
    ]);
  });

  it("says which files it could not read instead of failing", () => {
    const policy = readInstallPolicy("pnpm", { packageJson: { path: "package.json", text: "{ nope" }, pnpmWorkspace: { path: "pnpm-workspace.yaml", text: "a: [\n" } });
    expect(policy.warnings).toEqual([
      "package.json is not valid JSON; its install-script settings were not read",
      "pnpm-workspace.yaml is not valid YAML; its install-script settings were not read",
    ]);
    expect(policy.entries).toEqual([]);
  });

  it("takes the manager's major version from packageManager or devEngines", () => {
    expect(readInstallPolicy("npm", { packageJson: packageJson({ packageManager: "npm@12.1.0+sha512.abc" }) }).major).toBe(12);
    expect(readInstallPolicy("pnpm", { packageJson: packageJson({ devEngines: { packageManager: { name: "pnpm", version: "^10.2.0" } } }) }).major).toBe(10);
    expect(readInstallPolicy("yarn-berry", { packageJson: packageJson({ packageManager: "yarn@4.5.0" }) }).major).toBe(4);
    expect(readInstallPolicy("npm", { packageJson: packageJson({ packageManager: "pnpm@10.0.0" }) }).major).toBeUndefined();
  });

  it("splits package specs", () => {
    expect(splitSpec("esbuild")).toEqual({ name: "esbuild" });
    expect(splitSpec("esbuild@0.25.0")).toEqual({ name: "esbuild", versions: "0.25.0" });
    expect(splitSpec("@scope/pkg@1 || 2")).toEqual({ name: "@scope/pkg", versions: "1 || 2" });
    expect(splitSpec("@scope/pkg")).toEqual({ name: "@scope/pkg" });
  });

  it("matches versions and ranges", () => {
    expect(versionMatches(undefined, "1.0.0")).toBe(true);
    expect(versionMatches("1.0.0", "1.0.0")).toBe(true);
    expect(versionMatches("1 || 2", "2.5.0")).toBe(true);
    expect(versionMatches("1 || 2", "3.0.0")).toBe(false);
    expect(versionMatches("not a range", "1.0.0")).toBe(false);
  });
});

// What each manager does was established on this machine (npm 11.19.1, running core-js 3.49.0's
// printing postinstall under each setting) and from the managers' published code (npm 11.16.0,
// 12.2.0; pnpm 10.34.9, 11.28.11; yarn 4.13.0, 4.14.1): see docs/VERIFICATION.md.
describe("npm", () => {
  const npmAt = (version: string, allowScripts?: object) => ({ packageJson: packageJson({ packageManager: `npm@${version}`, ...(allowScripts ? { allowScripts } : {}) }) });
  const npmrc = (text: string) => ({ path: ".npmrc", text });

  it("npm 12 runs what allowScripts allows, and blocks the rest", () => {
    const files = npmAt("12.0.0", { esbuild: true, "sharp@0.33.5": true, "core-js": false });
    expect(verdict("npm", files, "esbuild")).toMatchObject({ run: "runs", explanation: 'will run under npm 12.0.0: allowScripts entry "esbuild: true" (package.json line 6) allows it' });
    expect(verdict("npm", files, "sharp", "0.33.5").run).toBe("runs");
    expect(verdict("npm", files, "sharp", "0.34.0")).toMatchObject({ run: "blocked", explanation: "will not run under npm 12.0.0: npm blocks it, as no allowScripts entry covers it" });
    expect(verdict("npm", files, "core-js")).toMatchObject({ run: "blocked", explanation: 'will not run under npm 12.0.0: allowScripts entry "core-js: false" (package.json line 8) denies it' });
  });

  it("lets a false entry win over a true one", () => {
    expect(verdict("npm", npmAt("12.0.0", { esbuild: true, "esbuild@0.25.0": false }), "esbuild", "0.25.0").run).toBe("blocked");
    expect(verdict("npm", npmAt("12.0.0", { esbuild: true, "esbuild@0.25.0": false }), "esbuild", "0.25.1").run).toBe("runs");
  });

  it("npm 11.16 to 11.x honours a false entry and runs unlisted scripts with a warning", () => {
    // Measured with npm 11.19.1: "core-js": false skipped the postinstall; no entry ran it.
    expect(verdict("npm", npmAt("11.19.1", { "core-js": false }), "core-js")).toEqual({
      run: "blocked",
      explanation: 'will not run under npm 11.19.1: allowScripts entry "core-js: false" (package.json line 6) denies it',
      entry: expect.objectContaining({ name: "core-js", allow: false }),
    });
    expect(verdict("npm", npmAt("11.19.1", { esbuild: true }), "core-js")).toEqual({
      run: "runs",
      explanation: "will run under npm 11.19.1: no allowScripts entry covers it, and npm 11 only warns about that",
    });
  });

  it("npm before 11.16 runs every script, whatever allowScripts says", () => {
    expect(verdict("npm", npmAt("11.15.0", { "core-js": false }), "core-js")).toEqual({
      run: "runs",
      explanation: "will run under npm 11.15.0: npm runs every dependency's install scripts before 11.16, which is the first to read allowScripts",
    });
    expect(verdict("npm", npmAt("10.9.0"), "x").run).toBe("runs");
  });

  it("without a pinned npm, says which npm versions run it", () => {
    expect(verdict("npm", { packageJson: packageJson({}) }, "x")).toEqual({
      run: "depends",
      explanation:
        "will not run under npm 12 and later: npm blocks it, as no allowScripts entry covers it; but under npm before 12 it runs: no allowScripts entry covers it, and npm 11 only warns about that (the project does not pin its npm version)",
    });
    expect(verdict("npm", { packageJson: packageJson({ allowScripts: { x: false } }) }, "x").explanation).toBe(
      'will not run under npm 11.16 and later: allowScripts entry "x: false" (package.json line 5) denies it; but under npm 11.15 and earlier it runs: npm runs every dependency\'s install scripts before 11.16, which is the first to read allowScripts (the project does not pin its npm version)',
    );
    expect(verdict("npm", { packageJson: packageJson({ allowScripts: { x: true } }) }, "x").run).toBe("runs");
  });

  it("does not count the entries npm ignores: ranges, dist-tags, values that are not booleans", () => {
    // npm 11.19.1 warned 'ignoring "core-js@^3.0.0" — semver ranges (^, ~, >=, <) are not allowed' and ran the script
    // as unreviewed; with strict-allow-scripts, "core-js": "3.49.0" failed the install as not covered.
    const files = npmAt("12.2.0", { "core-js@^3.0.0": true, "esbuild@latest": true, sharp: "0.33.5", "left-pad@1.3.0 || 1.3.1": true });
    const policy = readInstallPolicy("npm", files);
    expect(policy.entries.map((entry) => [entry.text, entry.ignored])).toEqual([
      ["core-js@^3.0.0: true", 'a range, where only exact versions joined by "||" count'],
      ["esbuild@latest: true", "a dist-tag or spec that names no exact version"],
      ['sharp: "0.33.5"', "its value is not true or false"],
      ["left-pad@1.3.0 || 1.3.1: true", undefined],
    ]);
    expect(verdict("npm", files, "core-js", "3.1.0")).toMatchObject({
      run: "blocked",
      explanation:
        'will not run under npm 12.2.0: npm blocks it, as no allowScripts entry covers it (npm ignores allowScripts entry "core-js@^3.0.0: true" (package.json line 6): a range, where only exact versions joined by "||" count)',
    });
    expect(verdict("npm", files, "sharp", "0.33.5").run).toBe("blocked");
    expect(verdict("npm", files, "left-pad", "1.3.1").run).toBe("runs");
  });

  it("reads .npmrc: ignore-scripts, strict-allow-scripts, dangerously-allow-all-scripts and the allow-scripts list", () => {
    const ignore = { packageJson: packageJson({ allowScripts: { esbuild: true } }), npmrc: npmrc("registry=https://registry.npmjs.org/\nignore-scripts=true\n") };
    expect(verdict("npm", ignore, "esbuild")).toMatchObject({ run: "blocked", explanation: "will not run: ignore-scripts=true (.npmrc line 2) turns off every install script" });
    // Measured with npm 11.19.1: strict-allow-scripts=true failed the install (ESTRICTALLOWSCRIPTS) before the script ran.
    const strict = { packageJson: packageJson({ packageManager: "npm@11.19.1" }), npmrc: npmrc("strict-allow-scripts=true\n") };
    expect(verdict("npm", strict, "core-js")).toMatchObject({
      run: "blocked",
      explanation: "will not run under npm 11.19.1: strict-allow-scripts=true (.npmrc line 1) makes the install fail, as no allowScripts entry covers it",
    });
    // Measured: "core-js": false with dangerously-allow-all-scripts=true ran the postinstall.
    const dangerous = { packageJson: packageJson({ allowScripts: { "core-js": false } }), npmrc: npmrc("dangerously-allow-all-scripts=true\n") };
    expect(verdict("npm", dangerous, "core-js")).toMatchObject({ run: "runs", explanation: "will run: dangerously-allow-all-scripts=true (.npmrc line 1) runs every dependency's install scripts, denied ones included" });
    // Measured: allow-scripts=core-js in .npmrc with strict-allow-scripts=true ran it; package.json allowScripts, when it has entries, wins.
    const list = { packageJson: packageJson({ packageManager: "npm@12.2.0" }), npmrc: npmrc("allow-scripts=core-js, esbuild@0.25.0\n") };
    expect(verdict("npm", list, "core-js")).toMatchObject({ run: "runs", explanation: 'will run under npm 12.2.0: allow-scripts entry "core-js" (.npmrc line 1) allows it' });
    expect(verdict("npm", list, "esbuild", "0.25.1").run).toBe("blocked");
    const both = { packageJson: packageJson({ packageManager: "npm@12.2.0", allowScripts: { esbuild: true } }), npmrc: npmrc("allow-scripts=core-js\n") };
    expect(verdict("npm", both, "core-js").run).toBe("blocked");
  });
});

describe("pnpm", () => {
  const workspace = (text: string, version = "10.2.0") => ({ pnpmWorkspace: { path: "pnpm-workspace.yaml", text }, packageJson: packageJson({ packageManager: `pnpm@${version}` }) });

  it("pnpm 10 builds only what onlyBuiltDependencies or allowBuilds lists", () => {
    const files = workspace("onlyBuiltDependencies:\n  - esbuild\nallowBuilds:\n  sharp: true\n  core-js: false\n");
    expect(verdict("pnpm", files, "esbuild")).toMatchObject({ run: "runs", explanation: 'will run under pnpm 10.2.0: onlyBuiltDependencies entry "esbuild" (pnpm-workspace.yaml line 2) allows it' });
    expect(verdict("pnpm", files, "sharp").run).toBe("runs");
    expect(verdict("pnpm", files, "core-js").run).toBe("blocked");
    expect(verdict("pnpm", files, "left-pad")).toMatchObject({
      run: "blocked",
      explanation: "will not run under pnpm 10.2.0: pnpm builds only the dependencies onlyBuiltDependencies (or allowBuilds) lists, and it does not list it",
    });
  });

  it("reads the pnpm field of package.json too, before pnpm 11", () => {
    const files = { packageJson: packageJson({ packageManager: "pnpm@9.15.0", pnpm: { neverBuiltDependencies: ["fsevents"] } }) };
    expect(verdict("pnpm", files, "fsevents").run).toBe("blocked");
    expect(verdict("pnpm", files, "esbuild")).toMatchObject({ run: "runs" });
  });

  it("pnpm 9 and earlier build everything by default", () => {
    expect(verdict("pnpm", { packageJson: packageJson({ packageManager: "pnpm@9.15.0" }) }, "x")).toEqual({
      run: "runs",
      explanation: "will run under pnpm 9.15.0: pnpm runs every dependency's install scripts before pnpm 10",
    });
  });

  it("a deny list alone builds everything else, before pnpm 11", () => {
    expect(verdict("pnpm", workspace("neverBuiltDependencies:\n  - fsevents\n"), "esbuild").run).toBe("runs");
  });

  it("pnpm 11 reads only allowBuilds, dangerouslyAllowAllBuilds and ignoreScripts, from pnpm-workspace.yaml", () => {
    // pnpm 11.0.0's changelog: the old build settings "have been removed", the pnpm field of package.json is no longer read, and .npmrc is auth and registry only.
    expect(verdict("pnpm", workspace("onlyBuiltDependencies:\n  - esbuild\n", "11.28.11"), "esbuild")).toMatchObject({
      run: "blocked",
      explanation:
        'will not run under pnpm 11.28.11: pnpm builds only dependencies that allowBuilds in pnpm-workspace.yaml allows, and it does not list it (onlyBuiltDependencies entry "esbuild" (pnpm-workspace.yaml line 2) is no longer read)',
    });
    expect(verdict("pnpm", workspace("neverBuiltDependencies:\n  - fsevents\n", "11.28.11"), "esbuild").run).toBe("blocked");
    expect(verdict("pnpm", workspace("allowBuilds:\n  esbuild: true\n", "11.28.11"), "esbuild").run).toBe("runs");
    const npmrcOff = { ...workspace("allowBuilds:\n  esbuild: true\n", "11.28.11"), npmrc: { path: ".npmrc", text: "ignore-scripts=true\n" } };
    expect(verdict("pnpm", npmrcOff, "esbuild").run).toBe("runs");
    expect(verdict("pnpm", { ...npmrcOff, packageJson: packageJson({ packageManager: "pnpm@10.34.9" }) }, "esbuild").run).toBe("blocked");
    expect(verdict("pnpm", workspace("allowBuilds:\n  esbuild: true\nignoreScripts: true\n", "11.28.11"), "esbuild")).toMatchObject({
      run: "blocked",
      explanation: "will not run under pnpm 11.28.11: ignoreScripts: true (pnpm-workspace.yaml line 3) turns off every install script",
    });
  });

  it("dangerouslyAllowAllBuilds builds everything", () => {
    expect(verdict("pnpm", workspace("dangerouslyAllowAllBuilds: true\n"), "anything")).toMatchObject({
      run: "runs",
      explanation: "will run under pnpm 10.2.0: dangerouslyAllowAllBuilds: true (pnpm-workspace.yaml line 1) lets every dependency build",
    });
  });

  it("cannot tell when the allow list lives in another file, or the pnpm version is not pinned", () => {
    expect(verdict("pnpm", workspace("onlyBuiltDependenciesFile: node_modules/@org/policy/allow.json\n"), "x").run).toBe("depends");
    expect(verdict("pnpm", { packageJson: packageJson({}) }, "x")).toEqual({
      run: "depends",
      explanation:
        "will not run under pnpm 10 and later: pnpm builds only dependencies that allowBuilds in pnpm-workspace.yaml allows, and it does not list it; but under pnpm 9 and earlier it runs: pnpm runs every dependency's install scripts before pnpm 10 (the project does not pin its pnpm version)",
    });
    expect(verdict("pnpm", { packageJson: packageJson({ pnpm: { onlyBuiltDependencies: ["esbuild"] } }) }, "x").run).toBe("blocked");
    expect(verdict("pnpm", { pnpmWorkspace: { path: "pnpm-workspace.yaml", text: "allowBuilds:\n  x: true\n" } }, "x").run).toBe("runs");
  });
});

describe("bun", () => {
  it("without trustedDependencies, runs scripts only of registry packages on its built-in list", () => {
    expect(verdict("bun", { packageJson: packageJson({}) }, "esbuild")).toMatchObject({ run: "runs" });
    expect(verdict("bun", { packageJson: packageJson({}) }, "esbuild", "0.25.0", "git").run).toBe("blocked");
    expect(verdict("bun", { packageJson: packageJson({}) }, "plain-crypto-js")).toEqual({
      run: "blocked",
      explanation: "will not run: bun runs install scripts only for trusted packages, and package.json has no trustedDependencies entry for it",
    });
  });

  it("trustedDependencies replaces the built-in list, even empty", () => {
    expect(verdict("bun", { packageJson: packageJson({ trustedDependencies: [] }) }, "esbuild").run).toBe("blocked");
    expect(verdict("bun", { packageJson: packageJson({ trustedDependencies: ["left-pad"] }) }, "left-pad")).toMatchObject({
      run: "runs",
      explanation: 'will run: trustedDependencies entry "left-pad" (package.json line 5) trusts it',
    });
  });
});

describe("yarn", () => {
  const yarnrc = (text: string) => ({ path: ".yarnrc.yml", text });

  it("berry before 4.14 runs scripts unless dependenciesMeta or enableScripts says otherwise", () => {
    const yarn = (extra: object = {}) => packageJson({ packageManager: "yarn@4.13.0", ...extra });
    expect(verdict("yarn-berry", { packageJson: yarn() }, "x").run).toBe("runs");
    const off = { packageJson: yarn({ dependenciesMeta: { "core-js": { built: false }, "esbuild@0.25.0": { built: true } } }) };
    expect(verdict("yarn-berry", off, "core-js")).toMatchObject({ run: "blocked", explanation: 'will not run under yarn 4.13.0: dependenciesMeta entry "core-js: { built: false }" (package.json line 7) turns its build off' });
    const disabled = { ...off, yarnrc: yarnrc("nodeLinker: node-modules\nenableScripts: false\n") };
    expect(verdict("yarn-berry", disabled, "left-pad")).toMatchObject({ run: "blocked", explanation: "will not run under yarn 4.13.0: enableScripts: false (.yarnrc.yml line 2) turns off dependencies' install scripts" });
    expect(verdict("yarn-berry", disabled, "esbuild", "0.25.0").run).toBe("runs");
    expect(verdict("yarn-berry", disabled, "esbuild", "0.25.1").run).toBe("blocked");
  });

  it("berry 4.14 and later runs dependencies' scripts only when enableScripts or built: true says so", () => {
    // @yarnpkg/cli-dist: enableScripts defaults to true in 4.13.0 and to false in 4.14.1; a project
    // whose lockfile predates version 9 gets enableScripts: true written when yarn migrates it.
    const yarn = (extra: object = {}) => packageJson({ packageManager: "yarn@4.18.1", ...extra });
    expect(verdict("yarn-berry", { packageJson: yarn() }, "x")).toMatchObject({
      run: "blocked",
      explanation: "will not run under yarn 4.18.1: yarn runs dependencies' install scripts only when .yarnrc.yml sets enableScripts: true or dependenciesMeta sets built: true, and neither does",
    });
    expect(verdict("yarn-berry", { packageJson: yarn({ dependenciesMeta: { x: { built: true } } }) }, "x").run).toBe("runs");
    expect(verdict("yarn-berry", { packageJson: yarn(), yarnrc: yarnrc("enableScripts: true\n") }, "x").run).toBe("runs");
    expect(verdict("yarn-berry", {}, "x").run).toBe("depends");
  });

  it("yarn 1 runs everything unless ignore-scripts is set", () => {
    expect(verdict("yarn-classic", {}, "x").run).toBe("runs");
    expect(verdict("yarn-classic", { npmrc: { path: ".npmrc", text: "ignore-scripts = true" } }, "x").run).toBe("blocked");
  });
});
