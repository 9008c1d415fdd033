import { parseSyml } from "@yarnpkg/parsers";
import YAML from "yaml";
import type { ParseContext } from "./context.js";
import { asLockfileError, clip, conflictMarkersError, describe } from "./errors.js";
import { joinFolder, normaliseFolder } from "./folders.js";
import { LineIndex, conflictMarkerLine } from "./lines.js";
import type { Manifest } from "./manifest.js";
import { LockfileError, type Lockfile, type PackageInstance, type SourceKind } from "./model.js";
import { newPackageInstance } from "./package-instance.js";
import { closingQuote } from "./quoted-strings.js";
import { classifyReach, markDirect, type ReachEdge, type ReachRoot } from "./reachability.js";
import { isGitHostArchive, isGitUrl, isHttpUrl } from "./sources.js";
import { isObject } from "./values.js";
import { splitDescriptor } from "./yarn-descriptors.js";

/*
 * yarn 2+ (berry) `yarn.lock`: YAML with `__metadata` (lockfile version, cache key) and one entry per
 * resolved package, keyed by the descriptors it satisfies, with `resolution` (the locator
 * `name@protocol:reference`), `version`, `checksum`, `dependencies`, `peerDependencies`,
 * `dependenciesMeta` (optional), `languageName` and `linkType`.
 *
 * What it records: workspaces are entries (`name@workspace:path`) whose `dependencies` are the
 * workspace's direct dependencies, so direct is known; but dev and production dependencies are listed
 * together, so dev-only needs the manifests in the context, then a walk of the graph
 * (`classifyReach`). Peer dependencies are resolved by the dependent's parent, so a walk through a
 * package also reaches what its parent provides for the package's peers (that is how npm and pnpm
 * see them too). Aliases: the key descriptor `my-ms@npm:ms@2.1.3` resolves to `ms@npm:2.1.3`.
 *
 * Patches (`name@patch:name@npm%3A1.2.3#<patch>::version=1.2.3&hash=…`) are kept as the package they
 * patch (name@1.2.3 from the registry, so a yarn upgrade that rewrites a builtin patch's locator is
 * not a version change); the patch is marked by `resolved`, which holds the `patch:` reference (a
 * registry package has no other `resolved` in berry), and shows in `key`. yarn keeps the unpatched
 * entry too; both stay, reached through the same descriptor.
 *
 * Integrity is `berry:<cacheKey>/<sha512 hex>`: the checksum is of yarn's cache archive, whose bytes
 * depend on the cache key, so the same content under the same key compares equal and different keys
 * never compare. Lockfiles from yarn 4.1 on prefix checksums with their cache key (`10/…`, `10c0/…`);
 * older ones use `__metadata.cacheKey`.
 *
 * Speed: @yarnpkg/parsers (js-yaml, failsafe schema) reads the data; one pass over the lines finds
 * the keys at column 0, which is where yarn writes them.
 */

const FIX = "regenerate the lockfile with `yarn install`";
const NEWEST_KNOWN = 10;
const OLDEST_KNOWN = 4;

export function parseYarnBerryLockfile(path: string, text: string, context: ParseContext = {}): Lockfile {
  try {
    return parseBerry(path, text, context);
  } catch (error) {
    throw asLockfileError(path, error, FIX);
  }
}

type Located =
  | { kind: "workspace"; name: string; folder: string }
  | { kind: "package"; name: string; source: SourceKind; resolved?: string };

interface Node {
  key: string;
  line: number;
  entry: Record<string, unknown>;
  located: Located;
  dependencies: Record<string, unknown> | undefined;
  peers: Record<string, unknown> | undefined;
  /** Resolved dependencies, filled once the descriptors are known. */
  children: Child[];
  /** Index into `packages`, or -1 for a workspace. */
  instance: number;
  /** The last entry of the file, the one a truncation cuts. */
  last: boolean;
}

