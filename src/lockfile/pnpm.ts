import YAML from "yaml";
import { asLockfileError, clip, conflictMarkersError } from "./errors.js";
import { joinFolder, normaliseFolder } from "./folders.js";
import { checkIntegrity } from "./integrity.js";
import { LineIndex, conflictMarkerLine } from "./lines.js";
import { newPackageInstance } from "./package-instance.js";
import { LockfileError, type Lockfile, type PackageInstance, type SourceKind } from "./model.js";
import { closingQuote } from "./quoted-strings.js";
import { classifyReach, markDirect, type ReachEdge, type ReachRoot } from "./reachability.js";
import { isGitHostArchive, isHttpUrl } from "./sources.js";
import { asNonEmptyString, isObject } from "./values.js";
import { splitDescriptor } from "./yarn-descriptors.js";

/*
 * pnpm-lock.yaml, lockfileVersion 5.x, 6.x and 9.x.
 *
 * - 5.x: `packages` keys `/name/1.2.3_peer@1.0.0`; importers (or, for a single project, the top
 *   level) hold `specifiers` apart from `dependencies`/`devDependencies`/`optionalDependencies`.
 * - 6.x: keys `/name@1.2.3(peer@1.0.0)`; importer dependencies are `{ specifier, version }`.
 * - 9.x: `packages` keys `name@1.2.3` hold what a package is (resolution); `snapshots` keys
 *   `name@1.2.3(peer@1.0.0)` hold each peer-resolved instance and its dependency edges.
 * Keys that are not registry versions (tarballs, git, `file:`) carry `name`/`version` fields in 5.x
 * and 6.x, and `version` in 9.x.
 *
 * What it records: direct dependencies per importer (root "." and workspaces), with dev and optional
 * sections; 5.x and 6.x mark each package `dev: true` (dev only), `dev: false` (production only) or
 * leave it out (both), and `optional: true`. 9.x dropped `dev`, so dev and optional are worked out by
 * walking the snapshots from the importers (`classifyReach`), which also reaches peers because
 * pnpm lists the resolved peers among a snapshot's dependencies.
 *
 * Peer-suffixed variants of one name@version are one package version here (one instance, dev or
 * optional only when every variant is). Aliases (`my-ms: ms@2.1.3`, `/ms@2.1.3`, `npm:ms@2.1.3`) are
 * seen where a package is referenced under another name. `link:` dependencies on folders that are
 * not importers become `link` instances (pnpm has no entry for them).
 *
 * pnpm 9+ may write two YAML documents, a small environment document (the package manager itself)
 * first and the project graph last; only the last one describes the project.
 *
 * Speed: `yaml` reads the data (failsafe schema: every scalar stays a string, so `5.10` is not 5.1;
 * duplicate keys are found by the line scan instead of the parser's quadratic check); one pass over
 * the lines of the last document finds the keys of `packages` and `importers`.
 */

const FIX = "regenerate the lockfile with `pnpm install`";

export function parsePnpmLockfile(path: string, text: string): Lockfile {
  try {
    return parsePnpm(path, text);
  } catch (error) {
    throw asLockfileError(path, error, FIX);
  }
}

type Style = "v5" | "v6" | "v9";

interface ImporterDependency {
  importer: string;
  section: "dependencies" | "devDependencies" | "optionalDependencies";
  name: string;
  specifier?: string;
  ref: string;
}

interface Variant {
  /** The packages key (5.x/6.x: with peers; 9.x: without). */
  key: string;
  instance: number;
}

