/*
 * Descriptors (`name@range`) and locators (`name@protocol:reference`) as yarn writes them, and the
 * `name@version` keys of pnpm 6 and 9, which have the same shape.
 */

/** `@scope/name@range` -> { name, range }; undefined when there is no name or no `@`. */
export function splitDescriptor(descriptor: string): { name: string; range: string } | undefined {
  const at = descriptor.indexOf("@", descriptor.startsWith("@") ? descriptor.indexOf("/") + 1 : 1);
  if (at <= 0 || (descriptor.startsWith("@") && descriptor.indexOf("/") === -1)) return undefined;
  return { name: descriptor.slice(0, at), range: descriptor.slice(at + 1) };
}

/** `npm:ms@2.1.3` installed as `my-ms` -> { name: "ms", range: "2.1.3" }; anything else unchanged. */
export function unwrapAlias(installName: string, range: string): { name: string; range: string } {
  if (!range.startsWith("npm:")) return { name: installName, range };
  const inner = range.slice(4);
  const split = splitDescriptor(inner);
  // `npm:^1.2.3` is the npm protocol without an alias.
  if (!split || /^[\^~<>=*\d]/.test(inner)) return { name: installName, range: inner };
  return split;
}
