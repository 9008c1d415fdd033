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
  switch (policy.manager) {
    case "npm":
      return byEra(policy, NPM_ERAS, (era) => npmEra(policy, pkg, era));
    case "pnpm":
      return byEra(policy, PNPM_ERAS, (era) => pnpmEra(policy, pkg, era));
    case "bun":
      return bunVerdict(policy, pkg);
    case "yarn-berry":
      return byEra(policy, BERRY_ERAS, (era) => berryEra(policy, pkg, era));
    case "yarn-classic": {
      const ignore = ignoreScripts(policy);
      if (ignore) return { run: "blocked", explanation: `will not run: ${cite(ignore)} turns off every install script`, entry: ignore };
      return { run: "runs", explanation: "will run: yarn 1 runs every dependency's install scripts unless ignore-scripts is set" };
    }
  }
}

/**
 * A range of manager versions that treat install scripts alike: `from` is its first version
 * (undefined: every earlier one), `label` names it in a sentence.
 */
interface Era {
  from?: string;
  label: string;
}

/** What one era of a manager does with the package's scripts, and why. */
interface EraVerdict {
  run: ScriptRun;
  /** Completes "The script will (not) run: …". */
  reason: string;
  entry?: ScriptEntry;
}

// npm: allowScripts is read from 11.16 (npm/cli "Phase 1": denials skip, unlisted scripts run with
// a warning, strict-allow-scripts fails the install) and enforced from 12 (only approved scripts run).
const NPM_ERAS: readonly Era[] = [
  { label: "npm 11.15 and earlier" },
  { from: "11.16.0", label: "npm 11.16 to 11.x" },
  { from: "12.0.0", label: "npm 12 and later" },
];
// pnpm: 10 builds only approved dependencies; 11 reads only allowBuilds (pnpm-workspace.yaml).
const PNPM_ERAS: readonly Era[] = [
  { label: "pnpm 9 and earlier" },
  { from: "10.0.0", label: "pnpm 10" },
  { from: "11.0.0", label: "pnpm 11 and later" },
];
// yarn berry: enableScripts defaults to false from 4.14 (true before).
const BERRY_ERAS: readonly Era[] = [{ label: "yarn before 4.14" }, { from: "4.14.0", label: "yarn 4.14 and later" }];

/**
 * The verdict under the pinned version, or, when the project pins none, under every era: one
 * answer when they agree, else `depends`, naming which versions run the script and which do not.
 */
function byEra(policy: InstallPolicy, eras: readonly Era[], judge: (era: Era) => EraVerdict): ScriptVerdict {
  const tool = policy.manager === "yarn-berry" ? "yarn" : policy.manager;
  if (policy.version) {
    const era = [...eras].reverse().find((candidate) => !candidate.from || semver.gte(policy.version!, candidate.from))!;
    const verdict = judge(era);
    return finish(verdict.run, `${verdict.run === "runs" ? "will run" : "will not run"} under ${tool} ${policy.version}: ${verdict.reason}`, verdict.entry);
  }
  const verdicts = eras.map((era) => ({ era, ...judge(era) }));
  const newest = verdicts.at(-1)!;
  if (verdicts.every((verdict) => verdict.run === newest.run)) {
    const lead = newest.run === "runs" ? "will run" : newest.run === "blocked" ? "will not run" : "may run";
    return finish(newest.run, `${lead}: ${newest.reason}`, newest.entry);
  }
  // Newest first: what the project gets when it upgrades is what matters most.
  const groups = (["blocked", "runs", "depends"] as const)
    .map((run) => verdicts.filter((verdict) => verdict.run === run))
    .filter((group) => group.length > 0)
    .sort((a, b) => eras.indexOf(b.at(-1)!.era) - eras.indexOf(a.at(-1)!.era));
  const parts = groups.map((group, index) => {
    const label = spanLabel(group.map((verdict) => verdict.era), eras);
    const reason = group.at(-1)!.reason;
    const run = group[0]!.run;
    if (index === 0) return `${run === "runs" ? "will run" : run === "blocked" ? "will not run" : "may run"} under ${label}: ${reason}`;
    return `under ${label} it ${run === "runs" ? "runs" : run === "blocked" ? "does not" : "may"}: ${reason}`;
  });
  const entry = groups[0]!.at(-1)!.entry ?? groups.flat().find((verdict) => verdict.entry)?.entry;
  return finish("depends", `${parts.join("; but ")} (the project does not pin its ${tool} version)`, entry);
}

