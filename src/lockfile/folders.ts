import type { ParseContext } from "./context.js";

/*
 * Folder paths relative to the lockfile's folder, as lockfiles name workspaces and local packages:
 * "" for the lockfile's own folder, no leading "./", no trailing "/".
 */

/** `./packages/a/` -> `packages/a`; `.` -> "". */
export function normaliseFolder(path: string): string {
  let folder = path;
  while (folder.startsWith("./")) folder = folder.slice(2);
  while (folder.endsWith("/")) folder = folder.slice(0, -1);
  return folder === "." ? "" : folder;
}

/** `packages/a` + `../b` -> `packages/b` */
export function joinFolder(base: string, relative: string): string {
  const parts = base === "" ? [] : base.split("/");
  for (const part of relative.split("/")) {
    if (part === "" || part === ".") continue;
    // Past the lockfile's folder the path stays relative (`../outside`).
    if (part === ".." && parts.length > 0 && parts.at(-1) !== "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

/**
 * Whether a folder is a workspace: it matches the root's workspace globs (`packages/*`,
 * `!packages/private`) or the caller gave its package.json as a workspace manifest.
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