function parsePnpm(path: string, text: string): Lockfile {
  // Looked for before parsing, since YAML might read around a marker (parseLockfile looks too, but
  // the parser must be right on its own).
  const conflict = conflictMarkerLine(text);
  if (conflict !== undefined) throw conflictMarkersError(path, conflict, FIX);
  const { data, start } = readLastDocument(path, text);
  const scan = scanLines(path, text, start);
  if (!isObject(data)) throw new LockfileError(path, lineAfter(text, start), `is not a YAML mapping: ${FIX}`);

  const rawVersion = data.lockfileVersion;
  const versionText = typeof rawVersion === "string" ? rawVersion.trim() : "";
  const versionMatch = /^(\d+)(?:\.(\d+))?$/.exec(versionText);
  if (!versionMatch) {
    throw new LockfileError(path, scan.topLevel.get("lockfileVersion") ?? lineAfter(text, start), `lockfileVersion is missing or not a number: ${FIX}`);
  }
  const major = Number(versionMatch[1]);
  const warnings: string[] = [];
  const style: Style = data.snapshots !== undefined || major >= 7 ? "v9" : major === 6 ? "v6" : "v5";
  if (major > 9 || major < 5 || major === 7 || major === 8) {
    warnings.push(`lockfileVersion ${versionText} is not one Tollgate knows (5.x, 6.x, 9.x); it was read as ${style === "v9" ? "9.0" : style === "v6" ? "6.0" : "5.4"}`);
  }

  const sectionLine = (name: string) => scan.topLevel.get(name) ?? lineAfter(text, start);
  const packagesData = optionalMap(path, sectionLine("packages"), data.packages, "packages");
  const snapshotsData = style === "v9" ? optionalMap(path, sectionLine("snapshots"), data.snapshots, "snapshots") : {};
  const importers = readImporters(path, data, style, scan, sectionLine);

  // Packages -> instances, one per name@version and origin.
  const packages: PackageInstance[] = [];
  const byIdentity = new Map<string, number>();
  const variantsOf: Variant[][] = [];
  const byKey = new Map<string, Variant>();
  const flagsOf: { dev: boolean; optional: boolean }[][] = [];
  for (const key of Object.keys(packagesData)) {
    const line = scan.packages.get(key) ?? sectionLine("packages");
    const entry = packagesData[key];
    if (!isObject(entry)) throw new LockfileError(path, line, `package "${clip(key)}" is not a mapping: ${FIX}`);
    const instance = toInstance(path, key, line, entry, style, warnings);
    const identity = `${instance.name}@${instance.version}\u0000${instance.source}\u0000${instance.resolved ?? ""}`;
    let index = byIdentity.get(identity);
    if (index === undefined) {
      index = packages.length;
      byIdentity.set(identity, index);
      packages.push(instance);
      variantsOf.push([]);
      flagsOf.push([]);
    }
    const variant = { key, instance: index };
    variantsOf[index]!.push(variant);
    byKey.set(key, variant);
    flagsOf[index]!.push({ dev: entry.dev === "true", optional: entry.optional === "true" });
  }

  // Graph nodes: 9.x snapshots, else the packages keys themselves.
  const nodeKeys = style === "v9" ? Object.keys(snapshotsData) : Object.keys(packagesData);
  const nodeIndex = new Map(nodeKeys.map((key, index) => [key, index]));
  const nodeData = style === "v9" ? snapshotsData : packagesData;
  const instanceOfNode = nodeKeys.map((key) => {
    if (style !== "v9") return byKey.get(key)!.instance;
    const variant = byKey.get(key) ?? byKey.get(stripPeers(key));
    if (!variant) {
      throw new LockfileError(path, scan.snapshots.get(key) ?? sectionLine("snapshots"), `snapshot "${clip(key)}" has no entry in packages: ${FIX}`);
    }
    return variant.instance;
  });
  const resolve = (name: string, ref: string): number | undefined => {
    for (const candidate of candidates(style, name, ref)) {
      const index = nodeIndex.get(candidate);
      if (index !== undefined) return index;
    }
    return undefined;
  };

  // Aliases: an instance referenced only under other names is installed under the first of them.
  const realNameUsed = new Set<number>();
  const aliasOf = new Map<number, string>();
  const noteReference = (name: string, node: number) => {
    const instance = instanceOfNode[node]!;
    if (packages[instance]!.name === name) realNameUsed.add(instance);
    else if (!aliasOf.has(instance)) aliasOf.set(instance, name);
  };

  const edges: ReachEdge[][] = nodeKeys.map((key, index) => {
    const entry = nodeData[key];
    const line = (style === "v9" ? scan.snapshots.get(key) : scan.packages.get(key)) ?? 1;
    if (!isObject(entry)) {
      if (entry === "" || entry === undefined) return [];
      throw new LockfileError(path, line, `"${clip(key)}" is not a mapping: ${FIX}`);
    }
    const list: ReachEdge[] = [];
    for (const [field, optional] of [["dependencies", false], ["optionalDependencies", true]] as const) {
      for (const [name, ref] of stringEntries(path, line, key, entry[field], field)) {
        if (ref.startsWith("link:")) continue;
        const target = resolve(name, ref);
        if (target === undefined) continue;
        noteReference(name, target);
        if (target !== index) list.push({ target, optional });
      }
    }
    return list;
  });

  // Importers: direct dependencies, roots of the walk, and links to folders outside the workspace.
  const importerFolders = new Set(importers.map((importer) => importer.folder));
  const roots: ReachRoot[] = [];
  for (const { folder, dependencies } of importers) {
    for (const dependency of dependencies) {
      const ref = dependency.ref;
      if (ref.startsWith("link:")) {
        const target = joinFolder(folder, ref.slice(5));
        if (importerFolders.has(target)) continue;
        packages.push({
          name: dependency.name,
          version: "0.0.0",
          source: "link",
          resolved: target,
          dev: dependency.section === "devDependencies",
          optional: dependency.section === "optionalDependencies",
          peer: false,
          direct: true,
          workspaces: [folder],
          line: scan.importerDependencies.get(`${folder}\u0000${dependency.section}\u0000${dependency.name}`) ?? scan.importers.get(folder) ?? sectionLine("importers"),
          key: `${dependency.name}@${ref}`,
        });
        continue;
      }
      const node = resolve(dependency.name, ref);
      if (node === undefined) {
        throw new LockfileError(
          path,
          scan.importerDependencies.get(`${folder}\u0000${dependency.section}\u0000${dependency.name}`) ?? scan.importers.get(folder) ?? sectionLine("importers"),
          `${folder === "" ? "the root project" : `importer "${folder}"`} depends on ${dependency.name} ${ref}, which has no entry in the lockfile: ${FIX}`,
        );
      }
      noteReference(dependency.name, node);
      const instance = packages[instanceOfNode[node]!]!;
      markDirect(instance, folder);
      // A URL dependency is pinned to that file even when pnpm recognised a registry tarball and
      // recorded it as a registry version (the npm parser reads it the same way).
      if (dependency.specifier !== undefined && isHttpUrl(dependency.specifier) && instance.source === "registry") {
        instance.source = "tarball";
        instance.resolved = dependency.specifier;
      }
      roots.push({
        target: node,
        dev: dependency.section === "devDependencies",
        optional: dependency.section === "optionalDependencies",
      });
    }
  }

  for (const [instance, alias] of aliasOf) if (!realNameUsed.has(instance)) packages[instance]!.alias = alias;

  if (style === "v9") {
    const reach = classifyReach(nodeKeys.length, edges, roots);
    const dev = packages.map(() => true);
    const optional = packages.map(() => true);
    const reached = packages.map(() => false);
    nodeKeys.forEach((_key, node) => {
      if (!reach.reached[node]) return;
      const instance = instanceOfNode[node]!;
      reached[instance] = true;
      dev[instance] = dev[instance]! && reach.dev[node]!;
      optional[instance] = optional[instance]! && reach.optional[node]!;
    });
    for (let i = 0; i < flagsOf.length; i++) {
      packages[i]!.dev = reached[i]! && dev[i]!;
      packages[i]!.optional = reached[i]! && optional[i]!;
    }
  } else {
    for (let i = 0; i < flagsOf.length; i++) {
      packages[i]!.dev = flagsOf[i]!.every((flags) => flags.dev);
      packages[i]!.optional = flagsOf[i]!.every((flags) => flags.optional);
    }
  }

  const workspaces = [...importerFolders].sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)));
  if (!workspaces.includes("")) workspaces.unshift("");
  return { path, format: "pnpm", formatVersion: versionText, packages, workspaces, warnings };
}

