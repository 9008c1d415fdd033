import {
  findNodeAtLocation,
  parseTree,
  printParseErrorCode,
  visit,
  type JSONPath,
  type ParseError,
} from "jsonc-parser";
import type { ParseContext } from "./context.js";
import { LineIndex, conflictMarkerLine } from "./lines.js";
import {
  DEPENDENCY_SECTIONS,
  LockfileError,
  type Lockfile,
  type PackageInstance,
  type SourceKind,
} from "./model.js";

/*
 * package-lock.json / npm-shrinkwrap.json.
 *
 * lockfileVersion 2 and 3 describe the install tree in `packages`, keyed by install path
 * ("node_modules/a/node_modules/b"); keys without a node_modules segment are folders (the root "",
 * workspaces, targets of `file:` links). lockfileVersion 1 and the npm 5 beta form (no
 * lockfileVersion) nest the same tree as `dependencies` objects; we give their entries the same
 * install-path keys so that a v1 -> v3 migration diffs as a no-op.
 *
 * Speed: JSON.parse does the parsing; the line of each entry comes from one indexOf scan that relies
 * on npm's fixed 2-space layout. Files in any other layout fall back to jsonc-parser's visitor.
 */

const NPM_FIX = "regenerate the lockfile with `npm install`";

export function parseNpmLockfile(path: string, text: string, context?: ParseContext): Lockfile {
  try {
    return parseNpm(path, text, context ?? {});
  } catch (error) {
    throw unexpected(path, error, NPM_FIX);
  }
}

function parseNpm(path: string, text: string, context: ParseContext): Lockfile {
  const data = readJson(path, text, { trailingCommas: false, fix: NPM_FIX });
  const where = new Locator(text);
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

  if (rawVersion !== undefined && rawVersion >= 2 && data.packages !== undefined) {
    if (!isObject(data.packages)) {
      throw new LockfileError(path, where.line(["packages"]), `"packages" is not an object: ${NPM_FIX}`);
    }
    return {
      path,
      format: "npm",
      formatVersion,
      warnings,
      ...readPackages(path, text, data.packages, context, where),
    };
  }
  if (rawVersion !== undefined && rawVersion >= 3) {
    throw new LockfileError(path, 1, `lockfileVersion ${rawVersion} has no "packages" object: ${NPM_FIX}`);
  }
  // lockfileVersion 1, the npm 5 beta form, and a v2 file that lost its "packages" (v2 repeats the
  // tree in v1 form for old npm versions).
  if (data.dependencies !== undefined && !isObject(data.dependencies)) {
    throw new LockfileError(path, where.line(["dependencies"]), `"dependencies" is not an object: ${NPM_FIX}`);
  }
  return {
    path,
    format: "npm",
    formatVersion,
    warnings,
    ...readDependencyTree(path, text, data.dependencies ?? {}, context, where, warnings),
  };
}

// ---------------------------------------------------------------------------------------------
// lockfileVersion 2 and 3: `packages`

function readPackages(
  path: string,
  text: string,
  packages: Record<string, unknown>,
  context: ParseContext,
  where: Locator,
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
    const resolved = stringOr(entry.resolved);
    const name = stringOr(entry.name) ?? installName;
    byKey.set(
      key,
      newInstance(key, installName, name, version, sourceOfResolved(resolved), {
        resolved,
        integrity: stringOr(entry.integrity),
        entry,
      }),
    );
  }

  const workspaceSet = new Set(workspaces);
  for (const [key, installName, entry] of links) {
    const resolved = stringOr(entry.resolved);
    const target = resolved === undefined ? undefined : normaliseFolder(resolved);
    if (target !== undefined && workspaceSet.has(target)) {
      byKey.delete(key);
      continue;
    }
    // npm has no `link:` protocol: it symlinks every `file:` (or bare path) folder dependency,
    // so a link to a folder that is not a workspace is what the manifest declares as `file:`.
    const folder = target === undefined ? undefined : folders.get(target);
    const name = stringOr(folder?.name) ?? installName;
    const version = stringOr(folder?.version) ?? stringOr(entry.version) ?? "0.0.0";
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
  assignLines(instances, keyLinesFromScan(text, "packages"), () => keyLinesFromVisitor(text, v3KeyOf));
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

function v3KeyOf(path: JSONPath, property: string): string | undefined {
  return path.length === 1 && path[0] === "packages" ? property : undefined;
}

// ---------------------------------------------------------------------------------------------
// lockfileVersion 1 and the npm 5 beta form: the nested `dependencies` tree

function readDependencyTree(
  path: string,
  text: string,
  tree: Record<string, unknown>,
  context: ParseContext,
  where: Locator,
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
      const key = next.parent === "" ? `${NODE_MODULES}${installName}` : `${next.parent}/${NODE_MODULES}${installName}`;
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
  assignLines(instances, keyLinesFromV1Scan(text), () => keyLinesFromVisitor(text, v1KeyOf));
  // The walk visits nested levels last; file order reads better in reports.
  return { packages: instances.sort((a, b) => a.line - b.line), workspaces };
}

function v1Instance(key: string, installName: string, version: string, entry: Record<string, unknown>): PackageInstance {
  const resolved = stringOr(entry.resolved);
  const integrity = stringOr(entry.integrity);
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
  if (isGitSpec(version)) {
    // v1 records the git URL with its commit in place of a version.
    return newInstance(key, installName, installName, "0.0.0", "git", { resolved: version, integrity, entry });
  }
  if (/^https?:\/\//i.test(version)) {
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
      key += `${key === "" ? "" : "/"}${NODE_MODULES}${String(segment)}`;
    }
  }
  return `${key === "" ? "" : `${key}/`}${NODE_MODULES}${property}`;
}

