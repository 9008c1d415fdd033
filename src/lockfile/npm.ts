import type { JSONPath } from "jsonc-parser";
import type { ParseContext } from "./context.js";
import { normaliseFolder, workspaceMatcher } from "./folders.js";
import {
  JsonLocator,
  asJsonLockfileError,
  assignLines,
  assignLinesFromSection,
  keyLinesFromVisitor,
  nestedKeyLinesFromScan,
  readJsonLockfile,
} from "./json-lockfile.js";
import {
  DEPENDENCY_SECTIONS,
  LockfileError,
  type Lockfile,
  type PackageInstance,
  type SourceKind,
} from "./model.js";
import { newPackageInstance } from "./package-instance.js";
import { markDirect } from "./reachability.js";
import { hasGitPrefix, isHttpUrl, isRegistryTarballUrl, tarballUrlVersion } from "./sources.js";
import { asString, isObject } from "./values.js";

/*
 * package-lock.json / npm-shrinkwrap.json.
 *
 * lockfileVersion 2 and 3 describe the install tree in `packages`, keyed by install path
 * ("node_modules/a/node_modules/b"); keys without a node_modules segment are folders (the root "",
 * workspaces, targets of `file:` links). lockfileVersion 1 and the npm 5 beta form (no
 * lockfileVersion) nest the same tree as `dependencies` objects; we give their entries the same
 * install-path keys so that a v1 -> v3 migration diffs as a no-op.
 *
 * Reading the JSON and finding the entries' lines: see json-lockfile.ts.
 */

const NPM_FIX = "regenerate the lockfile with `npm install`";

export function parseNpmLockfile(path: string, text: string, context?: ParseContext): Lockfile {
  try {
    return parseNpm(path, text, context ?? {});
  } catch (error) {
    throw asJsonLockfileError(path, error, NPM_FIX);
  }
}

function parseNpm(path: string, text: string, context: ParseContext): Lockfile {
  const data = readJsonLockfile(path, text, { trailingCommas: false, fix: NPM_FIX });
  const where = new JsonLocator(text);
  if (!isObject(data)) throw new LockfileError(path, 1, `is not a JSON object: ${NPM_FIX}`);

  const rawVersion = data.lockfileVersion;
  if (rawVersion !== undefined && !(typeof rawVersion === "number" && Number.isInteger(rawVersion) && rawVersion >= 1)) {
    throw new LockfileError(
      path,
      where.line(["lockfileVersion"]),
      `lockfileVersion is ${JSON.stringify(rawVersion)}, not a positive whole number: ${NPM_FIX}`,
    );
  }
  const warnings: string[] = [];
  if (rawVersion !== undefined && rawVersion > 3) {
    warnings.push(
      `lockfileVersion ${rawVersion} is newer than Tollgate knows (1 to 3); it was read as lockfileVersion 3`,
    );
  }
  // The npm 5 betas wrote no lockfileVersion at all; "0" keeps that visible without inventing a number.
  const formatVersion = rawVersion === undefined ? "0" : String(rawVersion);

  let tree: Pick<Lockfile, "packages" | "workspaces">;
  if (rawVersion !== undefined && rawVersion >= 2 && data.packages !== undefined) {
    if (!isObject(data.packages)) {
      throw new LockfileError(path, where.line(["packages"]), `"packages" is not an object: ${NPM_FIX}`);
    }
    tree = readPackages(path, text, data.packages, context, where);
  } else {
    if (rawVersion !== undefined && rawVersion >= 3) {
      throw new LockfileError(path, 1, `lockfileVersion ${rawVersion} has no "packages" object: ${NPM_FIX}`);
    }
    // lockfileVersion 1, the npm 5 beta form, and a v2 file that lost its "packages" (v2 repeats the
    // tree in v1 form for old npm versions).
    if (data.dependencies !== undefined && !isObject(data.dependencies)) {
      throw new LockfileError(path, where.line(["dependencies"]), `"dependencies" is not an object: ${NPM_FIX}`);
    }
    tree = readDependencyTree(path, text, data.dependencies ?? {}, context, where, warnings);
  }
  return { path, format: "npm", formatVersion, warnings, ...tree };
}