interface Child {
  target: number;
  optional: boolean;
  name: string;
}

function parseBerry(path: string, text: string, context: ParseContext): Lockfile {
  // Looked for before parsing, since YAML might read around a marker (parseLockfile looks too, but
  // the parser must be right on its own).
  const conflict = conflictMarkerLine(text);
  if (conflict !== undefined) throw conflictMarkersError(path, conflict, FIX);
  if (isBlank(text)) throw new LockfileError(path, 1, `is empty: ${FIX}`);

  let data: Record<string, unknown>;
  try {
    data = parseSyml(text) as Record<string, unknown>;
  } catch (error) {
    throw syntaxError(path, text, error);
  }
  const lines = scanTopLevelKeys(text);
  const metadata = data.__metadata;
  if (!isObject(metadata)) {
    throw new LockfileError(
      path,
      lines.get("__metadata") ?? 1,
      `has no __metadata section, so it is not a yarn 2+ lockfile (a yarn 1 lockfile starts with "# yarn lockfile v1"): ${FIX}`,
    );
  }
  const versionText = typeof metadata.version === "string" ? metadata.version.trim() : "";
  if (!/^\d+$/.test(versionText)) {
    throw new LockfileError(path, lines.get("__metadata"), `__metadata.version is missing or not a number: ${FIX}`);
  }
  const version = Number(versionText);
  const warnings: string[] = [];
  if (version > NEWEST_KNOWN) {
    warnings.push(
      `lockfile __metadata.version ${version} is newer than Tollgate knows (${OLDEST_KNOWN} to ${NEWEST_KNOWN}); it was read as version ${NEWEST_KNOWN}`,
    );
  } else if (version < OLDEST_KNOWN) {
    warnings.push(
      `lockfile __metadata.version ${version} is older than Tollgate knows (${OLDEST_KNOWN} to ${NEWEST_KNOWN}); it was read as version ${OLDEST_KNOWN}`,
    );
  }
  const cacheKey = typeof metadata.cacheKey === "string" && metadata.cacheKey.trim() !== "" ? metadata.cacheKey.trim() : undefined;

  const keys = Object.keys(data).filter((key) => key !== "__metadata");
  const lineOf = keys.every((key) => lines.has(key)) ? lines : slowKeyLines(text, lines);

  const nodes: Node[] = [];
  const packages: PackageInstance[] = [];
  const workspaces = new Set<string>();
  for (const key of keys) {
    const line = lineOf.get(key) ?? 1;
    const entry = data[key];
    if (!isObject(entry)) throw new LockfileError(path, line, `entry "${clip(key)}" is not a mapping: ${FIX}`);
    const resolution = entry.resolution;
    if (typeof resolution !== "string" || resolution === "") {
      throw new LockfileError(path, line, `entry "${clip(key)}" has no resolution: ${FIX}`);
    }
    const entryVersion = entry.version;
    if (typeof entryVersion !== "string" || entryVersion === "") {
      throw new LockfileError(path, line, `entry "${clip(key)}" has no version: ${FIX}`);
    }
    const located = locate(resolution, warnings);
    if (!located) {
      throw new LockfileError(path, line, `entry "${clip(key)}" has a resolution "${clip(resolution)}" that is not name@reference: ${FIX}`);
    }
    const node: Node = {
      key,
      line,
      entry,
      located,
      dependencies: mapping(path, line, key, entry.dependencies, "dependencies"),
      peers: mapping(path, line, key, entry.peerDependencies, "peerDependencies"),
      children: [],
      instance: -1,
      last: key === keys.at(-1),
    };
    nodes.push(node);
    if (located.kind === "workspace") {
      workspaces.add(located.folder);
      continue;
    }
    node.instance = packages.length;
    packages.push(toInstance(path, node, located, entryVersion, cacheKey, version));
  }

  // Descriptors -> nodes. A patch entry also answers for the descriptor it patches: yarn swaps in
  // builtin patches (typescript, fsevents, resolve) behind a plain `npm:` descriptor.
  const byDescriptor = new Map<string, number[]>();
  const patches: [string, number][] = [];
  const byName = new Map<string, number[]>();
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index]!;
    for (const descriptor of node.key.split(", ")) {
      const list = byDescriptor.get(descriptor);
      if (!list) byDescriptor.set(descriptor, [index]);
      else list.push(index);
      if (descriptor.includes("@patch:")) {
        const patched = patchedDescriptor(descriptor);
        if (patched) patches.push([patched, index]);
      }
    }
    const named = byName.get(node.located.name);
    if (!named) byName.set(node.located.name, [index]);
    else named.push(index);
  }
  for (const [descriptor, index] of patches) {
    const list = byDescriptor.get(descriptor);
    if (!list) byDescriptor.set(descriptor, [index]);
    else if (!list.includes(index)) list.push(index);
  }
  const overrides = resolutionOverrides(context.manifests?.get(""));
  // Lockfiles before version 8 leave out the `npm:` of dependency ranges that their keys carry.
  const find = (name: string, range: string): number[] | undefined =>
    hasProtocol(range)
      ? byDescriptor.get(`${name}@${range}`)
      : (byDescriptor.get(`${name}@npm:${range}`) ?? byDescriptor.get(`${name}@${range}`));
  // The root's `resolutions` replace a descriptor before it is resolved, and the lockfile keeps only
  // the replacement (`canvas: ^2.11.2` in a dependency list, `canvas@automattic/node-canvas#…` as the
  // key); failing that, a name with a single entry can only mean that entry.
  const lookup = (name: string, range: string): number[] => {
    const found = find(name, range);
    if (found) return found;
    for (const override of overrides.get(name) ?? []) {
      const replaced = find(name, override);
      if (replaced) return replaced;
    }
    const only = byName.get(name);
    return only && only.length === 1 ? only : NONE;
  };

  for (const node of nodes) {
    if (!node.dependencies) continue;
    const optionalNames = metaOptional(node.entry.dependenciesMeta);
    for (const name in node.dependencies) {
      const range = node.dependencies[name];
      if (typeof range !== "string") {
        throw new LockfileError(path, node.line, `"dependencies" of "${clip(node.key)}" gives "${name}" a value that is not a string: ${FIX}`);
      }
      const optional = optionalNames !== undefined && optionalNames.has(name);
      for (const target of lookup(name, range)) node.children.push({ target, optional, name });
    }
  }

  // Edges between packages; workspaces are not walked through (their own dependencies are roots).
  const isPackage = (index: number) => nodes[index]!.instance !== -1;
  /** What `parent` provides for the peers of its child. */
  const peerTargets = (parent: Node, child: Node, optional: boolean, into: ReachEdge[]) => {
    if (!child.peers || !parent.dependencies) return;
    let peerOptional: Set<string> | undefined | null = null;
    for (const peer in child.peers) {
      const range = parent.dependencies[peer];
      if (typeof range !== "string") continue;
      peerOptional ??= metaOptional(child.entry.peerDependenciesMeta);
      const edgeOptional = optional || (peerOptional !== undefined && peerOptional.has(peer));
      for (const target of lookup(peer, range)) if (isPackage(target)) into.push({ target, optional: edgeOptional });
    }
  };
  const edges: ReachEdge[][] = [];
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index]!;
    const list: ReachEdge[] = [];
    edges.push(list);
    if (node.instance === -1) continue;
    for (const child of node.children) {
      if (!isPackage(child.target)) continue;
      list.push(child);
      peerTargets(node, nodes[child.target]!, child.optional, list);
    }
  }

  const manifests = context.manifests;
  const roots: ReachRoot[] = [];
  for (const node of nodes) {
    if (node.located.kind !== "workspace") continue;
    const folder = node.located.folder;
    const declared = sectionsByName(manifests?.get(folder));
    for (const child of node.children) {
      if (!isPackage(child.target)) continue;
      markDirect(packages[nodes[child.target]!.instance]!, folder);
      const sections = declared.get(child.name) ?? [];
      const dev =
        sections.includes("devDependencies") && !sections.includes("dependencies") && !sections.includes("optionalDependencies");
      const optional =
        child.optional || (sections.includes("optionalDependencies") && !sections.includes("dependencies") && !dev);
      roots.push({ target: child.target, dev, optional });
      const provided: ReachEdge[] = [];
      peerTargets(node, nodes[child.target]!, optional, provided);
      for (const peer of provided) roots.push({ target: peer.target, optional: peer.optional, dev });
    }
  }
  if (!manifests || manifests.size === 0) {
    warnings.push(
      "yarn.lock lists dev and production dependencies together and no package.json was given, so every package is reported as a production dependency",
    );
  }
  const reach = classifyReach(nodes.length, edges, roots);
  for (let index = 0; index < nodes.length; index++) {
    const instance = packages[nodes[index]!.instance];
    if (!instance) continue;
    instance.dev = reach.dev[index]!;
    instance.optional = reach.optional[index]!;
  }

  workspaces.add("");
  const folders = [...workspaces].sort((a, b) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b)));
  return { path, format: "yarn-berry", formatVersion: String(version), packages, workspaces: folders, warnings };
}

