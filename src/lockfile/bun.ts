import type { JSONPath } from "jsonc-parser";
import { normaliseFolder } from "./folders.js";
import { JsonLocator, asJsonLockfileError, assignLinesFromSection, readJsonLockfile } from "./json-lockfile.js";
import { DEPENDENCY_SECTIONS, LockfileError, type Lockfile, type PackageInstance } from "./model.js";
import { newPackageInstance } from "./package-instance.js";
import { classifyReach, markDirect, reachedOnlyAsPeer, type ReachEdge, type ReachRoot } from "./reachability.js";
import { hasGitPrefix, isHttpUrl, tarballUrlVersion } from "./sources.js";
import { asString, isObject } from "./values.js";

/*
 * bun.lock, Bun's text lockfile (JSONC with trailing commas), lockfileVersion 0 to 2.
 *
 * `packages` maps an install key to an array whose first item is "name@resolution":
 *   npm        ["name@1.2.3", registryOrEmpty, INFO, integrity]
 *   git        ["name@git+https://…#commit", INFO, bunTag]   (also github:, gitlab:, …)
 *   tarball    ["name@https://….tgz", INFO, integrity?]
 *   folder     ["name@file:path", INFO]
 *   symlink    ["name@link:path", INFO]
 *   workspace  ["name@workspace:path"]  (v0 adds INFO)
 *   root       ["name@root:", { bin }]
 * Keys nest like node_modules paths: "a/b" is b installed under a; "@s/a/b" is b under @s/a.
 *
 * Bun records no dev/optional/peer flags per package, only the dependency sections of each
 * workspace and the dependencies of each package; the flags are worked out by walking that graph.
 */

const BUN_FIX = "regenerate the lockfile with `bun install`";

export function parseBunLockfile(path: string, text: string): Lockfile {
  try {
    return parseBun(path, text);
  } catch (error) {
    throw asJsonLockfileError(path, error, BUN_FIX);
  }
}

/** The error for a binary bun.lockb, which Tollgate cannot review. */
export function binaryBunLockfileError(path: string): LockfileError {
  return new LockfileError(
    path,
    undefined,
    "is Bun's binary lockfile (bun.lockb), which cannot be reviewed: run `bun install --save-text-lockfile` " +
      "to write the text lockfile bun.lock, then commit bun.lock and delete bun.lockb " +
      "(Bun 1.2 and later write bun.lock by default)",
  );
}

interface Edge {
  name: string;
  dev: boolean;
  optional: boolean;
  peer: boolean;
}

interface Node {
  /** Its number in the graph, in the order of `packages`. */
  index: number;
  key: string;
  segments: string[];
  info: Record<string, unknown> | undefined;
  instance: PackageInstance | undefined;
}

