/** A package's release history as its packument tells it: version order, predecessors, publish times. */

import semver from "semver";
import type { Packument, PackumentVersion } from "../registry/registry.js";

/** The packument's versions that are valid semver, oldest first. */
export function versionsInOrder(packument: Packument): string[] {
  return Object.keys(packument.versions)
    .filter((version) => semver.valid(version) !== null)
    .sort(semver.compare);
}

/**
 * The version released before `version` in the registry's history: the highest lower version,
 * skipping prereleases unless `version` is one (a 2.0.0-beta is not what 1.9.0 users had).
 */
export function registryPredecessor(packument: Packument, version: string): string | undefined {
  if (!semver.valid(version)) return undefined;
  const prerelease = semver.prerelease(version) !== null;
  let best: string | undefined;
  for (const candidate of versionsInOrder(packument)) {
    if (semver.compare(candidate, version) >= 0) break;
    if (!prerelease && semver.prerelease(candidate) !== null) continue;
    best = candidate;
  }
  return best;
}

/** What the change compares against: the version the lockfile had, when the registry has it, else the registry's predecessor. */
export function baselineOf(
  packument: Packument,
  version: string,
  previousVersion: string | undefined,
): { version: string; record: PackumentVersion; fromLockfile: boolean } | undefined {
  if (previousVersion && previousVersion !== version) {
    const record = packument.versions[previousVersion];
    if (record) return { version: previousVersion, record, fromLockfile: true };
  }
  const predecessor = registryPredecessor(packument, version);
  const record = predecessor === undefined ? undefined : packument.versions[predecessor];
  return predecessor !== undefined && record ? { version: predecessor, record, fromLockfile: false } : undefined;
}

/**
 * Publish times, when the packument's `time` can be believed. The public registry always writes
 * `created` and `modified` next to the per-version times; a document without them (a mirror that
 * serves its own copy times, an abbreviated packument) or whose version time falls outside them is
 * not a record of publication, and recency must not be judged from it.
 */
export function trustedPublishTime(packument: Packument, version: string): Date | undefined {
  const time = packument.time;
  if (!time) return undefined;
  const created = parseTime(time.created);
  const modified = parseTime(time.modified);
  const published = parseTime(time[version]);
  if (!created || !modified || !published) return undefined;
  // A minute of slack: the registry writes `created` and the first version's time separately.
  const slack = 60_000;
  if (published.getTime() < created.getTime() - slack || published.getTime() > modified.getTime() + slack) return undefined;
  return published;
}

/** Whether the packument carries publish times at all (any version with a trusted time). */
export function hasTrustedTimes(packument: Packument): boolean {
  return Object.keys(packument.versions).some((version) => trustedPublishTime(packument, version) !== undefined);
}

/**
 * The versions published before `version`: by publish time when times are trusted (a 0.x
 * backport published after 1.x counts 1.x as earlier), else every lower semver version.
 */
export function earlierVersions(packument: Packument, version: string, trustTimes: boolean): string[] {
  const own = trustTimes ? trustedPublishTime(packument, version) : undefined;
  if (own) {
    return Object.keys(packument.versions).filter((other) => {
      if (other === version) return false;
      const at = trustedPublishTime(packument, other);
      return at !== undefined && at.getTime() < own.getTime();
    });
  }
  if (!semver.valid(version)) return [];
  return versionsInOrder(packument).filter((other) => semver.lt(other, version));
}

function parseTime(value: string | undefined): Date | undefined {
  if (typeof value !== "string") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