function toInstance(
  path: string,
  node: Node,
  located: Extract<Located, { kind: "package" }>,
  version: string,
  cacheKey: string | undefined,
  lockfileVersion: number,
): PackageInstance {
  const checksum = node.entry.checksum;
  let integrity: string | undefined;
  if (typeof checksum === "string" && checksum !== "") {
    const slash = checksum.lastIndexOf("/");
    const hash = checksum.slice(slash + 1);
    // A sha512 in hex; a shorter one is the usual sign of a file cut short.
    if (hash.length !== 128 || (node.last && !/^[0-9a-fA-F]+$/.test(hash))) {
      throw new LockfileError(path, node.line, `the checksum of "${clip(node.key)}" is malformed (the file may be truncated or hand-edited): ${FIX}`);
    }
    // Without a cache key of its own or in __metadata the checksum is only comparable within the same
    // lockfile version.
    const key = slash !== -1 ? checksum.slice(0, slash) : (cacheKey ?? `unknown-v${lockfileVersion}`);
    integrity = `berry:${key}/${hash.toLowerCase()}`;
  } else if (checksum !== undefined && typeof checksum !== "string") {
    throw new LockfileError(path, node.line, `the checksum of "${clip(node.key)}" is not a string: ${FIX}`);
  }
  // Installed under another name only when no descriptor uses the real one.
  let alias: string | undefined;
  if (!node.key.startsWith(`${located.name}@`)) {
    const names = node.key.split(", ").map((descriptor) => splitDescriptor(descriptor)?.name);
    if (names.every((name) => name !== located.name)) alias = names[0];
  }
  // `0.0.0-use.local` is yarn's placeholder for "no version" on links and portals.
  const realVersion = located.source !== "registry" && version === "0.0.0-use.local" ? "0.0.0" : version;
  return newPackageInstance(located.name, realVersion, located.source, node.key, node.line, {
    resolved: located.resolved,
    integrity,
    alias,
  });
}

