import semver from "semver";
import type { Lockfile, PackageInstance, SourceKind } from "./model.js";

/**
 * - `added`, `removed`: a version appears or disappears (a dedupe `8.21.0 + 8.21.1 -> 8.21.1` is a removal).
 * - `updated`: one version replaced another.
 * - `changed`: the same version, but something a reviewer must see (different content, now in production).
 */
export type ChangeType = "added" | "removed" | "updated" | "changed";

/** Facts about a change that a reviewer must see beyond the versions. */
export type ChangeFlag =
  | { kind: "source-changed"; from: SourceKind; to: SourceKind }
  | { kind: "non-registry-host"; host: string }
  | { kind: "integrity-changed"; from: string; to: string }
  | { kind: "dev-to-production" };

export interface DependencyChange {
  name: string;
  type: ChangeType;
  /** The version before, or null when added. */
  from: string | null;
  /** The version after, or null when removed. */
  to: string | null;
  /** The instance in the base lockfile (the first of several at the same version). */
  base?: PackageInstance;
  /** The instance in the head lockfile (its line is the annotation's line). */
  head?: PackageInstance;
  flags: ChangeFlag[];
}

export interface DiffOptions {
  /** Hosts that count as the registry; a package resolved elsewhere is flagged. */
  registryHosts?: readonly string[];
}

export const DEFAULT_REGISTRY_HOSTS = ["registry.npmjs.org", "registry.yarnpkg.com"] as const;

/**
 * Compares the version sets of each package name. Where a path moved (hoisting), the format was
 * upgraded or entries were reordered, the version sets are equal and nothing is reported.
 */
export function diffLockfiles(base: Lockfile | undefined, head: Lockfile | undefined, options: DiffOptions = {}): DependencyChange[] {
  const registryHosts = new Set(options.registryHosts ?? DEFAULT_REGISTRY_HOSTS);
  const before = groupByName(base?.packages ?? []);
  const after = groupByName(head?.packages ?? []);
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: DependencyChange[] = [];
  for (const name of names) {
    const baseVersions = before.get(name) ?? new Map<string, PackageInstance[]>();
    const headVersions = after.get(name) ?? new Map<string, PackageInstance[]>();
    const removed = sortVersions([...baseVersions.keys()].filter((key) => !headVersions.has(key)), baseVersions);
    const added = sortVersions([...headVersions.keys()].filter((key) => !baseVersions.has(key)), headVersions);

    for (const [fromKey, toKey] of pairUpdates(removed, added, baseVersions, headVersions)) {
      const from = fromKey === undefined ? undefined : baseVersions.get(fromKey)![0]!;
      const to = toKey === undefined ? undefined : headVersions.get(toKey)![0]!;
      const type = from && to ? "updated" : from ? "removed" : "added";
      const flags: ChangeFlag[] = [];
      if (from && to && from.source !== to.source) flags.push({ kind: "source-changed", from: from.source, to: to.source });
      if (from && to && isDevOnly(baseVersions.get(fromKey!)!) && !isDevOnly(headVersions.get(toKey!)!)) {
        flags.push({ kind: "dev-to-production" });
      }
      if (to) flags.push(...hostFlags(to, registryHosts));
      changes.push({ name, type, from: from?.version ?? null, to: to?.version ?? null, base: from, head: to, flags });
    }

    for (const [key, headInstances] of headVersions) {
      const baseInstances = baseVersions.get(key);
      if (!baseInstances) continue;
      const flags: ChangeFlag[] = [];
      const integrity = integrityChange(baseInstances, headInstances);
      if (integrity) flags.push(integrity, ...hostFlags(headInstances[0]!, registryHosts));
      if (isDevOnly(baseInstances) && !isDevOnly(headInstances)) flags.push({ kind: "dev-to-production" });
      if (flags.length === 0) continue;
      const head = headInstances.find((instance) => !instance.dev) ?? headInstances[0]!;
      changes.push({ name, type: "changed", from: head.version, to: head.version, base: baseInstances[0], head, flags });
    }
  }
  return changes;
}

/** A registry package is identified by its version; anything else also by where it comes from. */
function versionKey(instance: PackageInstance): string {
  return instance.source === "registry" ? instance.version : `${instance.version} ${instance.source}:${instance.resolved ?? ""}`;
}

function groupByName(packages: readonly PackageInstance[]): Map<string, Map<string, PackageInstance[]>> {
  const byName = new Map<string, Map<string, PackageInstance[]>>();
  for (const instance of packages) {
    let versions = byName.get(instance.name);
    if (!versions) byName.set(instance.name, (versions = new Map()));
    const key = versionKey(instance);
    const list = versions.get(key);
    if (list) list.push(instance);
    else versions.set(key, [instance]);
  }
  return byName;
}

