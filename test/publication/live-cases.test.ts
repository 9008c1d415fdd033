import { describe, expect, it } from "vitest";
import { diffLockfiles } from "../../src/lockfile/diff.js";
import { installScriptAdded } from "../../src/publication/install-script-added.js";
import { readInstallPolicy } from "../../src/publication/install-policy.js";
import { installCommands } from "../../src/publication/lifecycle.js";
import { newDependencies } from "../../src/publication/new-dependencies.js";
import { runsImplicitNodeGyp } from "../../src/publication/node-gyp.js";
import { scriptApproval } from "../../src/publication/script-approval.js";
import { versionJump } from "../../src/publication/version-jump.js";
import { registrySignals } from "../../src/review/registry-signals.js";
import { lockfile, pkg } from "../support/packages.js";
import { location, NPM, recorded } from "./fixtures.js";

/*
 * Regressions found by reviewing real changes on this machine's registry (docs/VERIFICATION.md),
 * each on the packuments recorded there.
 */

describe("react 0.14.9 -> 15.0.0", () => {
  it("is a version jump: the release candidates of 15.0.0 are not releases between the majors", () => {
    const alert = versionJump({ name: "react", version: "15.0.0", previousVersion: "0.14.9", packument: recorded("react"), registryUrl: NPM, location });
    expect(alert).toMatchObject({ rule: "version-jump", severity: "medium", message: "react jumps from 0.14.9 to 15.0.0, with nothing published in between." });
    // A later 15.x is the same jump; an update within 15 is none.
    expect(versionJump({ name: "react", version: "15.0.2", previousVersion: "0.14.10", packument: recorded("react"), registryUrl: NPM, location })?.severity).toBe("medium");
    expect(versionJump({ name: "react", version: "15.0.2", previousVersion: "15.0.0", packument: recorded("react"), registryUrl: NPM, location })).toBeUndefined();
  });

  it("names every package the update brings in, also those a new package requires", () => {
    // The lockfiles npm 11.19.1 wrote for `npm install react@0.14.9`, then `npm install react@15.0.0` (the packages that matter).
    const base = lockfile([
      pkg("react@0.14.9", { direct: true, workspaces: [""], line: 10 }),
      pkg("fbjs@0.6.1", { line: 20 }),
      pkg("whatwg-fetch@0.9.0", { line: 30 }),
      pkg("iconv-lite@0.4.24", { line: 40 }),
    ]);
    const head = lockfile([
      pkg("react@15.0.0", { direct: true, workspaces: [""], line: 134 }),
      pkg("encoding@0.1.14", { line: 26 }),
      pkg("fbjs@0.8.18", { line: 38 }),
      pkg("iconv-lite@0.7.3", { line: 53 }),
      pkg("is-stream@1.1.0", { line: 69 }),
      pkg("isomorphic-fetch@2.2.1", { line: 78 }),
      pkg("node-fetch@1.7.3", { line: 106 }),
      pkg("setimmediate@1.0.5", { line: 154 }),
      pkg("whatwg-fetch@3.6.20", { line: 186 }),
    ]);
    const docs = new Map(["react", "fbjs", "isomorphic-fetch", "node-fetch"].map((name) => [name, recorded(name)]));
    const lookup = (name: string, version: string) => docs.get(name)?.versions[version];
    const alerts = newDependencies(diffLockfiles(base, head), { lockfilePath: "package-lock.json", base, lookup });
    expect(alerts.map((alert) => [alert.package.name, alert.location.line, alert.message])).toEqual([
      ["encoding", 26, "encoding@0.1.14 is new to this project, required by node-fetch@1.7.3, which fbjs 0.6.1 → 0.8.18 brings in: no version of it was installed before."],
      ["is-stream", 69, "is-stream@1.1.0 is new to this project, required by node-fetch@1.7.3, which fbjs 0.6.1 → 0.8.18 brings in: no version of it was installed before."],
      ["isomorphic-fetch", 78, "isomorphic-fetch@2.2.1 is new to this project, required by fbjs 0.6.1 → 0.8.18: no version of it was installed before."],
      ["node-fetch", 106, "node-fetch@1.7.3 is new to this project, required by isomorphic-fetch@2.2.1, which fbjs 0.6.1 → 0.8.18 brings in: no version of it was installed before."],
      ["setimmediate", 154, "setimmediate@1.0.5 is new to this project, required by fbjs 0.6.1 → 0.8.18: no version of it was installed before."],
    ]);
  });
});

