import { describe, expect, it } from "vitest";
import { approvalAlerts, approvalsAdded, type ScriptedPackage } from "../../src/publication/approvals.js";
import { readInstallPolicy } from "../../src/publication/install-policy.js";
import { installCommands } from "../../src/publication/lifecycle.js";
import { recorded } from "./fixtures.js";

const packageJson = (value: object) => ({ path: "package.json", text: `${JSON.stringify({ name: "app", ...value }, null, 2)}\n` });

// What es5-ext@0.10.54 runs on install, from its recorded packument.
const es5ext: ScriptedPackage = { name: "es5-ext", version: "0.10.54", commands: installCommands(recorded("es5-ext").versions["0.10.54"]!) };
const esbuild: ScriptedPackage = { name: "esbuild", version: "0.25.0", commands: [{ event: "postinstall", command: "node install.js", implicit: false }] };
const plain: ScriptedPackage = { name: "left-pad", version: "1.3.0", commands: [] };

describe("approvalsAdded and approvalAlerts", () => {
  it("puts an alert on the allowScripts line that approves a package with an install script, saying what it runs", () => {
    const base = readInstallPolicy("npm", { packageJson: packageJson({ allowScripts: { esbuild: true } }) });
    const head = readInstallPolicy("npm", { packageJson: packageJson({ allowScripts: { esbuild: true, "es5-ext": true } }) });
    const approvals = approvalsAdded(base, head);
    expect(approvals.map((approval) => [approval.kind, approval.entry.text, approval.entry.line])).toEqual([["added", "es5-ext: true", 5]]);
    const alerts = approvalAlerts(approvals, head, [esbuild, { ...es5ext, finding: "It writes a file under the user's home folder." }, plain]);
    expect(alerts).toEqual([
      {
        rule: "install-script-approved",
        severity: "medium",
        package: { name: "es5-ext", version: "0.10.54" },
        message:
          'This change adds "es5-ext: true" to allowScripts, which lets npm run es5-ext\'s install scripts, in this and every future version: ' +
          "es5-ext@0.10.54 runs postinstall (\"node ./_postinstall.js\") (It writes a file under the user's home folder).",
        why: "An approved install script runs with the installing user's rights on every developer machine and CI runner; approving it is the one step between a malicious release and its payload running.",
        action: "Read what the script runs in es5-ext and pin the approval to that version (name@version); approve only if the package cannot work without it.",
        location: { path: "package.json", line: 5 },
      },
    ]);
  });

  it("a pinned approval covers only its version", () => {
    const head = readInstallPolicy("npm", { packageJson: packageJson({ allowScripts: { "esbuild@0.25.0": true } }) });
    const approvals = approvalsAdded(undefined, head);
    expect(approvalAlerts(approvals, head, [esbuild])[0]?.action).toBe("Read what the script runs in esbuild; approve only if the package cannot work without it.");
    expect(approvalAlerts(approvals, head, [{ ...esbuild, version: "0.26.0" }])).toEqual([]);
  });

  it("says nothing of an approval for a package without install scripts", () => {
    const head = readInstallPolicy("npm", { packageJson: packageJson({ allowScripts: { "left-pad": true } }) });
    expect(approvalAlerts(approvalsAdded(undefined, head), head, [plain])).toEqual([]);
  });

  it("counts a removed denial as an approval", () => {
    const base = readInstallPolicy("pnpm", { pnpmWorkspace: { path: "pnpm-workspace.yaml", text: "onlyBuiltDependencies: []\nignoredBuiltDependencies:\n  - esbuild\n" } });
    const head = readInstallPolicy("pnpm", { pnpmWorkspace: { path: "pnpm-workspace.yaml", text: "onlyBuiltDependencies:\n  - esbuild\n" } });
    const approvals = approvalsAdded(base, head);
    expect(approvals.map((approval) => [approval.kind, approval.entry.setting])).toEqual([
      ["added", "onlyBuiltDependencies"],
      ["denial-removed", "ignoredBuiltDependencies"],
    ]);
    const alerts = approvalAlerts(approvals, head, [esbuild]);
    expect(alerts.map((alert) => alert.location)).toEqual([{ path: "pnpm-workspace.yaml", line: 2 }, { path: "pnpm-workspace.yaml" }]);
    expect(alerts[1]!.message).toMatch(/^This change removes "esbuild" from ignoredBuiltDependencies in pnpm-workspace\.yaml, which lets pnpm run esbuild's install scripts/);
  });

  it("rates a blanket approval high and lists what it lets run", () => {
    const base = readInstallPolicy("yarn-berry", { yarnrc: { path: ".yarnrc.yml", text: "enableScripts: false\n" } });
    const head = readInstallPolicy("yarn-berry", { yarnrc: { path: ".yarnrc.yml", text: "enableScripts: true\n" } });
    const alerts = approvalAlerts(approvalsAdded(base, head), head, [esbuild, es5ext, plain]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: "high", location: { path: ".yarnrc.yml", line: 1 }, package: { name: "esbuild", version: "0.25.0" } });
    expect(alerts[0]!.message).toBe(
      "This change sets enableScripts: true in .yarnrc.yml, which lets yarn run every dependency's install scripts: " +
        'esbuild@0.25.0 runs postinstall ("node install.js") and es5-ext@0.10.54 runs postinstall ("node ./_postinstall.js").',
    );
  });

  it("ignores settings the project's manager does not read", () => {
    const head = readInstallPolicy("pnpm", { packageJson: packageJson({ allowScripts: { esbuild: true }, trustedDependencies: ["esbuild"] }) });
    expect(approvalsAdded(undefined, head)).toEqual([]);
  });

  it("finds approvals in bun's trustedDependencies and pnpm's dangerouslyAllowAllBuilds", () => {
    const bun = readInstallPolicy("bun", { packageJson: packageJson({ trustedDependencies: ["esbuild"] }) });
    expect(approvalAlerts(approvalsAdded(readInstallPolicy("bun", {}), bun), bun, [esbuild])[0]?.location).toEqual({ path: "package.json", line: 4 });
    const pnpm = readInstallPolicy("pnpm", { pnpmWorkspace: { path: "pnpm-workspace.yaml", text: "dangerouslyAllowAllBuilds: true\n" } });
    expect(approvalAlerts(approvalsAdded(undefined, pnpm), pnpm, [esbuild])[0]?.severity).toBe("high");
  });
});
