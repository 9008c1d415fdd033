/**
 * recently-published: the version is younger than the cooldown. Most hijacked releases are found
 * and removed within hours to a day or two; waiting that long before taking a release lets the
 * registry and the community catch them first.
 *
 * Severity: medium. Youth alone is no sign of harm (every release is young once), but a young
 * version is one nobody has had time to look at.
 */

import type { Alert, RepositoryLocation } from "../review/alert.js";
import { formatDuration, formatUtc } from "./text.js";

/** The cooldown when the policy names none. */
export const DEFAULT_COOLDOWN_HOURS = 48;

/** A version, its trusted publish time and the review's clock. */
export interface RecencyInput {
  name: string;
  version: string;
  previousVersion?: string;
  /** The trusted publish time (see history.ts); without one there is nothing to judge. */
  publishedAt: Date;
  now: Date;
  cooldownHours?: number;
  location: RepositoryLocation;
}

/** The recently-published alert, if the version is younger than the cooldown. */
export function recentlyPublished(input: RecencyInput): Alert | undefined {
  const cooldownHours = input.cooldownHours ?? DEFAULT_COOLDOWN_HOURS;
  const cooldown = cooldownHours * 3_600_000;
  // A time ahead of the clock (skew between hosts) counts as just published.
  const age = Math.max(0, input.now.getTime() - input.publishedAt.getTime());
  if (age >= cooldown) return undefined;
  const { name, version } = input;
  const waitUntil = new Date(input.publishedAt.getTime() + cooldown);
  const previous = input.previousVersion && input.previousVersion !== version ? input.previousVersion : undefined;
  return {
    rule: "recently-published",
    severity: "medium",
    package: previous ? { name, version, previous } : { name, version },
    message: `${name}@${version} was published ${age < 60_000 ? "less than a minute" : formatDuration(age)} ago (${formatUtc(input.publishedAt)}), within the ${cooldownHours}-hour cooldown.`,
    why: "Hijacked releases are usually discovered and removed within hours to a couple of days of publication; a version younger than that has not yet had anyone look at it.",
    action: `Wait until ${formatUtc(waitUntil)} before merging${previous ? `, or keep ${previous} until then` : ""}; if the update cannot wait, read the release's changes in the project's repository first.`,
    location: input.location,
  };
}
