/**
 * Publication signals: what the registry's metadata says about a new version, before any of its
 * code is read. `publicationSignals` runs every rule that needs only the packument; the rules that
 * need more (the tarball, the lockfile diff, the project's files) are exported for the review to
 * call with what it has.
 *
 * Registries that say less (mirrors, private registries, abbreviated packuments) are not
 * errors: what a registry does not provide is returned in `missing`, for the review to say once
 * per registry, and no alert is ever raised from missing data.
 */

import type { Packument } from "../registry/registry.js";
import type { Alert, RepositoryLocation } from "../review/alert.js";
import { hasTrustedTimes, trustedPublishTime } from "./history.js";
import { installScriptAdded } from "./install-script-added.js";
import type { InstallPolicy } from "./install-policy.js";
import { installCommands } from "./lifecycle.js";
import { provenanceLost, registryServesSignatures } from "./provenance.js";
import { publisherChanged, registryNamesPublishers } from "./publisher.js";
import { recentlyPublished } from "./recency.js";
import { scriptApproval } from "./script-approval.js";
import type { RegistryKey } from "./signatures.js";
import { joinWords } from "./text.js";
import { typosquatAlert } from "./typosquat.js";
import { versionJump } from "./version-jump.js";

// What the review calls with more than a packument: the tarball's manifest, the lockfile diff,
// the project's install-script settings.
export { approvalAlerts, approvalsAdded, type Approval, type ScriptedPackage } from "./approvals.js";
export { readInstallPolicy, type InstallPolicy, type ProjectFile, type ProjectSettingsFiles, type ScriptEntry } from "./install-policy.js";
export { installCommands, type InstallCommand } from "./lifecycle.js";
export { manifestConfusion, manifestConfusionAlert, type ManifestMismatch } from "./manifest-confusion.js";
export { newDependencies, type NewDependenciesOptions } from "./new-dependencies.js";
export { DEFAULT_COOLDOWN_HOURS } from "./recency.js";
export { scriptApproval, type ScriptVerdict } from "./script-approval.js";
export { checkRegistrySignature, NPM_REGISTRY_KEYS, type RegistryKey, type SignatureCheck } from "./signatures.js";
export { typosquatAlert, typosquatOf, type Typosquat } from "./typosquat.js";

/** Data a signal needs that the registry did not provide. */
export type MissingData = "publisher" | "provenance" | "publish times";

/** One added or updated registry version, with what the signals need to judge it. */
export interface PublicationInput {
  name: string;
  version: string;
  /** The version the lockfile had; undefined for a package new to the lockfile. */
  previousVersion?: string;
  /**
   * Whether the name is new to the project, so that it is checked for typosquatting; by default,
   * when there is no previous version. Pass false for another copy of a name already installed.
   */
  newName?: boolean;
  packument: Packument;
  /** The registry the packument came from, for messages. */
  registryUrl: string;
  /** Where the version is in the repository (its lockfile line, and package.json line when direct). */
  location: RepositoryLocation;
  /** The review's clock. */
  now: Date;
  /** The recently-published cooldown; 48 hours when not given. */
  cooldownHours?: number;
  /** The project's install-script settings (`readInstallPolicy`), so an install-script alert says whether the script runs. */
  installPolicy?: InstallPolicy;
  /** The registry's signing keys; the public registry's by default. */
  keys?: readonly RegistryKey[];
  /**
   * Whether to believe the packument's publish times. By default they are believed only when the
   * packument has the public registry's `created` and `modified` next to them (see history.ts).
   */
  trustTimes?: boolean;
  /** Marks the alerts of a package only installed for development. */
  devOnly?: boolean;
}

/** The alerts for a version, and what the registry did not provide to judge it. */
export interface PublicationResult {
  alerts: Alert[];
  /** What the registry did not provide for this version, so the checks that need it were not made. */
  missing: MissingData[];
}

/**
 * The publication signals of one added or updated registry version: typosquat (for a package new
 * to the lockfile), version-jump, publisher-changed, provenance-lost, recently-published and
 * install-script-added. Returns nothing for a version the packument does not have (the review's
 * not-found rule covers that).
 */
export function publicationSignals(input: PublicationInput): PublicationResult {
  const { name, version, packument, location } = input;
  const record = packument.versions[version];
  if (!record) return { alerts: [], missing: [] };
  const previousVersion = input.previousVersion && input.previousVersion !== version ? input.previousVersion : undefined;
  const missing: MissingData[] = [];
  const alerts: (Alert | undefined)[] = [];

  const publishedAt = publishTime(packument, version, input.trustTimes);
  const trustTimes = input.trustTimes ?? hasTrustedTimes(packument);

  if (input.newName ?? !previousVersion) alerts.push(typosquatAlert(name, version, location));
  alerts.push(versionJump({ name, version, previousVersion, packument, registryUrl: input.registryUrl, location }));

  if (registryNamesPublishers(packument)) alerts.push(publisherChanged({ name, version, previousVersion, packument, location, trustTimes }));
  else missing.push("publisher");

  if (registryServesSignatures(packument)) {
    alerts.push(provenanceLost({ name, version, previousVersion, packument, location, keys: input.keys, publishedAt }));
  } else missing.push("provenance");

  if (publishedAt) alerts.push(recentlyPublished({ name, version, previousVersion, publishedAt, now: input.now, cooldownHours: input.cooldownHours, location }));
  else missing.push("publish times");

  const verdict = input.installPolicy && installCommands(record).length > 0 ? scriptApproval(input.installPolicy, { name, version, source: "registry" }) : undefined;
  alerts.push(installScriptAdded({ name, version, previousVersion, packument, location, verdict }));

  return {
    alerts: alerts.filter((alert): alert is Alert => alert !== undefined).map((alert) => (input.devOnly ? { ...alert, devOnly: true } : alert)),
    missing,
  };
}

/** The version's publish time: trusted by the packument's shape, or as the caller decides. */
function publishTime(packument: Packument, version: string, trust: boolean | undefined): Date | undefined {
  if (trust === false) return undefined;
  if (trust === undefined) return trustedPublishTime(packument, version);
  const value = packument.time?.[version];
  const date = value ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/**
 * One sentence per registry that did not provide what some signals need, from the `missing` of
 * every version reviewed: "Publisher, provenance and publish-time data not available from <registry>: …".
 */
export function missingDataNotes(results: readonly { registryUrl: string; missing: readonly MissingData[] }[]): string[] {
  const byRegistry = new Map<string, Set<MissingData>>();
  for (const result of results) {
    if (result.missing.length === 0) continue;
    const set = byRegistry.get(result.registryUrl) ?? new Set<MissingData>();
    for (const item of result.missing) set.add(item);
    byRegistry.set(result.registryUrl, set);
  }
  const order: MissingData[] = ["publisher", "provenance", "publish times"];
  const checks: Record<MissingData, string> = { publisher: "publisher-changed", provenance: "provenance-lost", "publish times": "recently-published" };
  return [...byRegistry].map(([registry, set]) => {
    const items = order.filter((item) => set.has(item));
    const words = joinWords(items.map((item) => (item === "publish times" ? "publish-time" : item)));
    return `${words.charAt(0).toUpperCase()}${words.slice(1)} data not available from ${registry}: ${joinWords(items.map((item) => checks[item]))} ${items.length === 1 ? "was" : "were"} not checked for its packages.`;
  });
}