// ---------------------------------------------------------------------------------------------
// Entries

function toInstance(
  path: string,
  key: string,
  line: number,
  entry: Record<string, unknown>,
  style: Style,
  warnings: string[],
): PackageInstance {
  const parsed = parseKey(key, style);
  const name = asNonEmptyString(entry.name) ?? parsed?.name;
  if (!name) throw new LockfileError(path, line, `package "${clip(key)}" has no name: ${FIX}`);
  const registryKey = parsed !== undefined && parsed.registry;
  const version = asNonEmptyString(entry.version) ?? (registryKey ? parsed.version : undefined) ?? "0.0.0";
  const resolution = entry.resolution;
  if (!isObject(resolution)) throw new LockfileError(path, line, `package "${clip(key)}" has no resolution: ${FIX}`);
  const integrity = asNonEmptyString(resolution.integrity);
  if (integrity !== undefined) checkIntegrity(path, line, integrity, FIX);
  const { source, resolved } = sourceOf(path, line, key, resolution, registryKey, warnings);
  return newPackageInstance(name, version, source, key, line, { resolved, integrity });
}

function sourceOf(
  path: string,
  line: number,
  key: string,
  resolution: Record<string, unknown>,
  registryKey: boolean,
  warnings: string[],
): { source: SourceKind; resolved?: string } {
  const type = asNonEmptyString(resolution.type);
  if (type === "git") {
    const repo = asNonEmptyString(resolution.repo);
    const commit = asNonEmptyString(resolution.commit);
    if (!repo || !commit) throw new LockfileError(path, line, `package "${clip(key)}" has a git resolution without repo and commit: ${FIX}`);
    return { source: "git", resolved: `${repo}#${commit}` };
  }
  if (type === "directory") {
    const directory = asNonEmptyString(resolution.directory);
    if (!directory) throw new LockfileError(path, line, `package "${clip(key)}" has a directory resolution without a directory: ${FIX}`);
    return { source: "file", resolved: directory };
  }
  const tarball = asNonEmptyString(resolution.tarball);
  if (tarball !== undefined) {
    if (tarball.startsWith("file:")) return { source: "file", resolved: tarball.slice(5) };
    if (isGitHostArchive(tarball)) return { source: "git", resolved: tarball };
    // A registry version whose tarball is not at the registry's usual place (a private registry):
    // still a registry package, and the diff flags the host.
    return { source: registryKey ? "registry" : "tarball", resolved: tarball };
  }
  if (type !== undefined) {
    warnings.push(`package "${clip(key)}" has a resolution of type "${type}" that Tollgate does not know; it was read as a remote tarball`);
    return { source: "tarball" };
  }
  if (asNonEmptyString(resolution.integrity) !== undefined) return { source: "registry" };
  throw new LockfileError(path, line, `package "${clip(key)}" has a resolution with neither integrity, tarball nor git commit: ${FIX}`);
}

