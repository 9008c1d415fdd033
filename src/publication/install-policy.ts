/**
 * The project's own install-script policy, read from its files: which dependencies the package
 * manager lets run install scripts. Every entry keeps its file and line, so an alert about an
 * approval can sit on the line that grants it.
 *
 * - npm: package.json `allowScripts` (`"pkg": true`, `"pkg@1.2.3": true`, `"pkg": false`; false
 *   wins; only true and false count, and only a bare name or exact versions joined by `||`: npm
 *   ignores ranges and tags), else `.npmrc` `allow-scripts=a,b`; `.npmrc` `ignore-scripts`,
 *   `strict-allow-scripts`, `dangerously-allow-all-scripts`. Read from npm 11.16 (denials skip,
 *   unlisted scripts run with a warning, or fail the install when strict); enforced from npm 12.
 * - pnpm: `allowBuilds`, `onlyBuiltDependencies`, `ignoredBuiltDependencies`,
 *   `neverBuiltDependencies`, `dangerouslyAllowAllBuilds`, `onlyBuiltDependenciesFile`, in
 *   pnpm-workspace.yaml or package.json `pnpm`, and `ignoreScripts` in pnpm-workspace.yaml;
 *   dependency builds are blocked by default from pnpm 10; pnpm 11 reads only `allowBuilds`,
 *   `dangerouslyAllowAllBuilds` and `ignoreScripts`, and only from pnpm-workspace.yaml.
 * - bun: package.json `trustedDependencies`, which replaces bun's built-in list of trusted packages.
 * - yarn berry: `.yarnrc.yml` `enableScripts` (default true) and package.json
 *   `dependenciesMeta.<pkg>.built`, which also re-enables a package when enableScripts is false.
 * - yarn classic: runs every script unless `.npmrc` says `ignore-scripts=true`.
 */

import { findNodeAtLocation, parseTree, type Node, type ParseError } from "jsonc-parser";
import semver from "semver";
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { LockfileFormat } from "../lockfile/model.js";
import { LineIndex } from "../lockfile/lines.js";
import { isRecord } from "./values.js";

/** A project file as the review reads it. */
export interface ProjectFile {
  path: string;
  text: string;
}

/** The files that hold a project's install-script settings, those it has. */
export interface ProjectSettingsFiles {
  /** The root package.json (allowScripts, pnpm, trustedDependencies, dependenciesMeta, packageManager). */
  packageJson?: ProjectFile;
  /** pnpm-workspace.yaml. */
  pnpmWorkspace?: ProjectFile;
  /** .yarnrc.yml (yarn berry). */
  yarnrc?: ProjectFile;
  /** .npmrc (ignore-scripts). */
  npmrc?: ProjectFile;
}

/** The package managers whose lockfiles Tollgate reads (the lockfile format names its manager). */
export type PackageManager = "npm" | "pnpm" | "yarn-classic" | "yarn-berry" | "bun";

/** The setting an entry comes from, as its file names it. */
export type ScriptSetting =
  | "allowScripts"
  | "allowBuilds"
  | "onlyBuiltDependencies"
  | "ignoredBuiltDependencies"
  | "neverBuiltDependencies"
  | "dangerouslyAllowAllBuilds"
  | "onlyBuiltDependenciesFile"
  | "trustedDependencies"
  | "dependenciesMeta"
  | "enableScripts"
  | "ignore-scripts"
  | "ignoreScripts"
  | "allow-scripts"
  | "strict-allow-scripts"
  | "dangerously-allow-all-scripts";

/** One entry of the policy: a package (or every package) allowed or denied install scripts. */
export interface ScriptEntry {
  setting: ScriptSetting;
  /** The entry as written, for messages: `esbuild`, `sharp@0.33.5`, `enableScripts: false`. */
  text: string;
  /** The package it names, or `*` for a setting that covers every package. */
  name: string;
  /** The version or range it is limited to; undefined for every version. */
  versions?: string;
  allow: boolean;
  file: string;
  /** 1-based line of the entry in `file`, when known. */
  line?: number;
  /** Why the package manager ignores the entry as written (npm: a range, a tag, a value that is not a boolean). */
  ignored?: string;
}

/** What a project's files say about dependency install scripts. */
export interface InstallPolicy {
  manager: PackageManager;
  /** The manager's major version: pinned by `packageManager` / `devEngines`, else undefined. */
  major?: number;
  /** The manager's version as pinned (the lowest a range allows), else undefined. */
  version?: string;
  entries: ScriptEntry[];
  /** The settings the files have, even empty ones (an empty trustedDependencies still replaces bun's list). */
  settings: ScriptSetting[];
  /** Files that could not be read, said in the review rather than dropped. */
  warnings: string[];
}