function sortVersions(keys: string[], versions: Map<string, PackageInstance[]>): string[] {
  return keys.sort((a, b) => compareVersions(versions.get(a)![0]!.version, versions.get(b)![0]!.version) || a.localeCompare(b));
}

function compareVersions(a: string, b: string): number {
  const left = semver.valid(a);
  const right = semver.valid(b);
  if (left && right) return semver.compare(left, right);
  return a.localeCompare(b);
}

/**
 * Pairs each removed version with the added version that replaced it. First by install path (npm
 * and bun record where each copy lives, yarn the ranges it satisfies): the copy at the same place
 * was replaced. Then by version, newest removed first: the closest version not below it (same
 * major first), else the newest below it, so an update is never shown as a downgrade when an
 * upgrade is at hand. Whatever stays unpaired is a plain addition or removal. Updates come first,
 * then additions, then removals, each in version order.
 */
function pairUpdates(
  removed: string[],
  added: string[],
  baseVersions: Map<string, PackageInstance[]>,
  headVersions: Map<string, PackageInstance[]>,
): [string | undefined, string | undefined][] {
  const pairs: [string, string][] = [];
  const left = new Set(removed);
  const right = new Set(added);
  const take = (fromKey: string, toKey: string) => {
    pairs.push([fromKey, toKey]);
    left.delete(fromKey);
    right.delete(toKey);
  };
  for (const fromKey of removed) {
    const places = new Set(baseVersions.get(fromKey)!.map((instance) => instance.key));
    const toKey = added.find((key) => right.has(key) && headVersions.get(key)!.some((instance) => places.has(instance.key)));
    if (toKey) take(fromKey, toKey);
  }
  const version = (map: Map<string, PackageInstance[]>, key: string) => map.get(key)![0]!.version;
  for (const fromKey of [...left].reverse()) {
    if (right.size === 0) break;
    const from = version(baseVersions, fromKey);
    const candidates = [...right];
    const notBelow = candidates.filter((key) => compareVersions(version(headVersions, key), from) >= 0);
    const sameMajor = notBelow.filter((key) => sameMajorVersion(from, version(headVersions, key)));
    take(fromKey, sameMajor[0] ?? notBelow[0] ?? candidates.at(-1)!);
  }
  pairs.sort((a, b) => compareVersions(version(headVersions, a[1]), version(headVersions, b[1])));
  return [...pairs, ...[...right].map((key): [undefined, string] => [undefined, key]), ...[...left].map((key): [string, undefined] => [key, undefined])];
}

function sameMajorVersion(a: string, b: string): boolean {
  return semver.valid(a) !== null && semver.valid(b) !== null && semver.major(a) === semver.major(b);
}

function isDevOnly(instances: readonly PackageInstance[]): boolean {
  return instances.every((instance) => instance.dev);
}

/** Integrities are compared only when written the same way (same algorithm, same berry cache key). */
function integrityChange(base: readonly PackageInstance[], head: readonly PackageInstance[]): ChangeFlag | undefined {
  // Nearly every unchanged package has the very same string on both sides: settle that first.
  if (base.length === 1 && head.length === 1 && base[0]!.integrity === head[0]!.integrity) return undefined;
  for (const after of head) {
    if (!after.integrity) continue;
    for (const before of base) {
      if (before.integrity === after.integrity) return undefined;
      if (!before.integrity || integrityScheme(before.integrity) !== integrityScheme(after.integrity)) continue;
      if (sameIntegrity(before.integrity, after.integrity)) return undefined;
      return { kind: "integrity-changed", from: before.integrity, to: after.integrity };
    }
  }
  return undefined;
}

function integrityScheme(integrity: string): string {
  return integrity.startsWith("berry:") ? integrity.slice(0, integrity.indexOf("/")) : integrity.slice(0, integrity.indexOf("-"));
}

/** An SRI string may list several hashes; any one in common means the same content. */
function sameIntegrity(a: string, b: string): boolean {
  const hashes = new Set(a.split(/\s+/));
  return b.split(/\s+/).some((hash) => hashes.has(hash));
}

function hostFlags(instance: PackageInstance, registryHosts: ReadonlySet<string>): ChangeFlag[] {
  if (instance.source !== "registry" || !instance.resolved) return [];
  const host = hostOf(instance.resolved);
  return host && !registryHosts.has(host) ? [{ kind: "non-registry-host", host }] : [];
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