/** name and version from a packages/snapshots key; `registry` when the key is a registry version. */
function parseKey(key: string, style: Style): { name: string; version: string; registry: boolean } | undefined {
  if (style === "v9") {
    const split = splitDescriptor(key);
    if (!split) return undefined;
    const version = stripPeers(split.range);
    return { name: split.name, version, registry: isPlainVersion(version) };
  }
  if (!key.startsWith("/")) return undefined;
  const body = key.slice(1);
  if (style === "v6") {
    const split = splitDescriptor(body);
    if (!split) return undefined;
    const version = stripPeers(split.range);
    return { name: split.name, version, registry: isPlainVersion(version) };
  }
  const parts = body.split("/");
  const nameParts = body.startsWith("@") ? 2 : 1;
  if (parts.length !== nameParts + 1) return undefined;
  const version = parts[nameParts]!.split("_")[0]!;
  return { name: parts.slice(0, nameParts).join("/"), version, registry: isPlainVersion(version) };
}

/** `1.2.3(peer@1.0.0)(other@2.0.0)` -> `1.2.3` */
function stripPeers(ref: string): string {
  const open = ref.indexOf("(");
  return open === -1 ? ref : ref.slice(0, open);
}

function isPlainVersion(version: string): boolean {
  return version !== "" && !/[:/]/.test(version);
}