/** The package manager that writes a lockfile format. */
export function managerOf(format: LockfileFormat): PackageManager {
  return format;
}

/** Reads the install-script policy of a project whose lockfile has `format`. */
export function readInstallPolicy(format: LockfileFormat, files: ProjectSettingsFiles): InstallPolicy {
  const manager = managerOf(format);
  const warnings: string[] = [];
  const entries: ScriptEntry[] = [];
  const pkg = files.packageJson ? readJson(files.packageJson, warnings) : undefined;
  const workspace = files.pnpmWorkspace ? readYaml(files.pnpmWorkspace, warnings) : undefined;
  const yarnrc = files.yarnrc ? readYaml(files.yarnrc, warnings) : undefined;

  if (pkg) {
    entries.push(...allowScriptsEntries(pkg));
    for (const setting of PNPM_SETTINGS) entries.push(...pnpmEntries(pkg, ["pnpm", setting], setting));
    entries.push(...listEntries(pkg, ["trustedDependencies"], "trustedDependencies", true));
    entries.push(...builtEntries(pkg));
  }
  if (workspace) {
    for (const setting of PNPM_SETTINGS) entries.push(...pnpmEntries(workspace, [setting], setting));
    if (workspace.data.ignoreScripts === true) {
      entries.push({ setting: "ignoreScripts", text: "ignoreScripts: true", name: "*", allow: false, file: workspace.path, line: workspace.lineOf(["ignoreScripts"]) });
    }
  }
  if (yarnrc) {
    const value = yarnrc.data.enableScripts;
    const enabled = value === true || value === "true" ? true : value === false || value === "false" ? false : undefined;
    if (enabled !== undefined) {
      entries.push({ setting: "enableScripts", text: `enableScripts: ${enabled}`, name: "*", allow: enabled, file: yarnrc.path, line: yarnrc.lineOf(["enableScripts"]) });
    }
  }
  if (files.npmrc) entries.push(...npmrcEntries(files.npmrc));

  const settings = new Set<ScriptSetting>(entries.map((entry) => entry.setting));
  if (Array.isArray(pkg?.data.trustedDependencies)) settings.add("trustedDependencies");
  for (const entry of entries) if (entry.ignored) warnings.push(`${entry.file}: ${entry.setting} entry ${JSON.stringify(entry.text)} is ignored: ${entry.ignored}`);
  const version = pinnedVersion(manager, pkg?.data);
  return { manager, ...(version ? { major: semver.major(version), version } : {}), entries, settings: [...settings], warnings };
}

const PNPM_SETTINGS = [
  "allowBuilds",
  "onlyBuiltDependencies",
  "ignoredBuiltDependencies",
  "neverBuiltDependencies",
  "dangerouslyAllowAllBuilds",
  "onlyBuiltDependenciesFile",
] as const;

/** A parsed settings file with the line of any value in it. */
interface SettingsFile {
  path: string;
  data: Record<string, unknown>;
  lineOf(path: readonly (string | number)[]): number | undefined;
}

function readJson(file: ProjectFile, warnings: string[]): SettingsFile | undefined {
  const errors: ParseError[] = [];
  const tree = parseTree(file.text, errors, { allowTrailingComma: false, disallowComments: true });
  if (errors.length > 0 || !tree || tree.type !== "object") {
    warnings.push(`${file.path} is not valid JSON; its install-script settings were not read`);
    return undefined;
  }
  const lines = new LineIndex(file.text);
  return {
    path: file.path,
    data: JSON.parse(file.text) as Record<string, unknown>,
    lineOf(path) {
      const node: Node | undefined = findNodeAtLocation(tree, [...path]);
      // A property's line is its key's, which is where a reader looks.
      const at = node?.parent?.type === "property" ? node.parent : node;
      return at ? lines.lineAt(at.offset) : undefined;
    },
  };
}

