/** The registry as the review sees it: an adapter passed in, so tests and the CLI can choose. */

/** The parts of a packument (the registry's document for a package name) that Tollgate reads. */
export interface Packument {
  name: string;
  "dist-tags"?: Record<string, string>;
  versions: Record<string, PackumentVersion>;
  /** Publish times by version; mirrors may serve their own times here. */
  time?: Record<string, string>;
}

export interface PackumentVersion {
  name: string;
  version: string;
  /** The deprecation message, when the version is deprecated. */
  deprecated?: string | boolean;
  dist?: { tarball?: string; integrity?: string; shasum?: string };
  scripts?: Record<string, string>;
}

export interface Registry {
  /** The registry's URL for a package (scoped packages may live elsewhere), for messages. */
  urlFor(name: string): string;
  /** The packument, or undefined when the registry says the package does not exist. Throws when the registry cannot be reached. */
  packument(name: string, signal?: AbortSignal): Promise<Packument | undefined>;
}
