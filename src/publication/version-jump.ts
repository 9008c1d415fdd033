/**
 * version-jump: an update to a version far beyond the previous one (1.2.3 to 99.0.0), the shape of
 * a dependency-confusion attack: someone publishes a project's internal package name on the
 * public registry with a version higher than any internal one, and the resolver picks it.
 *
 * Far: ten or more major versions up (from 0.x, to 10.0.0 or beyond), with no release in between
 * on the registry; a project that skipped majors the package really published is only late.
 *
 * Severity: high when the registry does not have the previous version at all (it came from
 * somewhere else: the lockfile's version is private and this one is not); medium otherwise.
 */

import semver from "semver";
import type { Packument } from "../registry/registry.js";
import type { Alert, RepositoryLocation } from "../review/alert.js";
import { versionsInOrder } from "./history.js";

/** Major versions an update must climb, with nothing published between, to count as a jump. */
export const JUMP_MAJORS = 10;

/** An update to check, with the registry's packument when there is one. */
export interface VersionJumpInput {
  name: string;
  version: string;
  /** The version the lockfile had; a package new to the lockfile has nothing to jump from. */
  previousVersion?: string;
  /** The registry's packument for the name, when there is one; without it the jump is judged on the versions alone. */
  packument?: Packument;
  registryUrl: string;
  location: RepositoryLocation;
}

/** The version-jump alert, if the update climbs far beyond the previous version. */
export function versionJump(input: VersionJumpInput): Alert | undefined {
  const { name, version, previousVersion, packument } = input;
  const to = semver.valid(version);
  const from = previousVersion ? semver.valid(previousVersion) : null;
  if (!to || !from || semver.lte(to, from)) return undefined;
  if (semver.major(to) - semver.major(from) < JUMP_MAJORS) return undefined;

  const known = packument ? versionsInOrder(packument) : [];
  // A release in a major between the two: prereleases of the target's own major (15.0.0-rc.1
  // before 15.0.0) are not, or react 0.14 → 15 would hide its fourteen unpublished majors.
  const between = known.filter((other) => semver.major(other) > semver.major(from) && semver.major(other) < semver.major(to));
  if (between.length > 0) return undefined;
  const previousMissing = packument !== undefined && packument.versions[from] === undefined;
  const others = known.filter((other) => other !== to);
  const history = previousMissing
    ? others.length === 0
      ? `; ${input.registryUrl} has no other version of ${name}, and not ${from}`
      : `; ${input.registryUrl} does not have ${from} at all`
    : packument
      ? `, with nothing published in between`
      : "";
  return {
    rule: "version-jump",
    severity: previousMissing ? "high" : "medium",
    package: { name, version, previous: previousVersion! },
    message: `${name} jumps from ${previousVersion} to ${version}${history}.`,
    why: "Dependency-confusion attacks publish a project's internal package name on the public registry with a version higher than any internal one, so that the resolver takes theirs; a legitimate package rarely skips ten major versions at once.",
    action: previousMissing
      ? `Check where ${name}@${previousVersion} came from: if it is an internal package, pin its scope or name to the internal registry (.npmrc) and restore ${previousVersion}.`
      : `Confirm with ${name}'s changelog that ${version} is a real release of the same project; otherwise keep ${previousVersion}.`,
    location: input.location,
  };
}