function parseBun(path: string, text: string): Lockfile {
  if (text.slice(0, 4096).includes("\u0000") || text.startsWith("#!/usr/bin/env bun")) {
    throw binaryBunLockfileError(path);
  }
  const data = readJsonLockfile(path, text, { trailingCommas: true, fix: BUN_FIX });
  const locator = new JsonLocator(text);
  const line = (jsonPath: JSONPath) => locator.line(jsonPath);
  if (!isObject(data)) throw new LockfileError(path, 1, `is not a JSON object: ${BUN_FIX}`);

  const version = data.lockfileVersion;
  if (!(typeof version === "number" && Number.isInteger(version) && version >= 0)) {
    throw new LockfileError(
      path,
      line(["lockfileVersion"]) ?? 1,
      `lockfileVersion is ${JSON.stringify(version) ?? "missing"}, not a whole number: ${BUN_FIX}`,
    );
  }
  const warnings: string[] = [];
  if (version > 2) {
    warnings.push(`lockfileVersion ${version} is newer than Tollgate knows (0 to 2); it was read as lockfileVersion 2`);
  }
  const declared = data.workspaces;
  if (!isObject(declared)) {
    throw new LockfileError(path, line(["workspaces"]) ?? 1, `has no "workspaces" object: ${BUN_FIX}`);
  }
  const packages = data.packages ?? {};
  if (!isObject(packages)) {
    throw new LockfileError(path, line(["packages"]), `"packages" is not an object: ${BUN_FIX}`);
  }

  // Workspace folders and the dependency sections each declares.
  const workspaces: string[] = [];
  const workspaceEntries = new Map<string, Record<string, unknown>>();
  for (const folder of Object.keys(declared)) {
    const entry = declared[folder];
    if (!isObject(entry)) {
      throw new LockfileError(path, line(["workspaces", folder]), `workspace "${folder}" is not an object: ${BUN_FIX}`);
    }
    const normalised = normaliseFolder(folder);
    workspaces.push(normalised);
    workspaceEntries.set(normalised, entry);
  }
  if (!workspaces.includes("")) workspaces.unshift("");

  // Packages.
  const nodes = new Map<string, Node>();
  const order: Node[] = [];
  const workspaceKeys = new Map<string, string>(); // workspace folder -> its key in `packages`
  const keys = Object.keys(packages);
  for (const key of keys) {
    const where = () => line(["packages", key]);
    const entry = packages[key];
    if (!Array.isArray(entry) || typeof entry[0] !== "string") {
      throw new LockfileError(path, where(), `entry "${key}" is not a ["name@version", …] array: ${BUN_FIX}`);
    }
    const spec = entry[0];
    const at = spec.indexOf("@", 1);
    const segments = keySegments(key);
    if (at <= 0 || at === spec.length - 1 || segments.length === 0) {
      throw new LockfileError(path, where(), `entry "${key}" does not name a package and version ("${spec}"): ${BUN_FIX}`);
    }
    const name = spec.slice(0, at);
    const resolution = spec.slice(at + 1);
    const installName = segments[segments.length - 1]!;
    const node: Node = { index: order.length, key, segments, info: undefined, instance: undefined };
    nodes.set(key, node);
    order.push(node);
    if (resolution.startsWith("workspace:")) {
      workspaceKeys.set(normaliseFolder(resolution.slice("workspace:".length)), key);
      continue;
    }
    if (resolution.startsWith("root:")) continue;

    const shaped = readShape(resolution, name, entry);
    if (typeof shaped === "string") {
      throw new LockfileError(path, where(), `entry "${key}" ${shaped}: ${BUN_FIX}`);
    }
    node.info = shaped.info;
    node.instance = newPackageInstance(name, shaped.version, shaped.source, key, 1, {
      resolved: shaped.resolved,
      integrity: shaped.integrity,
      alias: name !== installName ? installName : undefined,
    });
  }

  // Node-style lookup over the nested keys: "a/b/<name>", then "a/<name>", then "<name>".
  const resolve = (from: string[], name: string): Node | undefined => {
    let prefix = from.join("/");
    for (let depth = from.length; depth > 0; depth--) {
      const node = nodes.get(`${prefix}/${name}`);
      if (node) return node;
      prefix = prefix.slice(0, prefix.length - from[depth - 1]!.length - 1);
    }
    return nodes.get(name);
  };
  const rootEdges: { from: string[]; edge: Edge; workspace: string }[] = [];
  for (const [folder, entry] of workspaceEntries) {
    const ownKey = folder === "" ? undefined : workspaceKeys.get(folder);
    const from = ownKey === undefined ? [] : keySegments(ownKey);
    for (const edge of edgesOf(entry, true)) rootEdges.push({ from, edge, workspace: folder });
  }
  const edges: ReachEdge[][] = order.map((node) => {
    const list: ReachEdge[] = [];
    if (!node.instance || !node.info) return list;
    for (const edge of edgesOf(node.info, false)) {
      const target = resolve(node.segments, edge.name);
      if (target?.instance) list.push({ target: target.index, optional: edge.optional, peer: edge.peer });
    }
    return list;
  });
  const roots: ReachRoot[] = [];
  for (const { from, edge, workspace } of rootEdges) {
    const target = resolve(from, edge.name);
    if (!target?.instance) continue;
    roots.push({ target: target.index, dev: edge.dev, optional: edge.optional, peer: edge.peer });
    markDirect(target.instance, workspace);
  }

  const reach = classifyReach(order.length, edges, roots);
  const peer = reachedOnlyAsPeer(reach, edges, roots);
  const result: PackageInstance[] = [];
  for (const { index, instance } of order) {
    if (!instance) continue;
    if (reach.reached[index]) {
      // npm's meaning (see classifyReach); peer = only reached through peer dependencies.
      instance.dev = reach.dev[index]!;
      instance.optional = reach.optional[index]!;
      instance.peer = peer[index]!;
    } else {
      // Nothing depends on it: not needed by a production install.
      instance.dev = true;
    }
    result.push(instance);
  }
  assignLinesFromSection(result, text, "packages");
  return { path, format: "bun", formatVersion: String(version), packages: result, workspaces, warnings };
}

