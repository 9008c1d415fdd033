/**
 * Merges policy objects, later ones winning: mappings merge key by key, lists add up (an
 * organisation's exceptions stay, a repository adds its own), anything else is replaced.
 */
export function mergeConfigs(configs: readonly Record<string, unknown>[]): Record<string, unknown> {
  return configs.reduce<Record<string, unknown>>((merged, config) => mergeValue(merged, config) as Record<string, unknown>, {});
}

function mergeValue(base: unknown, override: unknown): unknown {
  if (Array.isArray(base) && Array.isArray(override)) return [...base, ...override];
  if (isPlainObject(base) && isPlainObject(override)) {
    const result: Record<string, unknown> = { ...base };
    for (const [key, value] of Object.entries(override)) {
      if (key === "__proto__") continue;
      result[key] = Object.hasOwn(base, key) ? mergeValue(base[key], value) : value;
    }
    return result;
  }
  return override;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