/** Reads a resolution locator: where the package comes from. */
function locate(locator: string, warnings: string[]): Located | undefined {
  const split = splitDescriptor(locator);
  if (!split || split.range === "") return undefined;
  const { name, range: reference } = split;
  if (reference.startsWith("workspace:")) {
    return { kind: "workspace", name, folder: normaliseFolder(reference.slice("workspace:".length)) };
  }
  if (reference.startsWith("patch:")) {
    const inner = patchedLocator(reference);
    const located = inner ? locate(inner, warnings) : undefined;
    if (!located || located.kind !== "package") return undefined;
    return { kind: "package", name, source: located.source, resolved: reference };
  }
  if (reference.startsWith("npm:")) {
    // yarn writes the tarball URL only when it is not the registry's usual one.
    const archive = /::(?:.*&)?__archiveUrl=([^&]*)/.exec(reference)?.[1];
    return { kind: "package", name, source: "registry", ...(archive ? { resolved: safeDecode(archive) } : {}) };
  }
  if (reference.startsWith("file:")) return { kind: "package", name, source: "file", resolved: localPath(reference.slice(5)) };
  if (reference.startsWith("link:")) return { kind: "package", name, source: "link", resolved: localPath(reference.slice(5)) };
  if (reference.startsWith("portal:")) return { kind: "package", name, source: "link", resolved: localPath(reference.slice(7)) };
  if (reference.startsWith("exec:")) return { kind: "package", name, source: "file", resolved: reference };
  if (isGitUrl(reference) || reference.includes("#commit=") || isGitHostArchive(reference)) {
    return { kind: "package", name, source: "git", resolved: reference };
  }
  if (isHttpUrl(reference)) return { kind: "package", name, source: "tarball", resolved: reference };
  if (!hasProtocol(reference)) return { kind: "package", name, source: "registry" };
  warnings.push(`"${clip(locator)}" uses a protocol Tollgate does not know; it was read as a remote tarball`);
  return { kind: "package", name, source: "tarball", resolved: reference };
}

