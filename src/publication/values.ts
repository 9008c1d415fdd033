/** Reading untyped JSON (a package.json, a packument from a registry that may say less or more). */

/** A plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The string-valued entries of an object (a dependency map, a scripts map); other values are dropped. */
export function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const result: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) if (typeof entry === "string") result[key] = entry;
  return result;
}

/** The strings of an array; anything else is an empty list. */
export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === "string") : [];
}