// ---------------------------------------------------------------------------------------------
// lockfileVersion 2 and 3: `packages`

function readPackages(
  path: string,
  text: string,
  packages: Record<string, unknown>,
  context: ParseContext,
  where: JsonLocator,
): Pick<Lockfile, "packages" | "workspaces"> {
  const keys = Object.keys(packages);
  const root = isObject(packages[""]) ? (packages[""] as Record<string, unknown>) : undefined;
  const isWorkspace = workspaceMatcher(workspacePatterns(root?.workspaces), context);

  const folders = new Map<string, Record<string, unknown>>();
  const workspaces = [""];
  const byKey = new Map<string, PackageInstance>();
  const links: [key: string, installName: string, entry: Record<string, unknown>][] = [];
  // Dependencies declared by URL, resolved once every instance is known (see below).
  const urlDependencies: [from: string, name: string][] = [];
  for (const key of keys) {
    const entry = packages[key];
    if (!isObject(entry)) {
      throw new LockfileError(path, where.line(["packages", key]), `entry "${key}" is not an object: ${NPM_FIX}`);
    }
    collectUrlDependencies(key, entry, urlDependencies);
    const at = nodeModulesIndex(key);
    if (at === -1) {
      // A folder: the root, a workspace, or the target of a `file:` link.
      if (key === "") continue;
      folders.set(key, entry);
      if (isWorkspace(key)) workspaces.push(key);
      continue;
    }
    const installName = key.slice(at + NODE_MODULES.length);
    if (installName === "" || installName.endsWith("/")) {
      throw new LockfileError(path, where.line(["packages", key]), `entry "${key}" does not name a package: ${NPM_FIX}`);
    }
    if (entry.link === true) {
      // Read once the folders are known; keep the file's order with a placeholder.
      links.push([key, installName, entry]);
      byKey.set(key, PLACEHOLDER);
      continue;
    }
    const version = entry.version;
    if (typeof version !== "string" || version === "") {
      throw new LockfileError(path, where.line(["packages", key]), `entry "${key}" has no version: ${NPM_FIX}`);
    }
    const resolved = asString(entry.resolved);
    const name = asString(entry.name) ?? installName;
    byKey.set(
      key,
      newInstance(key, installName, name, version, sourceOfResolved(resolved), {
        resolved,
        integrity: asString(entry.integrity),
        entry,
      }),
    );
  }

  const workspaceSet = new Set(workspaces);
  for (const [key, installName, entry] of links) {
    const resolved = asString(entry.resolved);
    const target = resolved === undefined ? undefined : normaliseFolder(resolved);
    if (target !== undefined && workspaceSet.has(target)) {
      byKey.delete(key);
      continue;
    }
    // npm has no `link:` protocol: it symlinks every `file:` (or bare path) folder dependency,
    // so a link to a folder that is not a workspace is what the manifest declares as `file:`.
    const folder = target === undefined ? undefined : folders.get(target);
    const name = asString(folder?.name) ?? installName;
    const version = asString(folder?.version) ?? asString(entry.version) ?? "0.0.0";
    byKey.set(key, newInstance(key, installName, name, version, "file", { resolved, entry, folder }));
  }

  // Direct: what the root and each workspace declare, resolved the way Node resolves it.
  const installed = (key: string) => Object.hasOwn(packages, key);
  for (const dependent of workspaces) {
    const entry = dependent === "" ? root : folders.get(dependent);
    for (const name of declaredNames(entry)) {
      const target = byKey.get(resolveInstallPath(dependent, name, installed) ?? "");
      if (target) markDirect(target, dependent);
    }
  }
  // A dependency declared by URL is pinned to that tarball even when the URL happens to be a
  // registry tarball, which npm then records exactly like a registry package: only the
  // dependent's spec tells them apart.
  for (const [from, name] of urlDependencies) {
    const target = byKey.get(resolveInstallPath(from, name, installed) ?? "");
    if (target?.source === "registry") target.source = "tarball";
  }

  const instances = [...byKey.values()];
  assignLinesFromSection(instances, text, "packages");
  return { packages: instances, workspaces };
}

/** Holds a link's place in the file order until the folders are known. */
const PLACEHOLDER = {} as PackageInstance;

