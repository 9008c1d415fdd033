/**
 * Whether a dependency's install script actually runs under the project's package manager and
 * settings, with the reason in words a reviewer can check against the files.
 */

import semver from "semver";
import type { SourceKind } from "../lockfile/model.js";
import bunDefaults from "./bun-default-trusted.json" with { type: "json" };
import type { InstallPolicy, ScriptEntry, ScriptSetting } from "./install-policy.js";

/** `runs`, `blocked`, or `depends` when the answer hangs on a manager version the project does not pin. */
export type ScriptRun = "runs" | "blocked" | "depends";

/** Whether a package's install scripts run under the project's settings, and why. */
export interface ScriptVerdict {
  run: ScriptRun;
  /** A clause that completes "The script …": `will run: allowScripts allows it ("esbuild": true, package.json line 12)`. */
  explanation: string;
  /** The entry that decides, when one does. */
  entry?: ScriptEntry;
}

/** The packages bun trusts when a project lists none of its own. */
export const BUN_DEFAULT_TRUSTED: ReadonlySet<string> = new Set(bunDefaults.names);

/** Whether the install scripts of `pkg` run under `policy`. */
export function scriptApproval(policy: InstallPolicy, pkg: { name: string; version: string; source?: SourceKind }): ScriptVerdict {
  const ignore = last(policy.entries.filter((entry) => entry.setting === "ignore-scripts"));
  if (ignore && !ignore.allow && policy.manager !== "bun" && policy.manager !== "yarn-berry") {
    return { run: "blocked", explanation: `will not run: ${cite(ignore)} turns off every install script`, entry: ignore };
  }
  switch (policy.manager) {
    case "npm":
      return npmVerdict(policy, pkg);
    case "pnpm":
      return pnpmVerdict(policy, pkg);
    case "bun":
      return bunVerdict(policy, pkg);
    case "yarn-berry":
      return berryVerdict(policy, pkg);
    case "yarn-classic":
      return { run: "runs", explanation: "will run: yarn 1 runs every dependency's install scripts unless ignore-scripts is set" };
  }
}

function npmVerdict(policy: InstallPolicy, pkg: { name: string; version: string }): ScriptVerdict {
  const matching = matches(policy, ["allowScripts"], pkg);
  const deny = matching.find((entry) => !entry.allow);
  const allow = matching.find((entry) => entry.allow);
  const major = policy.major;
  if (major !== undefined && major < 12) {
    return { run: "runs", explanation: `will run: npm ${major} runs every dependency's install scripts${major >= 11 ? " (allowScripts only warns before npm 12)" : ""}` };
  }
  if (deny) return npmBlocks(major, `${cite(deny)} denies it`, deny);
  if (allow) return { run: "runs", explanation: `will run: ${cite(allow)} allows it`, entry: allow };
  return npmBlocks(major, "no allowScripts entry in package.json covers it");
}

function pnpmVerdict(policy: InstallPolicy, pkg: { name: string; version: string }): ScriptVerdict {
  const deny = matches(policy, ["allowBuilds", "ignoredBuiltDependencies", "neverBuiltDependencies"], pkg).find((entry) => !entry.allow);
  if (deny) return { run: "blocked", explanation: `will not run: ${cite(deny)} excludes it from builds`, entry: deny };
  const allow = matches(policy, ["allowBuilds", "onlyBuiltDependencies"], pkg).find((entry) => entry.allow);
  if (allow) return { run: "runs", explanation: `will run: ${cite(allow)} allows it`, entry: allow };
  const all = policy.entries.find((entry) => entry.setting === "dangerouslyAllowAllBuilds" && entry.allow);
  if (all) return { run: "runs", explanation: `will run: ${cite(all)} lets every dependency build`, entry: all };

  const allowList = policy.entries.some((entry) => entry.allow && (entry.setting === "onlyBuiltDependencies" || entry.setting === "allowBuilds"));
  const denyList = policy.entries.some((entry) => entry.setting === "neverBuiltDependencies");
  if (denyList && !allowList) {
    return { run: "runs", explanation: "will run: neverBuiltDependencies does not list it, and every package it does not list is built" };
  }
  const file = policy.entries.find((entry) => entry.setting === "onlyBuiltDependenciesFile");
  if (file) return { run: "depends", explanation: `may run: ${cite(file)} lists the allowed packages in a file this review does not read`, entry: file };
  if (allowList || (policy.major !== undefined && policy.major >= 10)) {
    return { run: "blocked", explanation: `will not run: pnpm${policy.major !== undefined ? ` ${policy.major}` : ""} builds only approved dependencies, and neither onlyBuiltDependencies nor allowBuilds lists it` };
  }
  if (policy.major !== undefined) return { run: "runs", explanation: `will run: pnpm ${policy.major} runs every dependency's install scripts` };
  return {
    run: "depends",
    explanation: "will not run under pnpm 10 and later, which build only dependencies listed in onlyBuiltDependencies or allowBuilds, but pnpm 9 and earlier run it (the project does not pin its pnpm version)",
  };
}

