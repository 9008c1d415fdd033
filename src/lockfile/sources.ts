/*
 * What resolved URLs and dependency specs say about where a package comes from: git URLs and the
 * archives git hosts serve, registry tarball URLs, and versions from tarball file names. Each parser
 * combines these into a SourceKind the way its format needs.
 */

export function isHttpUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

const GIT_PREFIX = /^(?:git\+|git:\/\/|git@|github:|gitlab:|bitbucket:|gist:)/i;

/**
 * A spec written with a git protocol or a git host's shorthand (`git+https://…`, `git://…`,
 * `git@host:…`, `github:user/repo`): how npm and bun record git sources.
 */
export function hasGitPrefix(spec: string): boolean {
  return GIT_PREFIX.test(spec);
}

/**
 * Any git URL as yarn and pnpm write them: one with a git prefix (see `hasGitPrefix`), an `ssh://`
 * URL, or an http(s) URL of a `.git` repository (`https://host/user/repo.git#ref`).
 */
export function isGitUrl(url: string): boolean {
  return GIT_PREFIX.test(url) || /^ssh:\/\//i.test(url) || /^https?:\/\/[^#]+\.git(?:#|$)/i.test(url);
}

/** `user/repo` or `user/repo#ref`: the GitHub shorthand. */
export function isGitShorthand(spec: string): boolean {
  return /^[\w.-]+\/[\w.-]+(?:#.*)?$/.test(spec) && !spec.startsWith(".");
}

/** A tarball served by a git host from a repository at a commit: it is git source, not a release. */
export function isGitHostArchive(url: string): boolean {
  const match = /^https?:\/\/([^/?#]+)(\/[^?#]*)/i.exec(url);
  if (!match) return false;
  const host = match[1]!.toLowerCase();
  const pathname = match[2]!;
  if (host === "codeload.github.com") return true;
  if (host === "github.com" && /^\/[^/]+\/[^/]+\/(?:archive|tarball)\//.test(pathname)) return true;
  if (host === "api.github.com" && /^\/repos\/[^/]+\/[^/]+\/tarball\//.test(pathname)) return true;
  if (/(?:^|\.)gitlab\.com$/.test(host) && pathname.includes("/-/archive/")) return true;
  if (host === "bitbucket.org" && /^\/[^/]+\/[^/]+\/get\//.test(pathname)) return true;
  return false;
}

/**
 * A URL laid out the way npm registries serve tarballs, `<registry>/<name>/-/<file>.tgz`, on any
 * host, for any package.
 */
export function isRegistryTarballUrl(url: string): boolean {
  if (url.startsWith("https://registry.npmjs.org/")) return url.includes("/-/") && url.endsWith(".tgz");
  return /^https?:\/\/[^/?#]+\/(?:[^?#]*\/)?-\/[^/?#]+\.tgz(?:[?#]|$)/i.test(url);
}

/**
 * A registry tarball URL (`<registry>/<name>/-/<unscoped name>-<version>.tgz`, on any host) of exactly
 * this name and version.
 */
export function isRegistryTarballOf(url: string, name: string, version: string): boolean {
  const match = /^https?:\/\/[^/?#]+(\/[^?#]*)/i.exec(url);
  if (!match) return false;
  let pathname: string;
  try {
    pathname = decodeURIComponent(match[1]!);
  } catch {
    return false;
  }
  const unscoped = name.slice(name.lastIndexOf("/") + 1);
  return pathname.endsWith(`/${name}/-/${unscoped}-${version}.tgz`);
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