function finish(run: ScriptRun, explanation: string, entry: ScriptEntry | undefined): ScriptVerdict {
  return entry ? { run, explanation, entry } : { run, explanation };
}

/** `npm 11.16 and later` for the last two npm eras; the eras' own labels otherwise. */
function spanLabel(span: readonly Era[], eras: readonly Era[]): string {
  const first = eras.indexOf(span[0]!);
  const last = eras.indexOf(span.at(-1)!);
  const contiguous = last - first + 1 === span.length;
  if (contiguous && span.length > 1) {
    const tool = eras[0]!.label.split(" ")[0]!;
    if (last === eras.length - 1 && span[0]!.from) return `${tool} ${shortVersion(span[0]!.from)} and later`;
    if (first === 0 && eras[last + 1]?.from) return `${tool} before ${shortVersion(eras[last + 1]!.from!)}`;
  }
  return span.map((era) => era.label).join(" and ");
}

/** `11.16` for 11.16.0, `12` for 12.0.0. */
function shortVersion(version: string): string {
  return version.replace(/\.0$/, "").replace(/\.0$/, "");
}

function ignoreScripts(policy: InstallPolicy): ScriptEntry | undefined {
  const ignore = last(policy.entries.filter((entry) => entry.setting === "ignore-scripts"));
  return ignore && !ignore.allow ? ignore : undefined;
}

function npmEra(policy: InstallPolicy, pkg: { name: string; version: string }, era: Era): EraVerdict {
  const ignore = ignoreScripts(policy);
  if (ignore) return { run: "blocked", reason: `${cite(ignore)} turns off every install script`, entry: ignore };
  if (!era.from) return { run: "runs", reason: "npm runs every dependency's install scripts before 11.16, which is the first to read allowScripts" };
  const enforcing = semver.gte(era.from, "12.0.0");
  const dangerous = policy.entries.find((entry) => entry.setting === "dangerously-allow-all-scripts" && entry.allow);
  if (dangerous) return { run: "runs", reason: `${cite(dangerous)} runs every dependency's install scripts, denied ones included`, entry: dangerous };
  // The first source with entries wins: package.json allowScripts, else .npmrc allow-scripts.
  const own = policy.entries.some((entry) => entry.setting === "allowScripts" && !entry.ignored);
  const matching = matches(policy, [own ? "allowScripts" : "allow-scripts"], pkg);
  const deny = matching.find((entry) => !entry.allow);
  if (deny) return { run: "blocked", reason: `${cite(deny)} denies it`, entry: deny };
  const allow = matching.find((entry) => entry.allow);
  if (allow) return { run: "runs", reason: `${cite(allow)} allows it`, entry: allow };
  const ignored = policy.entries.find((entry) => entry.setting === "allowScripts" && entry.ignored && entry.name === pkg.name);
  const uncovered = `no allowScripts entry covers it${ignored ? ` (npm ignores ${cite(ignored)}: ${ignored.ignored})` : ""}`;
  const strict = policy.entries.find((entry) => entry.setting === "strict-allow-scripts");
  if (strict) return { run: "blocked", reason: `${cite(strict)} makes the install fail, as ${uncovered}`, entry: strict };
  if (enforcing) return { run: "blocked", reason: `npm blocks it, as ${uncovered}`, ...(ignored ? { entry: ignored } : {}) };
  return { run: "runs", reason: "no allowScripts entry covers it, and npm 11 only warns about that" };
}

