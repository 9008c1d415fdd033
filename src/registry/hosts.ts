import type { Config } from "../config/schema.js";
import { DEFAULT_REGISTRY_HOSTS } from "../lockfile/diff.js";

/** Hosts whose tarballs count as the registry's: the public registry's and every configured one. */
export function registryHosts(config: Config): string[] {
  const configured = [config.registries.default, ...Object.values(config.registries.scopes)].map((registry) => new URL(registry.url).host);
  return [...new Set([...DEFAULT_REGISTRY_HOSTS, ...configured])];
}