/** `patch:typescript@npm%3A5.3.3#…` -> `typescript@npm:5.3.3` */
function patchedLocator(reference: string): string | undefined {
  const body = reference.slice("patch:".length);
  const end = body.search(/#|::/);
  return safeDecode(end === -1 ? body : body.slice(0, end));
}

/** For a patch descriptor, the descriptor it patches, with the npm protocol made explicit. */
function patchedDescriptor(descriptor: string): string | undefined {
  const split = splitDescriptor(descriptor);
  if (!split || !split.range.startsWith("patch:")) return undefined;
  const inner = patchedLocator(split.range);
  const innerSplit = inner ? splitDescriptor(inner) : undefined;
  if (!innerSplit) return undefined;
  return hasProtocol(innerSplit.range) ? inner : `${innerSplit.name}@npm:${innerSplit.range}`;
}

function sectionsByName(manifest: Manifest | undefined): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  for (const dependency of manifest?.dependencies ?? []) {
    const list = sections.get(dependency.name);
    if (list) list.push(dependency.section);
    else sections.set(dependency.name, [dependency.section]);
  }
  return sections;
}

/** The root manifest's `resolutions` by the package name they apply to (`a/b`, `b` and `b@^1` all apply to b). */
function resolutionOverrides(manifest: Manifest | undefined): Map<string, string[]> {
  const overrides = new Map<string, string[]>();
  const raw = manifest?.raw.resolutions;
  if (!isObject(raw)) return overrides;
  for (const [pattern, range] of Object.entries(raw)) {
    if (typeof range !== "string") continue;
    const last = pattern.match(/(?:@[^/@]+\/)?[^/@]+(?:@[^/]*)?$/)?.[0];
    const name = last ? (splitDescriptor(last)?.name ?? last) : undefined;
    if (!name) continue;
    const list = overrides.get(name);
    if (list) list.push(range);
    else overrides.set(name, [range]);
  }
  return overrides;
}

function hasProtocol(range: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(range);
}

/**
 * `./dir#./dir::hash=…&locator=root%40workspace%3A.` -> `dir`: the path is relative to the workspace
 * named by `locator`, so it is made relative to the lockfile's folder as npm and pnpm write it.
 */
