/** The registry as the review sees it: an adapter passed in, so tests and the CLI can choose. */

/** The parts of a packument (the registry's document for a package name) that Tollgate reads. */
export interface Packument {
  name: string;
  "dist-tags"?: Record<string, string>;
  versions: Record<string, PackumentVersion>;
  /**
   * Publish times by version, plus `created` and `modified` on the public registry. Mirrors may
   * serve their own times here, and abbreviated packuments have none.
   */
  time?: Record<string, string>;
  /** The package's current maintainers (registry accounts). */
  maintainers?: RegistryAccount[];
}

/**
 * A registry account as the public registry records it. Mirrors may pass the package.json's own
 * `maintainers` through instead (names of people, or strings), so readers check the shape.
 */
export interface RegistryAccount {
  name: string;
  email?: string;
  /** Set on `_npmUser` when the version was published by trusted publishing (OIDC from CI). */
  trustedPublisher?: { id: string; oidcConfigId?: string };
}

/** One signature the registry made over `${name}@${version}:${integrity}`. */
export interface RegistrySignature {
  /** The key's id as the registry's key list gives it (`SHA256:…`). */
  keyid: string;
  /** Base64 DER ECDSA signature. */
  sig: string;
}

export interface PackumentVersion {
  name: string;
  version: string;
  /** The deprecation message, when the version is deprecated. */
  deprecated?: string | boolean;
  dist?: {
    tarball?: string;
    integrity?: string;
    shasum?: string;
    /** The registry's signatures (public registry: every version); mirrors may strip them. */
    signatures?: RegistrySignature[];
    /** Where the version's attestations are, and the provenance statement's type when there is one. */
    attestations?: { url: string; provenance?: { predicateType: string } };
  };
  scripts?: Record<string, string>;
  /** The account that published the version (public registry only; mirrors may strip it). */
  _npmUser?: RegistryAccount;
  /** The package's maintainers when the version was published. */
  maintainers?: RegistryAccount[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  bin?: string | Record<string, string>;
  directories?: { bin?: string };
  /** The package has a binding.gyp: npm runs `node-gyp rebuild` when it has no install script of its own. */
  gypfile?: boolean;
  /** Set by the registry when the version has preinstall, install or postinstall (or an implicit gyp build). */
  hasInstallScript?: boolean;
  gitHead?: string;
}

export interface Registry {
  /** The registry's URL for a package (scoped packages may live elsewhere), for messages. */
  urlFor(name: string): string;
  /** The packument, or undefined when the registry says the package does not exist. Throws when the registry cannot be reached. */
  packument(name: string, signal?: AbortSignal): Promise<Packument | undefined>;
  /**
   * The version's tarball, checked against `integrity` when given. Throws `TarballIntegrityError`
   * when the content differs, `TarballNotFoundError` when the registry does not have it.
   */
  tarball(name: string, version: string, integrity: string | undefined, signal?: AbortSignal): Promise<Buffer>;
}

/** The registry's tarball is not the one the lockfile recorded. */
export class TarballIntegrityError extends Error {
  override name = "TarballIntegrityError";
  constructor(
    readonly expected: string,
    readonly actual: string | undefined,
  ) {
    super(`the tarball's content does not match the lockfile's integrity (${expected.slice(0, 20)}…)`);
  }
}

/** The registry has no tarball for the version. */
export class TarballNotFoundError extends Error {
  override name = "TarballNotFoundError";
}
