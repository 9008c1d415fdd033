import type { ParseContext } from "./context.js";
import { asLockfileError, clip, conflictMarkersError } from "./errors.js";
import { checkIntegrity } from "./integrity.js";
import { conflictMarkerLine } from "./lines.js";
import { newPackageInstance } from "./package-instance.js";
import { LockfileError, type Lockfile, type PackageInstance, type SourceKind } from "./model.js";
import { closingQuote, jsonStringValue } from "./quoted-strings.js";
import { applyReach, classifyReach, markDirect, type ReachEdge, type ReachRoot } from "./reachability.js";
import { isGitHostArchive, isGitShorthand, isGitUrl, isHttpUrl, isRegistryTarballOf } from "./sources.js";
import { splitDescriptor, unwrapAlias } from "./yarn-descriptors.js";

/*
 * yarn 1 `yarn.lock` ("# yarn lockfile v1").
 *
 * Each entry is keyed by the comma-separated descriptors (`name@range`) it satisfies and records
 * version, resolved, integrity and the descriptors it depends on. It records nothing about which
 * packages are direct, dev-only or optional, nor any peer dependency: those come from the root and
 * workspace manifests in the context (a descriptor `name@spec` a manifest declares is direct), then
 * from walking the dependency descriptors (see `classifyReach`). Workspaces themselves never appear.
 *
 * The format is a strict, line-based subset of YAML that yarn always writes the same way (keys at
 * column 0, fields at 2 spaces, dependency lists at 4), so it is read here with one linear pass that
 * knows every entry's line, rather than with @yarnpkg/parsers' PEG grammar (several times slower,
 * and it does not keep lines).
 *
 * Sources, from `resolved` refined by the descriptor ranges:
 * - git: a `git+…`/`git://`/`ssh://` URL, or a tarball from a git host's archive endpoint
 *   (codeload.github.com, GitLab's `/-/archive/`, Bitbucket's `/get/`): yarn resolves `github:`
 *   and `user/repo#ref` dependencies to those tarballs;
 * - registry: an http(s) URL laid out the way npm registries serve tarballs
 *   (`<registry>/<name>/-/<name>-<version>.tgz`, the name and version matching the entry), on any
 *   host, because private registries and mirrors use the same layout and the diff flags hosts that
 *   are not the public registry;
 * - tarball: any other URL, and any URL the project declared as a URL even when it points at a
 *   registry tarball (the dependency is then pinned to that file, not to a registry version; the npm
 *   parser reads it the same way);
 * - file / link: `file:` and `link:` descriptors, which have no `resolved`.
 */

const FIX = "regenerate the lockfile with `yarn install`";

export function parseYarnClassicLockfile(path: string, text: string, context: ParseContext = {}): Lockfile {
  try {
    return parseClassic(path, text, context);
  } catch (error) {
    // A committed conflict never reads (the "=======" line git writes in every conflict is neither
    // an entry key nor indented), so the markers are looked for only once reading fails: that keeps
    // the scan off the common path, where parseLockfile has looked for them already.
    const conflict = conflictMarkerLine(text);
    if (conflict !== undefined) throw conflictMarkersError(path, conflict, FIX);
    // A bug must still come out as an error that names the file.
    throw asLockfileError(path, error, FIX);
  }
}

interface ClassicEntry {
  /** The descriptors as written, unquoted. */
  descriptors: string[];
  line: number;
  fields: Map<string, { value: string; line: number }>;
  dependencies: Map<string, string>;
  optionalDependencies: Map<string, string>;
}

function parseClassic(path: string, text: string, context: ParseContext): Lockfile {
  // Every line that is not blank or a comment becomes part of an entry or an error, so a file
  // without entries is one without content (a project with no dependencies).
  const entries = readEntries(path, text);

  const packages: PackageInstance[] = [];
  for (const entry of entries) packages.push(toInstance(path, entry));

  // Graph: every descriptor names the entry (node) that satisfies it.
  const byDescriptor = new Map<string, number>();
  entries.forEach((entry, index) => {
    for (const descriptor of entry.descriptors) byDescriptor.set(descriptor, index);
  });
  const edges = entries.map((entry) => {
    const list: ReachEdge[] = [];
    for (const [name, range] of entry.dependencies) {
      const target = byDescriptor.get(`${name}@${range}`);
      if (target !== undefined) list.push({ target, optional: false });
    }
    for (const [name, range] of entry.optionalDependencies) {
      const target = byDescriptor.get(`${name}@${range}`);
      if (target !== undefined) list.push({ target, optional: true });
    }
    return list;
  });

  const warnings: string[] = [];
  const manifests = context.manifests;
  const workspaces = [""];
  if (manifests && manifests.size > 0) {
    for (const folder of [...manifests.keys()].sort()) if (folder !== "") workspaces.push(folder);
    const roots: ReachRoot[] = [];
    for (const [folder, manifest] of manifests) {
      for (const dependency of manifest.dependencies) {
        if (dependency.section === "peerDependencies") continue;
        const target = byDescriptor.get(`${dependency.name}@${dependency.spec}`);
        // Not in the lockfile: a sibling workspace (yarn links it) or a stale manifest.
        if (target === undefined) continue;
        markDirect(packages[target]!, folder);
        roots.push({
          target,
          dev: dependency.section === "devDependencies",
          optional: dependency.section === "optionalDependencies",
        });
      }
    }
    applyReach(packages, classifyReach(packages.length, edges, roots));
  } else {
    warnings.push(
      "yarn.lock does not record which dependencies are direct or dev-only and no package.json was given, so every package is reported as a transitive production dependency",
    );
  }

  return { path, format: "yarn-classic", formatVersion: "1", packages, workspaces, warnings };
}