function localPath(reference: string): string {
  const end = reference.search(/#|::/);
  const path = end === -1 ? reference : reference.slice(0, end);
  const locator = /::(?:.*&)?locator=([^&]*)/.exec(reference)?.[1];
  const parent = locator ? splitDescriptor(safeDecode(locator) ?? "") : undefined;
  if (path.startsWith("/") || !parent?.range.startsWith("workspace:")) return normaliseFolder(path) || ".";
  return joinFolder(normaliseFolder(parent.range.slice("workspace:".length)), path) || ".";
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

const NONE: number[] = [];

function mapping(path: string, line: number, key: string, value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === "") return undefined;
  if (!isObject(value)) throw new LockfileError(path, line, `"${field}" of "${clip(key)}" is not a mapping: ${FIX}`);
  return value;
}

/** Names marked `optional: true` in a dependenciesMeta / peerDependenciesMeta map. */
function metaOptional(meta: unknown): Set<string> | undefined {
  if (!isObject(meta)) return undefined;
  let names: Set<string> | undefined;
  for (const name in meta) {
    const value = meta[name];
    if (isObject(value) && (value.optional === "true" || value.optional === true)) (names ??= new Set()).add(name);
  }
  return names;
}

/** Nothing but blank and comment lines. */
function isBlank(text: string): boolean {
  return /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*(?:#[^\n]*)?$/.test(text);
}

// ---------------------------------------------------------------------------------------------
// Lines

/** Keys at column 0 (`"a@npm:^1, a@npm:^2":`, `__metadata:`, `? "a very long key"`) and their lines. */
function scanTopLevelKeys(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    line++;
    const first = text.charCodeAt(start);
    if (first !== 32 && first !== 35 && first !== 10 && first !== 13 && first !== 9) {
      const key = readKey(text.slice(start, end));
      if (key !== undefined) lines.set(key, line);
    }
    start = end + 1;
  }
  return lines;
}

function readKey(raw: string): string | undefined {
  let content = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
  if (content.startsWith("? ")) content = content.slice(2);
  if (content.startsWith('"')) {
    const close = closingQuote(content, 0);
    if (close === -1) return undefined;
    try {
      return JSON.parse(content.slice(0, close + 1)) as string;
    } catch {
      return undefined;
    }
  }
  const colon = content.lastIndexOf(":");
  return colon > 0 ? content.slice(0, colon).trimEnd() : undefined;
}

/** Layout-proof but slow: only for a file laid out differently from what yarn writes. */
function slowKeyLines(text: string, fast: Map<string, number>): Map<string, number> {
  const lines = new Map(fast);
  try {
    const document = YAML.parseDocument(text, { schema: "failsafe", uniqueKeys: false });
    const index = new LineIndex(text);
    if (YAML.isMap(document.contents)) {
      for (const pair of document.contents.items) {
        if (YAML.isScalar(pair.key) && pair.key.range) lines.set(String(pair.key.value), index.lineAt(pair.key.range[0]));
      }
    }
  } catch {
    // The fast lines (or line 1) are the best there is.
  }
  return lines;
}

function syntaxError(path: string, text: string, error: unknown): LockfileError {
  const record = isObject(error) ? error : {};
  const mark = isObject(record.mark) ? record.mark : undefined;
  const location = isObject(record.location) && isObject(record.location.start) ? record.location.start : undefined;
  const line =
    typeof mark?.line === "number" ? mark.line + 1 : typeof location?.line === "number" ? location.line : undefined;
  const reason = typeof record.reason === "string" ? record.reason : describe(error).split("\n")[0]!.replace(/\s*\(\d+:\d+\)$/, "");
  const lastLine = text.trimEnd().split("\n").length;
  const truncated = /end of the stream|end of input/i.test(reason) || (line !== undefined && line > lastLine);
  return new LockfileError(
    path,
    line === undefined ? undefined : Math.min(line, lastLine),
    truncated
      ? `ends in the middle of a value (the file looks truncated): ${FIX}`
      : `is not valid YAML (${reason}): ${FIX}`,
  );
}
