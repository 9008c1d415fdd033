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

describe("npm", () => {
  const npm12 = (allowScripts: object) => ({ packageJson: packageJson({ packageManager: "npm@12.0.0", allowScripts }) });

  it("npm 12 runs what allowScripts allows, and blocks the rest", () => {
    const files = npm12({ esbuild: true, "sharp@0.33.5": true, "core-js": false });
    expect(verdict("npm", files, "esbuild")).toMatchObject({ run: "runs", explanation: 'will run: allowScripts entry "esbuild: true" (package.json line 6) allows it' });
    expect(verdict("npm", files, "sharp", "0.33.5").run).toBe("runs");
    expect(verdict("npm", files, "sharp", "0.34.0")).toMatchObject({ run: "blocked", explanation: "will not run: npm 12 blocks it, as no allowScripts entry in package.json covers it" });
    expect(verdict("npm", files, "core-js")).toMatchObject({ run: "blocked", explanation: 'will not run: npm 12 blocks it, as allowScripts entry "core-js: false" (package.json line 8) denies it' });
  });

  it("lets a false entry win over a true one", () => {
    expect(verdict("npm", npm12({ esbuild: true, "esbuild@0.25.0": false }), "esbuild", "0.25.0").run).toBe("blocked");
    expect(verdict("npm", npm12({ esbuild: true, "esbuild@0.25.0": false }), "esbuild", "0.25.1").run).toBe("runs");
  });

  it("npm 11 and earlier run every script (allowScripts only warns)", () => {
    const files = { packageJson: packageJson({ packageManager: "npm@11.16.0", allowScripts: { "core-js": false } }) };
    expect(verdict("npm", files, "core-js")).toEqual({ run: "runs", explanation: "will run: npm 11 runs every dependency's install scripts (allowScripts only warns before npm 12)" });
    expect(verdict("npm", { packageJson: packageJson({ packageManager: "npm@10.9.0" }) }, "x").explanation).toBe("will run: npm 10 runs every dependency's install scripts");
  });

  it("without a pinned npm, says that the answer depends on the npm that installs", () => {
    expect(verdict("npm", { packageJson: packageJson({}) }, "x")).toEqual({
      run: "depends",
      explanation: "will not run under npm 12 and later, as no allowScripts entry in package.json covers it, but npm 11 and earlier run it (the project does not pin its npm version)",
    });
    expect(verdict("npm", { packageJson: packageJson({ allowScripts: { x: true } }) }, "x").run).toBe("runs");
  });

  it("ignore-scripts in .npmrc turns everything off", () => {
    const files = { packageJson: packageJson({ allowScripts: { esbuild: true } }), npmrc: { path: ".npmrc", text: "registry=https://registry.npmjs.org/\nignore-scripts=true\n" } };
    expect(verdict("npm", files, "esbuild")).toMatchObject({ run: "blocked", explanation: "will not run: ignore-scripts=true (.npmrc line 2) turns off every install script" });
  });
});

describe("pnpm", () => {
  const workspace = (text: string) => ({ pnpmWorkspace: { path: "pnpm-workspace.yaml", text }, packageJson: packageJson({ packageManager: "pnpm@10.2.0" }) });

  it("pnpm 10 builds only what onlyBuiltDependencies or allowBuilds lists", () => {
    const files = workspace("onlyBuiltDependencies:\n  - esbuild\nallowBuilds:\n  sharp: true\n  core-js: false\n");
    expect(verdict("pnpm", files, "esbuild")).toMatchObject({ run: "runs", explanation: 'will run: onlyBuiltDependencies entry "esbuild" (pnpm-workspace.yaml line 2) allows it' });
    expect(verdict("pnpm", files, "sharp").run).toBe("runs");
    expect(verdict("pnpm", files, "core-js")).toMatchObject({ run: "blocked", explanation: 'will not run: allowBuilds entry "core-js: false" (pnpm-workspace.yaml line 5) excludes it from builds' });
    expect(verdict("pnpm", files, "left-pad")).toMatchObject({
      run: "blocked",
      explanation: "will not run: pnpm 10 builds only approved dependencies, and neither onlyBuiltDependencies nor allowBuilds lists it",
    });
  });

  it("reads the pnpm field of package.json too", () => {
    const files = { packageJson: packageJson({ packageManager: "pnpm@9.15.0", pnpm: { neverBuiltDependencies: ["fsevents"] } }) };
    expect(verdict("pnpm", files, "fsevents").run).toBe("blocked");
    expect(verdict("pnpm", files, "esbuild")).toMatchObject({ run: "runs" });
  });

  it("pnpm 9 and earlier build everything by default", () => {
    expect(verdict("pnpm", { packageJson: packageJson({ packageManager: "pnpm@9.15.0" }) }, "x")).toEqual({ run: "runs", explanation: "will run: pnpm 9 runs every dependency's install scripts" });
  });

  it("a deny list alone builds everything else, under any version", () => {
    expect(verdict("pnpm", workspace("neverBuiltDependencies:\n  - fsevents\n"), "esbuild").run).toBe("runs");
  });

  it("dangerouslyAllowAllBuilds builds everything", () => {
    expect(verdict("pnpm", workspace("dangerouslyAllowAllBuilds: true\n"), "anything")).toMatchObject({
      run: "runs",
      explanation: "will run: dangerouslyAllowAllBuilds: true (pnpm-workspace.yaml line 1) lets every dependency build",
    });
  });

  it("cannot tell when the allow list lives in another file, or the pnpm version is not pinned", () => {
    expect(verdict("pnpm", workspace("onlyBuiltDependenciesFile: node_modules/@org/policy/allow.json\n"), "x").run).toBe("depends");
    expect(verdict("pnpm", { packageJson: packageJson({}) }, "x")).toMatchObject({ run: "depends" });
    expect(verdict("pnpm", { packageJson: packageJson({ pnpm: { onlyBuiltDependencies: ["esbuild"] } }) }, "x").run).toBe("blocked");
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

  it("berry runs scripts unless dependenciesMeta or enableScripts says otherwise", () => {
    expect(verdict("yarn-berry", {}, "x").run).toBe("runs");
    const off = { packageJson: packageJson({ dependenciesMeta: { "core-js": { built: false }, "esbuild@0.25.0": { built: true } } }) };
    expect(verdict("yarn-berry", off, "core-js")).toMatchObject({ run: "blocked", explanation: 'will not run: dependenciesMeta entry "core-js: { built: false }" (package.json line 6) turns its build off' });
    const disabled = { ...off, yarnrc: yarnrc("nodeLinker: node-modules\nenableScripts: false\n") };
    expect(verdict("yarn-berry", disabled, "left-pad")).toMatchObject({ run: "blocked", explanation: "will not run: enableScripts: false (.yarnrc.yml line 2) turns off dependencies' install scripts" });
    expect(verdict("yarn-berry", disabled, "esbuild", "0.25.0").run).toBe("runs");
    expect(verdict("yarn-berry", disabled, "esbuild", "0.25.1").run).toBe("blocked");
  });

  it("yarn 1 runs everything unless ignore-scripts is set", () => {
    expect(verdict("yarn-classic", {}, "x").run).toBe("runs");
    expect(verdict("yarn-classic", { npmrc: { path: ".npmrc", text: "ignore-scripts = true" } }, "x").run).toBe("blocked");
  });
});