// ---------------------------------------------------------------------------------------------
// Reading the text

function readEntries(path: string, text: string): ClassicEntry[] {
  const entries: ClassicEntry[] = [];
  let entry: ClassicEntry | undefined;
  let nested: Map<string, string> | undefined;
  let nestedName = "";
  let nestedLine = 0;
  let nestedCount = 0;
  const closeNested = () => {
    if (nested && nestedCount === 0) {
      throw new LockfileError(path, nestedLine, `"${nestedName}" has no entries under it (the file may be truncated): ${FIX}`);
    }
    nested = undefined;
  };

  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    line++;
    let raw = text.slice(start, end);
    start = end + 1;
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);

    let indent = 0;
    while (indent < raw.length && raw.charCodeAt(indent) === 32) indent++;
    if (indent === raw.length) continue;
    const first = raw.charCodeAt(indent);
    if (first === 35 /* # */) continue;
    if (first === 9 /* tab */) {
      throw new LockfileError(path, line, `is indented with a tab, which yarn never writes: ${FIX}`);
    }
    const content = raw.slice(indent).trimEnd();

    if (indent === 0) {
      closeNested();
      if (entry) finishEntry(path, entry);
      if (!content.endsWith(":")) {
        throw new LockfileError(path, line, `expected an entry key ending in ":" but found "${clip(content)}": ${FIX}`);
      }
      const descriptors = splitKey(path, line, content.slice(0, -1));
      if (descriptors.includes("__metadata")) {
        throw new LockfileError(path, line, "is a yarn 2+ lockfile (it has __metadata), not a yarn 1 lockfile");
      }
      entry = { descriptors, line, fields: new Map(), dependencies: new Map(), optionalDependencies: new Map() };
      entries.push(entry);
      continue;
    }
    if (!entry) {
      throw new LockfileError(path, line, `indented line "${clip(content)}" is not inside an entry: ${FIX}`);
    }
    if (indent === 2) {
      closeNested();
      const [name, rest] = readToken(path, line, content, 0);
      let value = rest.trim();
      if (value === ":" || (value === "" && name.endsWith(":"))) {
        // A nested map follows: `dependencies:`.
        const section = value === ":" ? name : name.slice(0, -1);
        nestedName = section;
        nestedLine = line;
        nestedCount = 0;
        if (section === "dependencies") nested = entry.dependencies;
        else if (section === "optionalDependencies") nested = entry.optionalDependencies;
        else nested = new Map();
        continue;
      }
      if (value.startsWith(":")) value = value.slice(1).trim();
      const field = name.endsWith(":") ? name.slice(0, -1) : name;
      if (value === "") {
        throw new LockfileError(path, line, `field "${field}" has no value (the file may be truncated): ${FIX}`);
      }
      entry.fields.set(field, { value: readValue(path, line, value), line });
      continue;
    }
    if (indent === 4 && nested) {
      const [rawName, rest] = readToken(path, line, content, 0);
      const name = rawName.endsWith(":") ? rawName.slice(0, -1) : rawName;
      let value = rest.trim();
      if (value.startsWith(":")) value = value.slice(1).trim();
      if (value === "") {
        throw new LockfileError(path, line, `dependency "${name}" has no range (the file may be truncated): ${FIX}`);
      }
      nested.set(name, readValue(path, line, value));
      nestedCount++;
      continue;
    }
    throw new LockfileError(path, line, `unexpected indentation of "${clip(content)}": ${FIX}`);
  }
  closeNested();
  if (entry) finishEntry(path, entry);
  return entries;
}

function finishEntry(path: string, entry: ClassicEntry): void {
  const version = entry.fields.get("version");
  if (!version || version.value === "") {
    throw new LockfileError(path, entry.line, `entry "${entry.descriptors.join(", ")}" has no version: ${FIX}`);
  }
}