function collectUrlDependencies(key: string, entry: Record<string, unknown>, found: [string, string][]): void {
  for (const section of DEPENDENCY_SECTIONS) {
    const deps = entry[section];
    if (!isObject(deps)) continue;
    for (const name in deps) {
      const spec = deps[name];
      // "h": cheap first test before the regex, since almost no spec is a URL.
      if (typeof spec === "string" && spec.charCodeAt(0) === 104 && /^https?:\/\//.test(spec)) found.push([key, name]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// lockfileVersion 1 and the npm 5 beta form: the nested `dependencies` tree

function readDependencyTree(
  path: string,
  text: string,
  tree: Record<string, unknown>,
  context: ParseContext,
  where: JsonLocator,
  warnings: string[],
): Pick<Lockfile, "packages" | "workspaces"> {
  const rootManifest = context.manifests?.get("");
  const isWorkspace = workspaceMatcher(rootManifest?.workspaces ?? [], context);
  const byKey = new Map<string, PackageInstance>();
  const workspaceInstallPaths = new Map<string, string>();
  const allPaths = new Set<string>();

  // Iterative walk: lockfiles nest a dozen levels at most, but a crafted one must not overflow.
  const pending: { parent: string; jsonPath: JSONPath; deps: Record<string, unknown> }[] = [
    { parent: "", jsonPath: ["dependencies"], deps: tree },
  ];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const parentPath = next.jsonPath;
    for (const installName of Object.keys(next.deps)) {
      const key = installPath(next.parent, installName);
      const entry = next.deps[installName];
      if (!isObject(entry)) {
        throw new LockfileError(path, where.line([...parentPath, installName]), `entry "${installName}" is not an object: ${NPM_FIX}`);
      }
      const version = entry.version;
      if (typeof version !== "string" || version === "") {
        throw new LockfileError(path, where.line([...parentPath, installName]), `entry "${installName}" has no version: ${NPM_FIX}`);
      }
      if (entry.dependencies !== undefined) {
        if (!isObject(entry.dependencies)) {
          throw new LockfileError(
            path,
            where.line([...parentPath, installName, "dependencies"]),
            `"dependencies" of "${installName}" is not an object: ${NPM_FIX}`,
          );
        }
        pending.push({ parent: key, jsonPath: [...parentPath, installName, "dependencies"], deps: entry.dependencies });
      }
      allPaths.add(key);
      const instance = v1Instance(key, installName, version, entry);
      if (instance.source === "file" && version.startsWith("file:")) {
        const folder = normaliseFolder(version.slice(5));
        if (isWorkspace(folder)) {
          workspaceInstallPaths.set(folder, key);
          continue;
        }
      }
      byKey.set(key, instance);
    }
  }

  const workspaces = ["", ...workspaceInstallPaths.keys()];
  if (rootManifest) {
    const installed = (key: string) => allPaths.has(key);
    for (const [folder, manifest] of context.manifests ?? []) {
      const from = folder === "" ? "" : workspaceInstallPaths.get(folder);
      if (from === undefined) continue;
      for (const dependency of manifest.dependencies) {
        const target = byKey.get(resolveInstallPath(from, dependency.name, installed) ?? "");
        if (target) markDirect(target, folder);
      }
    }
  } else {
    warnings.push(
      "lockfileVersion 1 does not record which dependencies are direct and no package.json was given, so every package is reported as transitive",
    );
  }

  const instances = [...byKey.values()];
  assignLines(instances, nestedKeyLinesFromScan(text, "dependencies", installPath), () => keyLinesFromVisitor(text, v1KeyOf));
  // The walk visits nested levels last; file order reads better in reports.
  return { packages: instances.sort((a, b) => a.line - b.line), workspaces };
}

function v1Instance(key: string, installName: string, version: string, entry: Record<string, unknown>): PackageInstance {
  const resolved = asString(entry.resolved);
  const integrity = asString(entry.integrity);
  if (version.startsWith("npm:")) {
    // `"my-ms": { "version": "npm:ms@2.1.3" }`
    const spec = version.slice(4);
    const at = spec.lastIndexOf("@");
    const name = at > 0 ? spec.slice(0, at) : spec;
    const realVersion = at > 0 && at < spec.length - 1 ? spec.slice(at + 1) : "0.0.0";
    return newInstance(key, installName, name, realVersion, sourceOfResolved(resolved), { resolved, integrity, entry });
  }
  if (version.startsWith("file:")) {
    return newInstance(key, installName, installName, "0.0.0", "file", { resolved: version, integrity, entry });
  }
  if (hasGitPrefix(version)) {
    // v1 records the git URL with its commit in place of a version.
    return newInstance(key, installName, installName, "0.0.0", "git", { resolved: version, integrity, entry });
  }
  if (isHttpUrl(version)) {
    const fromUrl = tarballUrlVersion(version, installName) ?? "0.0.0";
    return newInstance(key, installName, installName, fromUrl, "tarball", { resolved: version, integrity, entry });
  }
  return newInstance(key, installName, installName, version, sourceOfResolved(resolved), { resolved, integrity, entry });
}

function v1KeyOf(path: JSONPath, property: string): string | undefined {
  // ["dependencies", a, "dependencies", b, "dependencies"] holds the entries under a/b.
  if (path.length % 2 === 0) return undefined;
  let key = "";
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (i % 2 === 0) {
      if (segment !== "dependencies") return undefined;
    } else {
      key = installPath(key, String(segment));
    }
  }
  return installPath(key, property);
}

// ---------------------------------------------------------------------------------------------
// Install paths and instances

const NODE_MODULES = "node_modules/";

/** The install path of `name` installed in the folder at `parent` ("" for the root). */
function installPath(parent: string, name: string): string {
  return parent === "" ? `${NODE_MODULES}${name}` : `${parent}/${NODE_MODULES}${name}`;
}

function newInstance(
  key: string,
  installName: string,
  name: string,
  version: string,
  source: SourceKind,
  extra: {
    resolved?: string | undefined;
    integrity?: string | undefined;
    entry: Record<string, unknown>;
    /** For a link: the folder entry it points at, where npm writes the flags. */
    folder?: Record<string, unknown> | undefined;
  },
): PackageInstance {
  const { entry, folder } = extra;
  const instance = newPackageInstance(name, version, source, key, 1, {
    resolved: extra.resolved,
    integrity: extra.integrity,
    alias: name !== installName ? installName : undefined,
  });
  instance.dev = entry.dev === true || folder?.dev === true;
  instance.optional = entry.optional === true || entry.devOptional === true || folder?.optional === true || folder?.devOptional === true;
  instance.peer = entry.peer === true || folder?.peer === true;
  return instance;
}

function declaredNames(entry: Record<string, unknown> | undefined): string[] {
  const names: string[] = [];
  if (!entry) return names;
  for (const section of DEPENDENCY_SECTIONS) {
    const deps = entry[section];
    if (isObject(deps)) names.push(...Object.keys(deps));
  }
  return names;
}

/** Index of the last `node_modules/` path segment of an install path, or -1. */
function nodeModulesIndex(key: string): number {
  let at = key.lastIndexOf(NODE_MODULES);
  while (at > 0 && key.charCodeAt(at - 1) !== 47 /* "/" */) at = key.lastIndexOf(NODE_MODULES, at - 1);
  return at;
}

/** Node's lookup: `<dir>/node_modules/<name>` from `from` up to the root. */
function resolveInstallPath(from: string, name: string, installed: (key: string) => boolean): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = installPath(dir, name);
    if (installed(candidate)) return candidate;
    if (dir === "") return undefined;
    const slash = dir.lastIndexOf("/");
    dir = slash === -1 ? "" : dir.slice(0, slash);
  }
}

/** Source kind from npm's `resolved` (undefined for bundled packages, which come from their parent's tarball). */
function sourceOfResolved(resolved: string | undefined): SourceKind {
  if (resolved === undefined || resolved === "") return "registry";
  if (hasGitPrefix(resolved)) return "git";
  if (isHttpUrl(resolved)) return isRegistryTarballUrl(resolved) ? "registry" : "tarball";
  return "file";
}

/** Workspace globs as npm reads them (`["packages/*"]` or `{ packages: [...] }`). */
function workspacePatterns(value: unknown): string[] {
  const list = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.packages) ? value.packages : [];
  return list.filter((pattern): pattern is string => typeof pattern === "string");
}
