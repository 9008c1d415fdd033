import type { PackageInstance, SourceKind } from "./model.js";

/**
 * A package instance not yet classified (not direct, dev, optional or peer; no workspaces), with
 * `resolved`, `integrity` and `alias` only when they are known. The fields keep one order, which is
 * the order the JSON report shows them in.
 */
export function newPackageInstance(
  name: string,
  version: string,
  source: SourceKind,
  key: string,
  line: number,
  known: { resolved?: string | undefined; integrity?: string | undefined; alias?: string | undefined },
): PackageInstance {
  const instance: PackageInstance = {
    name,
    version,
    source,
    dev: false,
    optional: false,
    peer: false,
    direct: false,
    workspaces: [],
    line,
    key,
  };
  if (known.resolved !== undefined) instance.resolved = known.resolved;
  if (known.integrity !== undefined) instance.integrity = known.integrity;
  if (known.alias !== undefined) instance.alias = known.alias;
  return instance;
}