interface Shape {
  version: string;
  source: PackageInstance["source"];
  resolved?: string;
  integrity?: string;
  info: Record<string, unknown> | undefined;
}

/** Reads one `packages` array by its resolution kind; a string return is the problem with it. */
function readShape(resolution: string, name: string, entry: unknown[]): Shape | string {
  const objectAt = (index: number): Record<string, unknown> | undefined | string => {
    const value = entry[index];
    if (value === undefined) return undefined;
    return isObject(value) ? value : `has a non-object where its dependency list belongs`;
  };
  const local = (source: "file" | "link", prefix: number): Shape | string => {
    const info = objectAt(1);
    return typeof info === "string" ? info : { version: "0.0.0", source, resolved: resolution.slice(prefix), info };
  };
  if (resolution.startsWith("link:")) return local("link", "link:".length);
  if (resolution.startsWith("file:")) return local("file", "file:".length);
  if (hasGitPrefix(resolution)) {
    const info = objectAt(1);
    if (typeof info === "string") return info;
    return { version: "0.0.0", source: "git", resolved: resolution, info };
  }
  if (isHttpUrl(resolution)) {
    const info = objectAt(1);
    if (typeof info === "string") return info;
    return {
      version: tarballUrlVersion(resolution, name) ?? "0.0.0",
      source: "tarball",
      resolved: resolution,
      integrity: sri(entry[2]),
      info,
    };
  }
  if (/^(?:\.{0,2}\/|~\/)/.test(resolution) || /\.(?:tgz|tar\.gz|tar)$/i.test(resolution)) {
    // A local tarball or folder written without "file:".
    return local("file", 0);
  }
  // A registry package: ["name@version", registryOrTarballUrl, INFO, integrity].
  const registry = entry[1];
  if (registry !== undefined && typeof registry !== "string") return "has a non-string where its registry URL belongs";
  const info = objectAt(2);
  if (typeof info === "string") return info;
  return {
    version: resolution,
    source: "registry",
    resolved: registry === "" ? undefined : registry,
    integrity: sri(entry[3]),
    info,
  };
}

function sri(value: unknown): string | undefined {
  const text = asString(value);
  return text !== undefined && /^sha\d+-/.test(text) ? text : undefined;
}

/** "@s/a/b" -> ["@s/a", "b"]. */
function keySegments(key: string): string[] {
  if (!key.includes("/")) return key === "" ? [] : [key];
  const parts = key.split("/");
  const segments: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.startsWith("@") && i + 1 < parts.length) {
      segments.push(`${part}/${parts[i + 1]}`);
      i++;
    } else segments.push(part);
  }
  return segments.some((segment) => segment === "") ? [] : segments;
}

/** The dependency edges a workspace (`root`) or a package's INFO object declares. */
function edgesOf(info: Record<string, unknown>, root: boolean): Edge[] {
  const optionalPeers: unknown[] = Array.isArray(info.optionalPeers) ? info.optionalPeers : [];
  const edges: Edge[] = [];
  for (const section of DEPENDENCY_SECTIONS) {
    if (section === "devDependencies" && !root) continue;
    const deps = info[section];
    if (!isObject(deps)) continue;
    for (const name of Object.keys(deps)) {
      if (typeof deps[name] !== "string") continue;
      const peer = section === "peerDependencies";
      edges.push({
        name,
        dev: section === "devDependencies",
        optional: section === "optionalDependencies" || (peer && optionalPeers.includes(name)),
        peer,
      });
    }
  }
  return edges;
}