function pnpmEra(policy: InstallPolicy, pkg: { name: string; version: string }, era: Era): EraVerdict {
  const modern = era.from !== undefined && semver.gte(era.from, "11.0.0");
  // pnpm 11 reads settings only from pnpm-workspace.yaml, and only allowBuilds among the build lists.
  const read = (entry: ScriptEntry) =>
    !modern ||
    (entry.file.endsWith("pnpm-workspace.yaml") && (entry.setting === "allowBuilds" || entry.setting === "dangerouslyAllowAllBuilds" || entry.setting === "ignoreScripts"));
  const entries = policy.entries.filter(read);
  const off = last(entries.filter((entry) => entry.setting === "ignoreScripts" || (!modern && entry.setting === "ignore-scripts" && !entry.allow)));
  if (off && !off.allow) return { run: "blocked", reason: `${cite(off)} turns off every install script`, entry: off };
  const scoped: InstallPolicy = { ...policy, entries };
  const all = entries.find((entry) => entry.setting === "dangerouslyAllowAllBuilds" && entry.allow);
  const allowBuildsDeny = matches(scoped, ["allowBuilds"], pkg).find((entry) => !entry.allow);
  if (modern) {
    if (allowBuildsDeny) return { run: "blocked", reason: `${cite(allowBuildsDeny)} excludes it from builds`, entry: allowBuildsDeny };
    if (all) return { run: "runs", reason: `${cite(all)} lets every dependency build`, entry: all };
    const allow = matches(scoped, ["allowBuilds"], pkg).find((entry) => entry.allow);
    if (allow) return { run: "runs", reason: `${cite(allow)} allows it`, entry: allow };
    const legacy = policy.entries.find((entry) => !read(entry) && entry.name === pkg.name && entry.allow && entry.setting !== "ignore-scripts");
    return {
      run: "blocked",
      reason: `pnpm builds only dependencies that allowBuilds in pnpm-workspace.yaml allows, and it does not list it${legacy ? ` (${cite(legacy)} is no longer read)` : ""}`,
    };
  }
  // pnpm 10 and earlier: dangerouslyAllowAllBuilds (10), then an allow list (onlyBuiltDependencies,
  // its file, allowBuilds: true in 10) builds only what it lists, then a deny list builds all else.
  if (all && era.from) return { run: "runs", reason: `${cite(all)} lets every dependency build`, entry: all };
  const allowSettings: ScriptSetting[] = era.from ? ["onlyBuiltDependencies", "allowBuilds"] : ["onlyBuiltDependencies"];
  const allowListed = entries.some((entry) => allowSettings.includes(entry.setting) || entry.setting === "onlyBuiltDependenciesFile");
  if (allowListed) {
    const allow = matches(scoped, allowSettings, pkg).find((entry) => entry.allow);
    if (allow) return { run: "runs", reason: `${cite(allow)} allows it`, entry: allow };
    const file = entries.find((entry) => entry.setting === "onlyBuiltDependenciesFile");
    if (file) return { run: "depends", reason: `${cite(file)} lists the allowed packages in a file this review does not read`, entry: file };
    return { run: "blocked", reason: "pnpm builds only the dependencies onlyBuiltDependencies (or allowBuilds) lists, and it does not list it" };
  }
  const never = matches(scoped, ["neverBuiltDependencies"], pkg)[0];
  if (never) return { run: "blocked", reason: `${cite(never)} excludes it from builds`, entry: never };
  if (entries.some((entry) => entry.setting === "neverBuiltDependencies")) {
    return { run: "runs", reason: "neverBuiltDependencies does not list it, and every package it does not list is built" };
  }
  if (era.from) return { run: "blocked", reason: "pnpm builds only approved dependencies, and neither onlyBuiltDependencies nor allowBuilds lists it" };
  return { run: "runs", reason: "pnpm runs every dependency's install scripts before pnpm 10" };
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

function berryEra(policy: InstallPolicy, pkg: { name: string; version: string }, era: Era): EraVerdict {
  const meta = matches(policy, ["dependenciesMeta"], pkg);
  const off = meta.find((entry) => !entry.allow);
  if (off) return { run: "blocked", reason: `${cite(off)} turns its build off`, entry: off };
  const on = meta.find((entry) => entry.allow);
  const enable = last(policy.entries.filter((entry) => entry.setting === "enableScripts"));
  if (enable?.allow) return { run: "runs", reason: `${cite(enable)} lets dependencies run install scripts`, entry: enable };
  if (on) return { run: "runs", reason: `${cite(on)} enables its build`, entry: on };
  if (enable) return { run: "blocked", reason: `${cite(enable)} turns off dependencies' install scripts`, entry: enable };
  if (era.from) return { run: "blocked", reason: "yarn runs dependencies' install scripts only when .yarnrc.yml sets enableScripts: true or dependenciesMeta sets built: true, and neither does" };
  return { run: "runs", reason: "yarn runs dependencies' install scripts unless .yarnrc.yml sets enableScripts: false or dependenciesMeta sets built: false" };
}

/** The entries of `settings` that cover `pkg`. */
function matches(policy: InstallPolicy, settings: readonly ScriptSetting[], pkg: { name: string; version: string }): ScriptEntry[] {
  return policy.entries.filter((entry) => !entry.ignored && settings.includes(entry.setting) && entry.name === pkg.name && versionMatches(entry.versions, pkg.version));
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
  const named = entry.name === "*" || entry.setting === "onlyBuiltDependenciesFile";
  return named ? `${entry.text} (${where})` : `${entry.setting} entry ${JSON.stringify(entry.text)} (${where})`;
}

function last<T>(list: readonly T[]): T | undefined {
  return list.at(-1);
}