function readYaml(file: ProjectFile, warnings: string[]): SettingsFile | undefined {
  const counter = new LineCounter();
  const doc = parseDocument(file.text, { lineCounter: counter });
  let data: unknown;
  try {
    data = doc.errors.length === 0 ? doc.toJS() : undefined;
  } catch {
    data = undefined;
  }
  if (doc.errors.length > 0 || (data !== undefined && data !== null && !isRecord(data))) {
    warnings.push(`${file.path} is not valid YAML; its install-script settings were not read`);
    return undefined;
  }
  return {
    path: file.path,
    data: isRecord(data) ? data : {},
    lineOf(path) {
      const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
      const last = path.at(-1);
      let offset: number | undefined;
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === last);
        offset = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      } else if (isSeq(parent) && typeof last === "number") {
        const item = parent.items[last];
        offset = isScalar(item) || isMap(item) || isSeq(item) ? item.range?.[0] : undefined;
      }
      return offset === undefined ? undefined : counter.linePos(offset).line;
    },
  };
}

/** `"pkg": true`, `"pkg@1.2.3": false` (pnpm allowBuilds): only booleans allow or deny. */
function mapEntries(file: SettingsFile, path: string[], setting: ScriptSetting): ScriptEntry[] {
  const map = getIn(file.data, path);
  if (!isRecord(map)) return [];
  return Object.entries(map).flatMap(([key, value]): ScriptEntry[] => {
    if (typeof value !== "boolean") return [];
    const { name, versions } = splitSpec(key);
    return [{ setting, text: `${key}: ${value}`, name, ...(versions ? { versions } : {}), allow: value, file: file.path, line: file.lineOf([...path, key]) }];
  });
}

/**
 * npm's `allowScripts`, as npm 11.16 and later read it: a value is `true` or `false` (anything
 * else allows nothing: the string ranges of the older allow-scripts tool are not npm's), and a key
 * is a bare name, `name@*` or exact versions joined by `||` (npm ignores ranges and dist-tags,
 * with a warning). Ignored entries are kept, marked, so a verdict can say why they do not count.
 */
function allowScriptsEntries(file: SettingsFile): ScriptEntry[] {
  const map = getIn(file.data, ["allowScripts"]);
  if (!isRecord(map)) return [];
  return Object.entries(map).flatMap(([key, value]): ScriptEntry[] => {
    const { name, versions } = splitSpec(key);
    const ignored =
      typeof value !== "boolean"
        ? `its value is not true or false`
        : versions !== undefined && versions !== "*" && !exactVersions(versions)
          ? semver.validRange(versions) !== null
            ? "a range, where only exact versions joined by \"||\" count"
            : "a dist-tag or spec that names no exact version"
          : undefined;
    return [
      {
        setting: "allowScripts",
        text: `${key}: ${JSON.stringify(value)}`,
        name,
        ...(versions && versions !== "*" ? { versions } : {}),
        allow: value === true,
        file: file.path,
        line: file.lineOf(["allowScripts", key]),
        ...(ignored ? { ignored } : {}),
      },
    ];
  });
}

/** `1.2.3` or `1.2.3 || 1.2.4`: the only version specs npm's allowScripts matches. */
function exactVersions(spec: string): boolean {
  const parts = spec.split("||").map((part) => part.trim());
  return parts.length > 0 && parts.every((part) => part !== "" && semver.valid(part) !== null);
}

/** `["esbuild", "sharp@0.33.5"]`: allow lists and deny lists. */
function listEntries(file: SettingsFile, path: string[], setting: ScriptSetting, allow: boolean): ScriptEntry[] {
  const list = getIn(file.data, path);
  if (!Array.isArray(list)) return [];
  return list.flatMap((value, index): ScriptEntry[] => {
    if (typeof value !== "string") return [];
    const { name, versions } = splitSpec(value);
    return [{ setting, text: value, name, ...(versions ? { versions } : {}), allow, file: file.path, line: file.lineOf([...path, index]) }];
  });
}

function pnpmEntries(file: SettingsFile, path: string[], setting: (typeof PNPM_SETTINGS)[number]): ScriptEntry[] {
  switch (setting) {
    case "allowBuilds":
      return mapEntries(file, path, setting);
    case "onlyBuiltDependencies":
      return listEntries(file, path, setting, true);
    case "ignoredBuiltDependencies":
    case "neverBuiltDependencies":
      return listEntries(file, path, setting, false);
    case "dangerouslyAllowAllBuilds":
      return getIn(file.data, path) === true
        ? [{ setting, text: "dangerouslyAllowAllBuilds: true", name: "*", allow: true, file: file.path, line: file.lineOf(path) }]
        : [];
    case "onlyBuiltDependenciesFile": {
      const value = getIn(file.data, path);
      // The list lives in another file the review does not read: an allowance it cannot resolve.
      return typeof value === "string"
        ? [{ setting, text: `onlyBuiltDependenciesFile: ${value}`, name: "?", allow: true, file: file.path, line: file.lineOf(path) }]
        : [];
    }
  }
}

