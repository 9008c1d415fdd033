/**
 * npm's implicit native build: a package with a `binding.gyp` and neither an `install` nor a
 * `preinstall` script of its own gets `node-gyp rebuild` as its install script, unless its
 * package.json sets `gypfile: false` (@npmcli/run-script, @npmcli/arborist rebuild). npm tests the
 * two scripts for truth, so an empty string counts as no script. Shared by the tarball reading
 * (analysis/install-scripts.ts, which sees the files) and the registry reading (lifecycle.ts, which
 * sees `gypfile` or `hasInstallScript`); it imports nothing, so either side may use it.
 */

/** The command npm runs for the implicit build. */
export const NODE_GYP_REBUILD = "node-gyp rebuild";

/** What decides the implicit build: the manifest's scripts and `gypfile`, and whether the package has a binding.gyp. */
export interface NodeGypInput {
  /** The manifest's `scripts` (untrusted: anything not an object is no scripts). */
  scripts: unknown;
  /** The manifest's `gypfile`: only `false` turns the implicit build off. */
  gypfile: unknown;
  /** Whether the package has a `binding.gyp` at its root (from its files, or as the registry says). */
  hasBindingGyp: boolean;
}

/** Whether npm runs `node-gyp rebuild` as the package's install script. */
export function runsImplicitNodeGyp({ scripts, gypfile, hasBindingGyp }: NodeGypInput): boolean {
  if (!hasBindingGyp || gypfile === false) return false;
  const own = typeof scripts === "object" && scripts !== null && !Array.isArray(scripts) ? (scripts as Record<string, unknown>) : {};
  return !own.install && !own.preinstall;
}