/** The keys a dependency `name: ref` may point at, most likely first. */
function candidates(style: Style, name: string, rawRef: string): string[] {
  const ref = rawRef.startsWith("npm:") ? rawRef.slice(4) : rawRef;
  switch (style) {
    case "v9":
      return [`${name}@${ref}`, ref];
    case "v6":
      return ref.startsWith("/") ? [ref] : [`/${name}@${ref}`, ref, `/${ref}`];
    case "v5":
      return ref.startsWith("/") ? [ref] : [`/${name}/${ref}`, ref, `/${ref.replace(/@(?=[^@]*$)/, "/")}`];
  }
}

function readImporters(
  path: string,
  data: Record<string, unknown>,
  style: Style,
  scan: Scan,
  sectionLine: (name: string) => number,
): { folder: string; dependencies: ImporterDependency[] }[] {
  const raw: [string, unknown][] = data.importers !== undefined
    ? Object.entries(optionalMap(path, sectionLine("importers"), data.importers, "importers"))
    : [[".", data]];
  return raw.map(([key, importer]) => {
    const folder = normaliseFolder(key);
    const line = scan.importers.get(folder) ?? sectionLine("importers");
    const dependencies: ImporterDependency[] = [];
    if (importer === "" || importer === undefined) return { folder, dependencies };
    if (!isObject(importer)) throw new LockfileError(path, line, `importer "${clip(key)}" is not a mapping: ${FIX}`);
    const specifiers = style === "v5" ? new Map(stringEntries(path, line, key, importer.specifiers, "specifiers")) : undefined;
    for (const section of ["dependencies", "devDependencies", "optionalDependencies"] as const) {
      const deps = importer[section];
      if (deps === undefined || deps === "") continue;
      if (!isObject(deps)) throw new LockfileError(path, line, `"${section}" of importer "${clip(key)}" is not a mapping: ${FIX}`);
      for (const [name, value] of Object.entries(deps)) {
        if (typeof value === "string" && specifiers) {
          dependencies.push({ importer: folder, section, name, specifier: specifiers.get(name), ref: value });
        } else if (isObject(value) && typeof value.version === "string") {
          dependencies.push({ importer: folder, section, name, specifier: asNonEmptyString(value.specifier), ref: value.version });
        } else if (typeof value === "string") {
          dependencies.push({ importer: folder, section, name, ref: value });
        } else {
          throw new LockfileError(
            path,
            scan.importerDependencies.get(`${folder}\u0000${section}\u0000${name}`) ?? line,
            `"${name}" in "${section}" of importer "${clip(key)}" has no version: ${FIX}`,
          );
        }
      }
    }
    return { folder, dependencies };
  });
}

// ---------------------------------------------------------------------------------------------
// YAML documents and lines

function readLastDocument(path: string, text: string): { data: unknown; start: number } {
  if (!/\S/.test(text.replace(/^[ \t]*#.*$/gm, ""))) throw new LockfileError(path, 1, `is empty: ${FIX}`);
  const documents = YAML.parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false });
  if (!Array.isArray(documents)) throw new LockfileError(path, 1, `holds no YAML document: ${FIX}`);
  for (const document of documents) {
    const error = document.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line ?? new LineIndex(text).lineAt(error.pos[0]);
      const reason = error.message.split(/ at line \d+|\n/)[0]!;
      const truncated = error.pos[0] >= text.trimEnd().length - 1 || /end of (?:the )?(?:input|stream|document)/i.test(reason);
      throw new LockfileError(
        path,
        line,
        truncated ? `ends in the middle of a value (the file looks truncated): ${FIX}` : `is not valid YAML (${reason}): ${FIX}`,
      );
    }
  }
  // The project graph is the last document that has content.
  for (let i = documents.length - 1; i >= 0; i--) {
    const document = documents[i]!;
    if (document.contents === null) continue;
    return { data: document.toJS({ maxAliasCount: 100 }), start: document.range[0] };
  }
  throw new LockfileError(path, 1, `holds no YAML content: ${FIX}`);
}

interface Scan {
  topLevel: Map<string, number>;
  packages: Map<string, number>;
  snapshots: Map<string, number>;
  importers: Map<string, number>;
  /** `folder \0 section \0 name` -> line */
  importerDependencies: Map<string, number>;
}

/**
 * One pass over the lines from the start of the last document: keys at column 0, package keys at 2
 * spaces under `packages:`/`snapshots:`, importer keys at 2 and their dependencies at 6.
 */
