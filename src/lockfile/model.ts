/**
 * The normalised lockfile model: every supported format parses into this shape, so the diff,
 * the review and the report never need to know which package manager wrote a file.
 */

/** Which package manager wrote the lockfile. */
export type LockfileFormat = "npm" | "yarn-classic" | "yarn-berry" | "pnpm" | "bun";

/** Where an installed package comes from. */
export type SourceKind = "registry" | "git" | "tarball" | "file" | "link" | "workspace";

/** One installed package instance, as the lockfile records it. */
export interface PackageInstance {
  /** The real package name (for an `npm:` alias, the package the alias points to). */
  name: string;
  /** The exact version; for git, tarball, file and link sources the version the lockfile records, or "0.0.0" when it records none. */
  version: string;
  /** Where the package comes from. */
  source: SourceKind;
  /** The resolved URL, git URL with commit, or path, when the lockfile records one. */
  resolved?: string;
  /**
   * Integrity as recorded: an SRI string (`sha512-…`, `sha1-…`) for npm, yarn classic, pnpm and bun;
   * `berry:<cacheKey>/<checksum>` for yarn berry (the checksum depends on the cache key, so two
   * berry checksums are only comparable under the same key).
   */
  integrity?: string;
  /** The name the package is installed under, when it differs from `name` (`"my-ms": "npm:ms@2.1.3"`). */
  alias?: string;
  /** Only needed by development dependencies. */
  dev: boolean;
  /** Optional (an optional dependency, or npm's devOptional). */
  optional: boolean;
  /** Installed to satisfy a peer dependency. */
  peer: boolean;
  /** Declared directly by the root package or a workspace. */
  direct: boolean;
  /** The workspaces that declare it directly ("" is the root package); empty for transitive packages. */
  workspaces: string[];
  /** 1-based line of this entry in the lockfile. */
  line: number;
  /** The entry's key in the lockfile (npm install path, yarn descriptor list, pnpm key), for messages. */
  key: string;
}

/** A parsed lockfile. */
export interface Lockfile {
  /** The path of the lockfile in the repository, as given to the parser. */
  path: string;
  format: LockfileFormat;
  /** The lockfile's own version (npm lockfileVersion, berry `__metadata.version`, pnpm lockfileVersion, bun lockfileVersion). */
  formatVersion: string;
  /** Every installed third-party package instance. Workspaces and the root project are not included. */
  packages: PackageInstance[];
  /** Workspace paths relative to the lockfile's folder ("" for the root). */
  workspaces: string[];
  /** Things the parser could read but that a reader should know (an unknown newer format version, …). */
  warnings: string[];
}

/** Why a lockfile could not be read. Always names the file; names the line when it is known. */
export class LockfileError extends Error {
  override readonly name = "LockfileError";
  constructor(
    /** The lockfile's path. */
    readonly file: string,
    /** 1-based line of the problem, when known. */
    readonly line: number | undefined,
    /** What is wrong, in a sentence a user can act on. */
    readonly problem: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ""}: ${problem}`);
  }
}

/** The dependency sections of a package.json, in the order npm reads them. */
export const DEPENDENCY_SECTIONS = [
  "dependencies",
  "devDependencies",
  "optionalDependencies",
  "peerDependencies",
] as const;
export type DependencySection = (typeof DEPENDENCY_SECTIONS)[number];