// ---------------------------------------------------------------------------------------------
// Shared by the npm and bun parsers

const NODE_MODULES = "node_modules/";

function newInstance(
  key: string,
  installName: string,
  name: string,
  version: string,
  source: SourceKind,
  extra: {
    resolved?: string;
    integrity?: string;
    entry: Record<string, unknown>;
    /** For a link: the folder entry it points at, where npm writes the flags. */
    folder?: Record<string, unknown>;
  },
): PackageInstance {
  const { entry, folder } = extra;
  const instance: PackageInstance = {
    name,
    version,
    source,
    dev: entry.dev === true || folder?.dev === true,
    optional: entry.optional === true || entry.devOptional === true || folder?.optional === true || folder?.devOptional === true,
    peer: entry.peer === true || folder?.peer === true,
    direct: false,
    workspaces: [],
    line: 1,
    key,
  };
  if (extra.resolved !== undefined) instance.resolved = extra.resolved;
  if (extra.integrity !== undefined) instance.integrity = extra.integrity;
  if (name !== installName) instance.alias = installName;
  return instance;
}

function markDirect(instance: PackageInstance, workspace: string): void {
  instance.direct = true;
  if (!instance.workspaces.includes(workspace)) instance.workspaces.push(workspace);
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
    const candidate = dir === "" ? `${NODE_MODULES}${name}` : `${dir}/${NODE_MODULES}${name}`;
    if (installed(candidate)) return candidate;
    if (dir === "") return undefined;
    const slash = dir.lastIndexOf("/");
    dir = slash === -1 ? "" : dir.slice(0, slash);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function stringOr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/**
 * The parsers' safety net: a bug or a pathological input must still come out as an error that
 * names the file, never as a crash of the review.
 */
export function unexpected(path: string, error: unknown, fix: string): LockfileError {
  if (error instanceof LockfileError) return error;
  if (error instanceof RangeError) {
    // Recursive parsing (JSON.parse, jsonc-parser) runs out of stack on absurd nesting.
    return new LockfileError(path, undefined, `is nested too deeply to be read: ${fix}`);
  }
  return new LockfileError(path, undefined, `could not be read (${error instanceof Error ? error.message : String(error)}): ${fix}`);
}

/** A folder path as npm and bun write it: no leading "./", no trailing "/". */
export function normaliseFolder(path: string): string {
  let folder = path;
  while (folder.startsWith("./")) folder = folder.slice(2);
  while (folder.endsWith("/")) folder = folder.slice(0, -1);
  return folder === "." ? "" : folder;
}

const GIT_SPEC = /^(?:git\+|git:\/\/|git@|github:|gitlab:|bitbucket:|gist:)/i;

export function isGitSpec(spec: string): boolean {
  return GIT_SPEC.test(spec);
}

/** An npm-registry-style tarball URL: `<registry>/<name>/-/<file>.tgz` (any registry host). */
export function isRegistryTarball(url: string): boolean {
  if (url.startsWith("https://registry.npmjs.org/")) return url.includes("/-/") && url.endsWith(".tgz");
  return /^https?:\/\/[^/?#]+\/(?:[^?#]*\/)?-\/[^/?#]+\.tgz(?:[?#]|$)/i.test(url);
}

/** The version in a registry-style tarball file name (`…/left-pad/-/left-pad-1.3.0.tgz` -> 1.3.0). */
export function tarballUrlVersion(url: string, name: string): string | undefined {
  const file = url.replace(/[?#].*$/, "");
  const base = `${name.slice(name.lastIndexOf("/") + 1)}-`;
  const fileName = file.slice(file.lastIndexOf("/") + 1);
  if (!fileName.startsWith(base) || !fileName.endsWith(".tgz")) return undefined;
  const version = fileName.slice(base.length, -".tgz".length);
  return /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(version) ? version : undefined;
}

/** Source kind from npm's `resolved` (undefined for bundled packages, which come from their parent's tarball). */
export function sourceOfResolved(resolved: string | undefined): SourceKind {
  if (resolved === undefined || resolved === "") return "registry";
  if (isGitSpec(resolved)) return "git";
  if (/^https?:\/\//i.test(resolved)) return isRegistryTarball(resolved) ? "registry" : "tarball";
  return "file";
}

/** Workspace globs as npm reads them (`["packages/*"]` or `{ packages: [...] }`). */
function workspacePatterns(value: unknown): string[] {
  const list = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.packages) ? value.packages : [];
  return list.filter((pattern): pattern is string => typeof pattern === "string");
}

/**
 * Whether a folder is a workspace: it matches the root's workspace globs or the caller gave its
 * package.json as a workspace manifest.
 */
export function workspaceMatcher(patterns: string[], context: ParseContext): (folder: string) => boolean {
  const include: RegExp[] = [];
  const exclude: RegExp[] = [];
  for (const pattern of patterns) {
    const negated = pattern.startsWith("!");
    const glob = normaliseFolder(negated ? pattern.slice(1) : pattern);
    if (glob === "") continue;
    (negated ? exclude : include).push(globToRegExp(glob));
  }
  const known = new Set([...(context.manifests?.keys() ?? [])].filter((folder) => folder !== ""));
  return (folder) =>
    folder !== "" &&
    (known.has(folder) || (include.some((re) => re.test(folder)) && !exclude.some((re) => re.test(folder))));
}

function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === "*" && glob[i + 1] === "*") {
      // "a/**/b" also matches "a/b"; a trailing "**" matches any depth.
      const slash = glob[i + 2] === "/";
      source += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (char === "*") source += "[^/]*";
    else if (char === "?") source += "[^/]";
    else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}

// ---------------------------------------------------------------------------------------------
// Reading JSON and locating lines

/**
 * Parses a JSON (or, for bun, JSONC) lockfile, turning every failure into a LockfileError with the
 * best line available: committed conflict markers first, then jsonc-parser's error offset.
 */
export function readJson(path: string, text: string, options: { trailingCommas: boolean; fix: string }): unknown {
  // A byte-order mark (an editor's doing, on line 1) is not JSON but harmless.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return options.trailingCommas ? JSON.parse(withoutTrailingCommas(json)) : JSON.parse(json);
  } catch {
    // Fall through to find out why. A conflict marker at the start of a line can never be part of
    // valid JSON, so looking for one only here keeps that scan off the common path.
  }
  const conflict = conflictMarkerLine(text);
  if (conflict !== undefined) {
    throw new LockfileError(path, conflict, `committed merge-conflict markers: resolve the conflict and ${options.fix}`);
  }
  if (text.trim() === "") throw new LockfileError(path, 1, `is empty: ${options.fix}`);
  const errors: ParseError[] = [];
  const tree = parseTree(json, errors, {
    allowTrailingComma: options.trailingCommas,
    disallowComments: !options.trailingCommas,
  });
  const first = errors[0];
  if (!first && tree) {
    // Valid JSONC that the fast path could not read (comments): take jsonc-parser's value.
    return nodeValue(tree);
  }
  // Something missing at the very end (a closing brace, the rest of a string) means the file
  // stops early; report where it stops rather than where jsonc-parser first noticed.
  const end = json.trimEnd().length;
  const truncated = !first || errors.some((error) => error.offset >= end);
  const lines = new LineIndex(json);
  const line = truncated ? lines.lineAt(Math.max(0, end - 1)) : lines.lineAt(first.offset);
  const problem = truncated
    ? `ends before the JSON is complete (the file looks truncated): ${options.fix}`
    : `is not valid JSON (${syntaxProblem(printParseErrorCode(first.error))}): ${options.fix}`;
  throw new LockfileError(path, line, problem);
}

type JsonNode = NonNullable<ReturnType<typeof parseTree>>;

/** Like jsonc-parser's getNodeValue, but keeps "__proto__" keys as plain data. */
function nodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case "object": {
      const object: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key && value) Object.defineProperty(object, String(key.value), { value: nodeValue(value), enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
    case "array":
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

const SYNTAX_PROBLEMS: Record<string, string> = {
  CommaExpected: "a comma is missing",
  ColonExpected: "a colon is missing",
  PropertyNameExpected: "a property name is missing or not double-quoted",
  ValueExpected: "a value is missing",
  CloseBraceExpected: "a closing brace is missing",
  CloseBracketExpected: "a closing bracket is missing",
  EndOfFileExpected: "unexpected text after the end of the JSON",
  InvalidSymbol: "unexpected text",
  InvalidCommentToken: "comments are not allowed",
  UnexpectedEndOfString: "a string is not closed",
  InvalidCharacter: "a string contains a control character",
};

function syntaxProblem(code: string): string {
  return SYNTAX_PROBLEMS[code] ?? (code === "" ? "unreadable" : code);
}

/**
 * The text without trailing commas (`[1, 2,]`), for JSON.parse. Strings are skipped whole so a comma
 * inside one is kept; only commas are removed, so a text with comments still fails JSON.parse and
 * goes to jsonc-parser.
 */
function withoutTrailingCommas(text: string): string {
  let out = "";
  let copied = 0;
  let quote = text.indexOf('"');
  let comma = text.indexOf(",");
  while (comma !== -1) {
    if (quote !== -1 && quote < comma) {
      const close = closingQuote(text, quote + 1);
      if (close === -1) break;
      quote = text.indexOf('"', close + 1);
      if (comma < close) comma = text.indexOf(",", close + 1);
      continue;
    }
    let next = comma + 1;
    for (let code = text.charCodeAt(next); code === 32 || code === 10 || code === 13 || code === 9; ) {
      code = text.charCodeAt(++next);
    }
    const code = text.charCodeAt(next);
    if (code === 125 /* } */ || code === 93 /* ] */) {
      out += text.slice(copied, comma);
      copied = comma + 1;
    }
    comma = text.indexOf(",", comma + 1);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/** Finds lines for error messages (slow path: only used when something is wrong). */
class Locator {
  private tree: JsonNode | undefined | null = null;
  private index: LineIndex | undefined;
  constructor(private readonly text: string) {}

  line(path: JSONPath): number | undefined {
    if (this.tree === null) this.tree = parseTree(this.text, [], { allowTrailingComma: true });
    const node = this.tree && findNodeAtLocation(this.tree, path);
    if (!node) return undefined;
    // The property's key, not its value: that is the line a reader looks for.
    const offset = node.parent?.type === "property" ? node.parent.offset : node.offset;
    this.index ??= new LineIndex(this.text);
    return this.index.lineAt(offset);
  }
}

export function locateLine(text: string, path: JSONPath): number | undefined {
  return new Locator(text).line(path);
}

/**
 * Lines of the keys of one top-level section (`"packages"`) as npm and bun write it: the section at
 * two spaces, its keys at four. Returns undefined when the text is laid out differently.
 */
export function keyLinesFromScan(text: string, section: string): Map<string, number> | undefined {
  const header = `\n  "${section}": {`;
  const start = text.indexOf(header);
  if (start === -1) return undefined;
  let end = text.indexOf("\n  }", start + header.length);
  if (end === -1) end = text.length;
  const lines = new Map<string, number>();
  let line = new LineCounter(text).lineAfter(start);
  // One pass over the section's lines (counting them as it goes), reading a key where a line
  // starts with exactly four spaces and a quote.
  for (let nl = text.indexOf("\n", start + 1); nl !== -1 && nl < end; nl = text.indexOf("\n", nl + 1)) {
    line++;
    if (
      text.charCodeAt(nl + 5) === 34 /* '"' */ &&
      text.charCodeAt(nl + 4) === 32 &&
      text.charCodeAt(nl + 3) === 32 &&
      text.charCodeAt(nl + 2) === 32 &&
      text.charCodeAt(nl + 1) === 32
    ) {
      const key = readKey(text, nl + 6);
      if (key !== undefined && !lines.has(key)) lines.set(key, line);
    }
  }
  return lines;
}

/** The v1 tree: entries at 4 + 4n spaces, each `"name": {`; nesting follows the indentation. */
function keyLinesFromV1Scan(text: string): Map<string, number> | undefined {
  const header = '\n  "dependencies": {';
  const start = text.indexOf(header);
  if (start === -1) return undefined;
  let end = text.indexOf("\n  }", start + header.length);
  if (end === -1) end = text.length;
  const lines = new Map<string, number>();
  const stack: string[] = [];
  let line = new LineCounter(text).lineAfter(start);
  // One pass over the lines of the section, reading only each line's indentation and key.
  for (let nl = text.indexOf("\n", start + 1); nl !== -1 && nl < end; nl = text.indexOf("\n", nl + 1)) {
    line++;
    let at = nl + 1;
    while (text.charCodeAt(at) === 32) at++;
    const indent = at - nl - 1;
    if (indent < 4 || indent % 4 !== 0 || text.charCodeAt(at) !== 34 /* '"' */) continue;
    const close = closingQuote(text, at + 1);
    if (close === -1 || !text.startsWith(": {", close + 1)) continue;
    const depth = indent / 4 - 1;
    if (depth > stack.length) return undefined;
    const name = unescapeKey(text.slice(at + 1, close));
    if (name === undefined) return undefined;
    stack.length = depth;
    const key = depth === 0 ? `${NODE_MODULES}${name}` : `${stack[depth - 1]}/${NODE_MODULES}${name}`;
    stack.push(key);
    if (!lines.has(key)) lines.set(key, line);
  }
  return lines;
}

/** Reads the JSON string whose content starts at `from` (just after the opening quote). */
function readKey(text: string, from: number): string | undefined {
  const close = closingQuote(text, from);
  return close === -1 ? undefined : unescapeKey(text.slice(from, close));
}

/** Index of the quote that closes the JSON string whose content starts at `from`, or -1. */
function closingQuote(text: string, from: number): number {
  let close = text.indexOf('"', from);
  while (close !== -1) {
    let backslashes = 0;
    for (let i = close - 1; i >= from && text.charCodeAt(i) === 92; i--) backslashes++;
    if (backslashes % 2 === 0) return close;
    close = text.indexOf('"', close + 1);
  }
  return -1;
}

function unescapeKey(raw: string): string | undefined {
  if (!raw.includes("\\")) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

/** Counts lines forwards only, so a whole scan costs one pass over the newlines. */
class LineCounter {
  private line = 1;
  private cursor = 0;
  constructor(private readonly text: string) {}

  /** The line that starts right after the newline at `newline`. */
  lineAfter(newline: number): number {
    for (let nl = this.text.indexOf("\n", this.cursor); nl !== -1 && nl <= newline; nl = this.text.indexOf("\n", nl + 1)) {
      this.line++;
      this.cursor = nl + 1;
    }
    return this.line;
  }
}

/**
 * Sets each instance's line from the fast scan; if the scan missed any (the file is laid out in an
 * unusual way), from the slow `fallback` instead.
 */
export function assignLines(
  instances: PackageInstance[],
  scanned: Map<string, number> | undefined,
  fallback: () => Map<string, number>,
): void {
  if (scanned) {
    let complete = true;
    for (const instance of instances) {
      const line = scanned.get(instance.key);
      if (line === undefined) {
        complete = false;
        break;
      }
      instance.line = line;
    }
    if (complete) return;
  }
  const lines = fallback();
  for (const instance of instances) instance.line = lines.get(instance.key) ?? 1;
}

/** Slow but layout-proof: every key jsonc-parser reports, filtered by `keyOf`. */
export function keyLinesFromVisitor(
  text: string,
  keyOf: (path: JSONPath, property: string) => string | undefined,
): Map<string, number> {
  const lines = new Map<string, number>();
  visit(
    text,
    {
      onObjectProperty(property, _offset, _length, startLine, _startCharacter, pathSupplier) {
        const key = keyOf(pathSupplier(), property);
        if (key !== undefined && !lines.has(key)) lines.set(key, startLine + 1);
      },
    },
    { allowTrailingComma: true },
  );
  return lines;
}
