import type { Manifest } from "./manifest.js";

/**
 * What a parser may use besides the lockfile text. Formats that do not record which packages are
 * direct or dev-only (yarn) work it out from the manifests; the others ignore them.
 */
export interface ParseContext {
  /** The package.json of the root ("") and of each workspace, keyed by folder relative to the lockfile. */
  manifests?: ReadonlyMap<string, Manifest>;
}
