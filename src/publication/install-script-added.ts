/**
 * install-script-added: the version runs a preinstall, install or postinstall script that the
 * version before it did not. Compared with the version the lockfile had, or for a package new to
 * the lockfile with the registry's previous release (an attacker publishes a clean version first
 * so the malicious one has a history).
 *
 * Severity: high when the script will run (or may, depending on the manager's version); medium
 * when the project's settings block it, since the package is still suspect and one approval
 * away from running it.
 */

import type { Packument } from "../registry/registry.js";
import type { Alert, RepositoryLocation } from "../review/alert.js";
import { baselineOf } from "./history.js";
import { describeCommands, installCommands } from "./lifecycle.js";
import type { ScriptVerdict } from "./script-approval.js";

/** A version to check, with its packument and where it is in the repository. */
export interface InstallScriptAddedInput {
  name: string;
  version: string;
  previousVersion?: string;
  packument: Packument;
  location: RepositoryLocation;
  /** Whether the script runs under the project's settings (script-approval.ts); said in the message when given. */
  verdict?: ScriptVerdict;
}

/** The install-script-added alert for a version, if it adds install scripts. */
export function installScriptAdded(input: InstallScriptAddedInput): Alert | undefined {
  const { name, version, packument } = input;
  const record = packument.versions[version];
  const baseline = baselineOf(packument, version, input.previousVersion);
  if (!record || !baseline) return undefined;
  const before = new Set(installCommands(baseline.record).map((command) => command.event));
  const added = installCommands(record).filter((command) => !before.has(command.event));
  if (added.length === 0) return undefined;

  const verdict = input.verdict;
  const severity = verdict?.run === "blocked" ? "medium" : "high";
  const against = baseline.fromLockfile ? baseline.version : `${baseline.version}, the registry's previous release,`;
  const runs = verdict ? ` The script ${verdict.explanation}.` : "";
  const previous = input.previousVersion && input.previousVersion !== version ? input.previousVersion : undefined;
  return {
    rule: "install-script-added",
    severity,
    package: previous ? { name, version, previous } : { name, version },
    message: `${name}@${version} adds ${added.length === 1 ? "an install script" : "install scripts"}, ${describeCommands(added)}, that ${against} did not have.${runs}`,
    why: "An install script runs with the installing user's rights on every developer machine and CI runner as soon as the package is installed; adding one in a routine release is how most npm malware runs.",
    action:
      verdict?.run === "blocked"
        ? `Read what the script does before approving it; keep it out of the project's install-script approvals unless the package needs it and its maintainers explain why it was added.`
        : `Read the script and the files it runs in ${name}@${version} before merging; if the package does not need it, block it (npm allowScripts false, pnpm ignoredBuiltDependencies, yarn dependenciesMeta built: false) or keep ${baseline.version}.`,
    location: input.location,
  };
}