describe("diskusage 0.1.5 -> 0.2.1", () => {
  it("adds npm's implicit node-gyp rebuild, which runs under npm 11.19.1 unless allowScripts denies it", () => {
    const packument = recorded("diskusage");
    expect(installCommands(packument.versions["0.2.1"]!)).toEqual([{ event: "install", command: "node-gyp rebuild", implicit: true }]);
    const policyOf = (allowScripts?: object) =>
      readInstallPolicy("npm", { packageJson: { path: "package.json", text: JSON.stringify({ name: "app", packageManager: "npm@11.19.1", ...(allowScripts ? { allowScripts } : {}) }, null, 2) } });
    const alert = (allowScripts?: object) =>
      installScriptAdded({ name: "diskusage", version: "0.2.1", previousVersion: "0.1.5", packument, location, verdict: scriptApproval(policyOf(allowScripts), { name: "diskusage", version: "0.2.1" }) });
    expect(alert()).toMatchObject({
      severity: "high",
      message:
        'diskusage@0.2.1 adds an install script, install (implicit "node-gyp rebuild"), that 0.1.5 did not have. The script will run under npm 11.19.1: no allowScripts entry covers it, and npm 11 only warns about that.',
    });
    expect(alert({ diskusage: false })).toMatchObject({ severity: "medium" });
    expect(alert({ diskusage: false })!.message).toContain('The script will not run under npm 11.19.1: allowScripts entry "diskusage: false" (package.json line 5) denies it.');
  });
});

describe("npm's implicit node-gyp rule, shared by the registry and the tarball readers", () => {
  it("needs a binding.gyp, no install or preinstall script, and gypfile not false", () => {
    expect(runsImplicitNodeGyp({ scripts: {}, gypfile: undefined, hasBindingGyp: true })).toBe(true);
    expect(runsImplicitNodeGyp({ scripts: { postinstall: "node x.js" }, gypfile: undefined, hasBindingGyp: true })).toBe(true);
    expect(runsImplicitNodeGyp({ scripts: { preinstall: "node x.js" }, gypfile: undefined, hasBindingGyp: true })).toBe(false);
    expect(runsImplicitNodeGyp({ scripts: { install: "" }, gypfile: undefined, hasBindingGyp: true })).toBe(true);
    expect(runsImplicitNodeGyp({ scripts: {}, gypfile: false, hasBindingGyp: true })).toBe(false);
    expect(runsImplicitNodeGyp({ scripts: "nonsense", gypfile: undefined, hasBindingGyp: false })).toBe(false);
  });

  it("an install script of only whitespace is a script to npm: no implicit build is added for it", () => {
    // npm tests `scripts.install` for truth; "  " is true, so npm runs it (to no effect) instead of node-gyp.
    expect(installCommands({ scripts: { install: "  " }, gypfile: true })).toEqual([]);
    expect(installCommands({ scripts: { install: "" }, gypfile: true })).toEqual([{ event: "install", command: "node-gyp rebuild", implicit: true }]);
  });
});

describe("flatmap-stream@0.1.1", () => {
  it("is not found, on a registry that keeps the name with no versions left", () => {
    expect(registrySignals("flatmap-stream", "0.1.1", recorded("flatmap-stream"), NPM, location)).toEqual([
      expect.objectContaining({
        rule: "not-found",
        message: `flatmap-stream@0.1.1 is not on ${NPM}: the name is registered but has no versions left (every version was unpublished or removed).`,
      }),
    ]);
  });
});
