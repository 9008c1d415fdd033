import type { Packument } from "../registry/registry.js";
import type { Alert, RepositoryLocation } from "./alert.js";

/** Alerts from the registry's record of a version: gone, or deprecated. `packument` is undefined when the package is gone. */
export function registrySignals(
  name: string,
  version: string,
  packument: Packument | undefined,
  registryUrl: string,
  location: RepositoryLocation,
): Alert[] {
  const pkg = { name, version };
  const record = packument?.versions[version];
  if (!record) {
    return [
      {
        rule: "not-found",
        severity: "high",
        package: pkg,
        message: !packument
          ? `${name} does not exist on ${registryUrl}.`
          : Object.keys(packument.versions).length === 0
            ? `${name}@${version} is not on ${registryUrl}: the name is registered but has no versions left (every version was unpublished or removed).`
            : `${name}@${version} is not on ${registryUrl} (the package exists, this version does not).`,
        why: "A version that was unpublished or removed for malware cannot be installed from the registry; a lockfile that still names it gets it from a cache or elsewhere.",
        action: "Choose a version that is on the registry and regenerate the lockfile.",
        location,
      },
    ];
  }
  if (record.deprecated) {
    const note = typeof record.deprecated === "string" ? `: "${record.deprecated}"` : "";
    return [
      {
        rule: "deprecated",
        severity: "low",
        package: pkg,
        message: `${name}@${version} is deprecated${note}.`,
        why: "Deprecated versions no longer get fixes, and maintainers deprecate versions that are broken or unsafe.",
        action: "Move to a supported version, or record why this one is acceptable as an exception.",
        location,
      },
    ];
  }
  return [];
}