function bunVerdict(policy: InstallPolicy, pkg: { name: string; version: string; source?: SourceKind }): ScriptVerdict {
  if (policy.settings.includes("trustedDependencies")) {
    const trusted = matches(policy, ["trustedDependencies"], pkg)[0];
    return trusted
      ? { run: "runs", explanation: `will run: ${cite(trusted)} trusts it`, entry: trusted }
      : { run: "blocked", explanation: "will not run: bun runs install scripts only for packages in trustedDependencies, which does not list it" };
  }
  if (BUN_DEFAULT_TRUSTED.has(pkg.name) && (pkg.source === undefined || pkg.source === "registry")) {
    return { run: "runs", explanation: "will run: it is on bun's built-in list of trusted packages, which applies while package.json has no trustedDependencies" };
  }
  return { run: "blocked", explanation: "will not run: bun runs install scripts only for trusted packages, and package.json has no trustedDependencies entry for it" };
}

function berryVerdict(policy: InstallPolicy, pkg: { name: string; version: string }): ScriptVerdict {
  const meta = matches(policy, ["dependenciesMeta"], pkg);
  const off = meta.find((entry) => !entry.allow);
  if (off) return { run: "blocked", explanation: `will not run: ${cite(off)} turns its build off`, entry: off };
  const enable = last(policy.entries.filter((entry) => entry.setting === "enableScripts"));
  if (enable && !enable.allow) {
    const on = meta.find((entry) => entry.allow);
    return on
      ? { run: "runs", explanation: `will run: ${cite(on)} enables it although ${cite(enable)} turns scripts off`, entry: on }
      : { run: "blocked", explanation: `will not run: ${cite(enable)} turns off dependencies' install scripts`, entry: enable };
  }
  return { run: "runs", explanation: "will run: yarn runs dependencies' install scripts unless .yarnrc.yml sets enableScripts: false or dependenciesMeta sets built: false" };
}

/**
 * npm 12 and later block a script no allowScripts entry allows; before npm 12 every script runs,
 * so without a pinned version the answer depends on the npm that installs.
 */
function npmBlocks(major: number | undefined, reason: string, entry?: ScriptEntry): ScriptVerdict {
  const decidingEntry = entry ? { entry } : {};
  if (major !== undefined) return { run: "blocked", explanation: `will not run: npm ${major} blocks it, as ${reason}`, ...decidingEntry };
  return {
    run: "depends",
    explanation: `will not run under npm 12 and later, as ${reason}, but npm 11 and earlier run it (the project does not pin its npm version)`,
    ...decidingEntry,
  };
}

/** The entries of `settings` that cover `pkg`. */
function matches(policy: InstallPolicy, settings: readonly ScriptSetting[], pkg: { name: string; version: string }): ScriptEntry[] {
  return policy.entries.filter((entry) => settings.includes(entry.setting) && entry.name === pkg.name && versionMatches(entry.versions, pkg.version));
}

/** Whether a version falls under an entry's version or range (`1.2.3`, `1 || 2`). */
export function versionMatches(versions: string | undefined, version: string): boolean {
  if (versions === undefined || versions === "*" || versions === "") return true;
  if (versions === version) return true;
  try {
    return semver.satisfies(version, versions, { includePrerelease: true });
  } catch {
    return false;
  }
}

/** `allowScripts "esbuild": true (package.json line 12)`. */
export function cite(entry: ScriptEntry): string {
  const where = entry.line !== undefined ? `${entry.file} line ${entry.line}` : entry.file;
  const named = entry.setting === "ignore-scripts" || entry.setting === "enableScripts" || entry.setting === "dangerouslyAllowAllBuilds" || entry.setting === "onlyBuiltDependenciesFile";
  return named ? `${entry.text} (${where})` : `${entry.setting} entry ${JSON.stringify(entry.text)} (${where})`;
}

function last<T>(list: readonly T[]): T | undefined {
  return list.at(-1);
}