function scanLines(path: string, text: string, start: number): Scan {
  const scan: Scan = { topLevel: new Map(), packages: new Map(), snapshots: new Map(), importers: new Map(), importerDependencies: new Map() };
  let line = lineAfter(text, start) - 1;
  let section = "";
  let importer = "";
  let importerSection = "";
  for (let at = start; at < text.length; ) {
    let end = text.indexOf("\n", at);
    if (end === -1) end = text.length;
    line++;
    const lineStart = at;
    at = end + 1;
    const first = text.charCodeAt(lineStart);
    if (first === 10 || first === 13 || first === 35) continue;
    if (first !== 32) {
      const key = keyOf(text, lineStart, end);
      if (key !== undefined) {
        scan.topLevel.set(key, line);
        section = key;
      }
      continue;
    }
    let indent = 1;
    while (text.charCodeAt(lineStart + indent) === 32) indent++;
    if (indent === 2) {
      const key = keyOf(text, lineStart + 2, end);
      if (key === undefined) continue;
      if (section === "packages" || section === "snapshots") {
        const map = section === "packages" ? scan.packages : scan.snapshots;
        if (map.has(key)) throw new LockfileError(path, line, `"${clip(key)}" appears twice in ${section}: resolve the duplicate and ${FIX}`);
        map.set(key, line);
      } else if (section === "importers") {
        importer = normaliseFolder(key);
        scan.importers.set(importer, line);
      } else if (section === "dependencies" || section === "devDependencies" || section === "optionalDependencies") {
        // A 5.x single-project file keeps its dependencies at the top level.
        scan.importerDependencies.set(`\u0000${section}\u0000${key}`, line);
      }
    } else if (section === "importers" && indent === 4) {
      importerSection = keyOf(text, lineStart + 4, end) ?? "";
    } else if (section === "importers" && indent === 6) {
      const key = keyOf(text, lineStart + 6, end);
      if (key !== undefined) scan.importerDependencies.set(`${importer}\u0000${importerSection}\u0000${key}`, line);
    }
  }
  return scan;
}

/** The mapping key at `from` on a line: `'quoted'`, `"quoted"` or plain, ending at `:`. */
function keyOf(text: string, from: number, end: number): string | undefined {
  let content = text.slice(from, end);
  if (content.endsWith("\r")) content = content.slice(0, -1);
  const quote = content[0];
  if (quote === "'") {
    let i = 1;
    for (; i < content.length; i++) {
      if (content[i] === "'") {
        if (content[i + 1] === "'") i++;
        else break;
      }
    }
    if (i >= content.length || content[i + 1] !== ":") return undefined;
    return content.slice(1, i).replace(/''/g, "'");
  }
  if (quote === '"') {
    const close = closingQuote(content, 0);
    if (close === -1 || content[close + 1] !== ":") return undefined;
    try {
      return JSON.parse(content.slice(0, close + 1)) as string;
    } catch {
      return undefined;
    }
  }
  if (quote === "-" && (content[1] === " " || content.length === 1)) return undefined;
  const trimmed = content.trimEnd();
  if (trimmed.endsWith(":")) return trimmed.slice(0, -1);
  const separator = trimmed.indexOf(": ");
  return separator > 0 ? trimmed.slice(0, separator) : undefined;
}

function lineAfter(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf("\n"); at !== -1 && at < offset; at = text.indexOf("\n", at + 1)) line++;
  return line;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function optionalMap(path: string, line: number, value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === "") return {};
  if (!isObject(value)) throw new LockfileError(path, line, `"${what}" is not a mapping: ${FIX}`);
  return value;
}

function stringEntries(path: string, line: number, key: string, value: unknown, field: string): [string, string][] {
  if (value === undefined || value === "") return [];
  if (!isObject(value)) throw new LockfileError(path, line, `"${field}" of "${clip(key)}" is not a mapping: ${FIX}`);
  const entries = Object.entries(value);
  for (const [name, ref] of entries) {
    if (typeof ref !== "string") {
      throw new LockfileError(path, line, `"${field}" of "${clip(key)}" gives "${name}" a value that is not a string: ${FIX}`);
    }
  }
  return entries as [string, string][];
}