/** `"a@^1", a@^2` -> ["a@^1", "a@^2"] */
function splitKey(path: string, line: number, key: string): string[] {
  const descriptors: string[] = [];
  let at = 0;
  while (at < key.length) {
    while (key[at] === " ") at++;
    let descriptor: string;
    if (key[at] === '"') {
      const close = closingQuote(key, at);
      if (close === -1) throw new LockfileError(path, line, `a quoted key is not closed: ${FIX}`);
      descriptor = unquote(path, line, key.slice(at, close + 1));
      at = close + 1;
      while (key[at] === " ") at++;
    } else {
      let comma = key.indexOf(",", at);
      if (comma === -1) comma = key.length;
      descriptor = key.slice(at, comma).trim();
      at = comma;
    }
    if (descriptor === "") throw new LockfileError(path, line, `an entry key has an empty descriptor: ${FIX}`);
    descriptors.push(descriptor);
    if (at < key.length) {
      if (key[at] !== ",") throw new LockfileError(path, line, `unexpected text in the entry key "${clip(key)}": ${FIX}`);
      at++;
      if (at >= key.length) throw new LockfileError(path, line, `an entry key ends with a comma: ${FIX}`);
    }
  }
  if (descriptors.length === 0) throw new LockfileError(path, line, `an entry key is empty: ${FIX}`);
  return descriptors;
}

/** The first token of `content` from `at` (quoted or bare) and the rest of the line. */
function readToken(path: string, line: number, content: string, at: number): [string, string] {
  if (content[at] === '"') {
    const close = closingQuote(content, at);
    if (close === -1) throw new LockfileError(path, line, `a quoted string is not closed (the file may be truncated): ${FIX}`);
    return [unquote(path, line, content.slice(at, close + 1)), content.slice(close + 1)];
  }
  let space = content.indexOf(" ", at);
  if (space === -1) space = content.length;
  return [content.slice(at, space), content.slice(space)];
}

function readValue(path: string, line: number, value: string): string {
  if (!value.startsWith('"')) return value;
  const close = closingQuote(value, 0);
  if (close === -1) throw new LockfileError(path, line, `a quoted string is not closed (the file may be truncated): ${FIX}`);
  if (close !== value.length - 1) throw new LockfileError(path, line, `unexpected text after "${clip(value)}": ${FIX}`);
  return unquote(path, line, value);
}

/** The value of a `"…"` string (the quotes included). */
function unquote(path: string, line: number, quoted: string): string {
  const value = jsonStringValue(quoted.slice(1, -1));
  if (value === undefined) throw new LockfileError(path, line, `a quoted string has an invalid escape: ${FIX}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Entries to instances

function toInstance(path: string, entry: ClassicEntry): PackageInstance {
  const key = entry.descriptors.join(", ");
  const parsed = entry.descriptors.map((descriptor) => {
    const split = splitDescriptor(descriptor);
    if (!split) throw new LockfileError(path, entry.line, `"${descriptor}" is not a name@range descriptor: ${FIX}`);
    return { installName: split.name, ...unwrapAlias(split.name, split.range) };
  });
  const main = parsed[0]!;
  const version = entry.fields.get("version")!.value;
  const resolved = entry.fields.get("resolved")?.value;
  const source = classicSource(main.name, version, main.range, resolved);
  const integrityField = entry.fields.get("integrity");
  let integrity = integrityField?.value;
  if (integrity !== undefined) checkIntegrity(path, integrityField!.line, integrity, FIX);
  else if (resolved !== undefined && (source === "registry" || source === "tarball")) integrity = sha1FromFragment(resolved);
  // Installed under another name only when no descriptor uses the real one.
  const alias = parsed.every((descriptor) => descriptor.installName !== main.name) ? main.installName : undefined;
  const where = resolved ?? (source === "file" || source === "link" ? stripProtocol(main.range) : undefined);
  return newPackageInstance(main.name, version, source, key, entry.line, { resolved: where, integrity, alias });
}

function classicSource(name: string, version: string, range: string, resolved: string | undefined): SourceKind {
  if (range.startsWith("file:")) return "file";
  if (range.startsWith("link:")) return "link";
  if (resolved !== undefined && resolved !== "") {
    if (isGitUrl(resolved) || isGitHostArchive(resolved)) return "git";
    if (isHttpUrl(resolved)) {
      if (isGitUrl(range) || isGitShorthand(range)) return "git";
      if (isHttpUrl(range)) return "tarball";
      return isRegistryTarballOf(resolved, name, version) ? "registry" : "tarball";
    }
    if (resolved.startsWith("link:")) return "link";
    return "file";
  }
  if (isGitUrl(range) || isGitShorthand(range)) return "git";
  if (isHttpUrl(range)) return "tarball";
  if (/^(?:\.{0,2}\/|~\/)/.test(range)) return "file";
  return "registry";
}

/** yarn 1 lockfiles written before integrity existed still carry the tarball's sha1 in the URL. */
function sha1FromFragment(resolved: string): string | undefined {
  const match = /#([0-9a-f]{40})$/i.exec(resolved);
  return match ? `sha1-${Buffer.from(match[1]!, "hex").toString("base64")}` : undefined;
}

/** `file:./local/dir` -> `local/dir`, the way npm and pnpm write local paths. */
function stripProtocol(range: string): string {
  let path = range.replace(/^(?:file|link|portal):/, "");
  while (path.startsWith("./")) path = path.slice(2);
  return path === "" ? "." : path;
}