/** yarn berry `dependenciesMeta: { "pkg": { built: false } }`; npm and pnpm use the field for other things. */
function builtEntries(file: SettingsFile): ScriptEntry[] {
  const meta = file.data.dependenciesMeta;
  if (!isRecord(meta)) return [];
  return Object.entries(meta).flatMap(([key, value]): ScriptEntry[] => {
    if (!isRecord(value) || typeof value.built !== "boolean") return [];
    const { name, versions } = splitSpec(key);
    return [
      {
        setting: "dependenciesMeta",
        text: `${key}: { built: ${value.built} }`,
        name,
        ...(versions ? { versions } : {}),
        allow: value.built,
        file: file.path,
        line: file.lineOf(["dependenciesMeta", key, "built"]) ?? file.lineOf(["dependenciesMeta", key]),
      },
    ];
  });
}

/**
 * `.npmrc`: `ignore-scripts`, and npm's `strict-allow-scripts`, `dangerously-allow-all-scripts`
 * (both `*` entries: a deny and an allow of every package) and `allow-scripts=a,b` (one allowing
 * entry per name, which npm reads only when package.json has no allowScripts).
 */
function npmrcEntries(file: ProjectFile): ScriptEntry[] {
  const entries: ScriptEntry[] = [];
  file.text.split(/\r?\n/).forEach((raw, index) => {
    const match = /^\s*(ignore-scripts|strict-allow-scripts|dangerously-allow-all-scripts|allow-scripts)\s*=\s*(.*?)\s*$/i.exec(raw);
    if (!match) return;
    const key = match[1]!.toLowerCase() as "ignore-scripts" | "strict-allow-scripts" | "dangerously-allow-all-scripts" | "allow-scripts";
    const value = match[2]!.replace(/^["']|["']$/g, "");
    const line = index + 1;
    if (key === "allow-scripts") {
      for (const spec of value.split(/[\s,]+/).filter((part) => part !== "")) {
        const { name, versions } = splitSpec(spec);
        entries.push({ setting: key, text: spec, name, ...(versions && versions !== "*" ? { versions } : {}), allow: true, file: file.path, line });
      }
      return;
    }
    const flag = value.toLowerCase();
    if (flag !== "true" && flag !== "false") return;
    if (key === "ignore-scripts") entries.push({ setting: key, text: `ignore-scripts=${flag}`, name: "*", allow: flag === "false", file: file.path, line });
    // Only the value that changes anything is an entry: strict=true denies what nothing allows, dangerously=true allows all.
    else if (flag === "true") entries.push({ setting: key, text: `${key}=true`, name: "*", allow: key === "dangerously-allow-all-scripts", file: file.path, line });
  });
  return entries;
}

/** `@scope/pkg@1.2.3` → name `@scope/pkg`, versions `1.2.3`; `pkg` → name only. */
export function splitSpec(spec: string): { name: string; versions?: string } {
  const at = spec.indexOf("@", spec.startsWith("@") ? 1 : 0);
  if (at <= 0) return { name: spec.trim() };
  const versions = spec.slice(at + 1).trim();
  return versions ? { name: spec.slice(0, at).trim(), versions } : { name: spec.slice(0, at).trim() };
}

/** The version the project pins for its manager, from `packageManager` or `devEngines.packageManager` (the lowest a range allows). */
function pinnedVersion(manager: PackageManager, data: Record<string, unknown> | undefined): string | undefined {
  if (!data) return undefined;
  const tool = manager === "yarn-berry" || manager === "yarn-classic" ? "yarn" : manager;
  if (typeof data.packageManager === "string") {
    const { name, versions } = splitSpec(data.packageManager);
    if (name === tool && versions) return lowestOf(versions.split("+")[0]!);
  }
  const engines = isRecord(data.devEngines) ? data.devEngines.packageManager : undefined;
  for (const entry of Array.isArray(engines) ? engines : [engines]) {
    if (isRecord(entry) && entry.name === tool && typeof entry.version === "string") return lowestOf(entry.version);
  }
  return undefined;
}

function lowestOf(versionOrRange: string): string | undefined {
  const exact = semver.valid(versionOrRange);
  if (exact) return exact;
  try {
    return semver.minVersion(versionOrRange)?.version;
  } catch {
    return undefined;
  }
}

function getIn(data: Record<string, unknown>, path: readonly string[]): unknown {
  let value: unknown = data;
  for (const key of path) {
    if (!isRecord(value)) return undefined;
    value = value[key];
  }
  return value;
}
