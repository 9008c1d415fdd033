/**
 * install-script-approved: a change that approves install scripts (an allowScripts entry, an
 * onlyBuiltDependencies or trustedDependencies name, a built: true, a deny entry removed, scripts
 * turned back on) for a package that has them gets an alert on the line that approves, saying
 * what the approved scripts do.
 *
 * Severity: high for a blanket approval (every dependency's scripts, or a deny-all setting
 * removed); medium for one package: approving is deliberate, the alert makes sure the script
 * was read.
 */

import type { Alert } from "../review/alert.js";
import type { InstallPolicy, PackageManager, ScriptEntry, ScriptSetting } from "./install-policy.js";
import { describeCommands, type InstallCommand } from "./lifecycle.js";
import { versionMatches } from "./script-approval.js";
import { joinWords } from "./text.js";

/** An approval a change makes. */
export interface Approval {
  /** The entry in the head files that approves, or for a removed deny entry, the entry as it was at base. */
  entry: ScriptEntry;
  /** `added`: a new allowing entry; `denial-removed`: a deny entry (or ignore-scripts, enableScripts: false) taken out. */
  kind: "added" | "denial-removed";
}

/** A package version installed at head, with its install scripts (from its packument or tarball). */
export interface ScriptedPackage {
  name: string;
  version: string;
  commands: InstallCommand[];
  /** What the code analysis found the script doing, when the caller has it: one sentence. */
  finding?: string;
}

/** The settings each manager reads; an approval in a setting the project's manager ignores approves nothing. */
const READS: Record<PackageManager, readonly ScriptSetting[]> = {
  npm: ["allowScripts", "allow-scripts", "dangerously-allow-all-scripts", "ignore-scripts"],
  pnpm: ["allowBuilds", "onlyBuiltDependencies", "ignoredBuiltDependencies", "neverBuiltDependencies", "dangerouslyAllowAllBuilds", "ignore-scripts", "ignoreScripts"],
  bun: ["trustedDependencies"],
  "yarn-berry": ["dependenciesMeta", "enableScripts"],
  "yarn-classic": ["ignore-scripts"],
};

/** The install-script approvals that `head` makes and `base` did not (base undefined: the files are new). */
export function approvalsAdded(base: InstallPolicy | undefined, head: InstallPolicy): Approval[] {
  const reads = READS[head.manager];
  // An entry the manager ignores as written (an npm range) approves nothing, and removing it removes nothing.
  const relevant = (entry: ScriptEntry) => reads.includes(entry.setting) && entry.name !== "?" && !entry.ignored;
  const same = (a: ScriptEntry, b: ScriptEntry) => a.setting === b.setting && a.name === b.name && (a.versions ?? "") === (b.versions ?? "");
  const baseEntries = base?.entries ?? [];
  const approvals: Approval[] = [];
  for (const entry of head.entries) {
    if (!entry.allow || !relevant(entry)) continue;
    if (baseEntries.some((old) => old.allow && same(old, entry))) continue;
    approvals.push({ entry, kind: "added" });
  }
  for (const old of baseEntries) {
    if (old.allow || !relevant(old)) continue;
    if (head.entries.some((entry) => same(entry, old))) continue;
    approvals.push({ entry: old, kind: "denial-removed" });
  }
  return approvals;
}

/** The install-script-approved alerts: one per approval that covers a package with install scripts. */
export function approvalAlerts(approvals: readonly Approval[], head: InstallPolicy, installed: readonly ScriptedPackage[]): Alert[] {
  const alerts: Alert[] = [];
  for (const approval of approvals) {
    const { entry } = approval;
    const blanket = entry.name === "*";
    const covered = installed.filter(
      (pkg) => pkg.commands.length > 0 && (blanket || (pkg.name === entry.name && versionMatches(entry.versions, pkg.version))),
    );
    if (covered.length === 0) continue;
    const shown = covered.slice(0, 3).map((pkg) => `${pkg.name}@${pkg.version} runs ${describeCommands(pkg.commands)}${pkg.finding ? ` (${pkg.finding.replace(/\.$/, "")})` : ""}`);
    const more = covered.length > shown.length ? `; and ${covered.length - shown.length} more packages` : "";
    const what =
      approval.kind === "added"
        ? blanket
          ? `sets ${entry.text} in ${entry.file}`
          : `adds ${JSON.stringify(entry.text)} to ${entry.setting}`
        : blanket
          ? `removes ${entry.text} from ${entry.file}`
          : `removes ${JSON.stringify(entry.text)} from ${entry.setting} in ${entry.file}`;
    const scope = blanket
      ? "every dependency's install scripts"
      : `${entry.name}'s install scripts${entry.versions ? "" : ", in this and every future version"}`;
    const target = blanket ? "the dependencies" : entry.name;
    alerts.push({
      rule: "install-script-approved",
      severity: blanket ? "high" : "medium",
      // The first package the approval lets run, so a policy exception can name it.
      package: { name: covered[0]!.name, version: covered[0]!.version },
      message: `This change ${what}, which lets ${head.manager === "yarn-berry" || head.manager === "yarn-classic" ? "yarn" : head.manager} run ${scope}: ${joinWords(shown)}${more}.`,
      why: "An approved install script runs with the installing user's rights on every developer machine and CI runner; approving it is the one step between a malicious release and its payload running.",
      action: blanket
        ? "Approve packages one by one, pinned to the reviewed version, instead of all at once."
        : `Read what the script runs in ${target}${entry.versions ? "" : " and pin the approval to that version (name@version)"}; approve only if the package cannot work without it.`,
      location: { path: entry.file, ...(approval.kind === "added" && entry.line !== undefined ? { line: entry.line } : {}) },
    });
  }
  return alerts;
}
