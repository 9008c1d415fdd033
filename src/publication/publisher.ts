/**
 * publisher-changed: who published the version, against who published the package before.
 *
 * Severity: high when the account is new to the package and not among the previous version's
 * maintainers, when a release that came from CI by trusted publishing is followed by one
 * published by hand, or when a known account publishes with a different email (what a takeover
 * does first); medium when a new publisher was already a maintainer, or the maintainer list
 * gained an account or an email changed; low when maintainers were only removed.
 */

import type { Packument, RegistryAccount } from "../registry/registry.js";
import type { Alert, RepositoryLocation, Severity } from "../review/alert.js";
import { baselineOf, earlierVersions } from "./history.js";
import { accountLabel, joinWords } from "./text.js";
import { isRecord } from "./values.js";

/** A version to check, with its packument and where it is in the repository. */
export interface PublisherInput {
  name: string;
  version: string;
  previousVersion?: string;
  packument: Packument;
  location: RepositoryLocation;
  /** Whether the packument's publish times can be believed (see history.ts). */
  trustTimes: boolean;
}

/** Whether the registry tells who published versions: no `_npmUser` anywhere means it does not. */
export function registryNamesPublishers(packument: Packument): boolean {
  return Object.values(packument.versions).some((record) => accountOf(record._npmUser) !== undefined);
}

/** The publisher-changed alert for a version, if any. Never raised from missing data. */
export function publisherChanged(input: PublisherInput): Alert | undefined {
  const { name, version, packument } = input;
  const record = packument.versions[version];
  const publisher = accountOf(record?._npmUser);
  if (!record || !publisher) return undefined;

  const earlier = earlierVersions(packument, version, input.trustTimes)
    .map((other) => ({ version: other, publisher: accountOf(packument.versions[other]?._npmUser) }))
    .filter((entry): entry is { version: string; publisher: RegistryAccount } => entry.publisher !== undefined);
  const baseline = baselineOf(packument, version, input.previousVersion);
  const baselinePublisher = accountOf(baseline?.record._npmUser);
  const findings: { severity: Severity; text: string }[] = [];
  const label = `${name}@${version}`;

  // A personal account that never published the package before.
  let newAccount: { severity: Severity; text: string } | undefined;
  let emailReported = false;
  if (earlier.length > 0 && !publisher.trustedPublisher) {
    const sameAccount = earlier.filter((entry) => sameName(entry.publisher, publisher) && !entry.publisher.trustedPublisher);
    if (sameAccount.length === 0) {
      const wasMaintainer = accounts(baseline?.record.maintainers).some((maintainer) => sameName(maintainer, publisher));
      const before = joinWords(distinct(earlier.map((entry) => publisherLabel(entry.publisher))).slice(0, 3));
      newAccount = {
        severity: wasMaintainer ? "medium" : "high",
        text: `${label} was published by ${accountLabel(publisher)}, an account that never published ${name} before (earlier releases: ${before})${wasMaintainer || !baseline ? "" : `, and was not a maintainer of ${baseline.version}`}`,
      };
    } else if (publisher.email) {
      // The same account with an email it never published with: takeovers change the email first.
      const emails = distinct(sameAccount.map((entry) => entry.publisher.email).filter((email): email is string => !!email));
      if (emails.length > 0 && !emails.some((email) => sameEmail(email, publisher.email!))) {
        emailReported = true;
        findings.push({
          severity: "high",
          text: `${publisher.name} published ${label} with the email ${publisher.email}, where the account's earlier releases of ${name} used ${joinWords(emails.slice(0, 2))}`,
        });
      }
    }
  }

  // Trusted publishing replaced by a personal token: the CI release path was bypassed.
  if (baseline && baselinePublisher?.trustedPublisher && !publisher.trustedPublisher) {
    findings.unshift({
      severity: "high",
      text: `${label} was published by hand by ${accountLabel(publisher)}, while ${baseline.version} came from ${trustedLabel(baselinePublisher)} by trusted publishing${newAccount ? `, and the account never published ${name} before` : ""}`,
    });
  } else if (newAccount) {
    findings.unshift(newAccount);
  }

  // Maintainer lists are compared only where the registry wrote them: both versions carry
  // `_npmUser`, so `maintainers` is the registry's and not a package.json's list of people.
  if (baseline && baselinePublisher) {
    const change = maintainerChange(accounts(baseline.record.maintainers), accounts(record.maintainers), emailReported ? publisher : undefined);
    if (change) {
      findings.push({
        severity: change.onlyRemovals ? "low" : "medium",
        text: `${findings.length === 0 ? `${name}'s maintainers` : "the maintainers"} changed since ${baseline.version}: ${change.text}`,
      });
    }
  }

  if (findings.length === 0) return undefined;
  const severity = (["high", "medium", "low"] as const).find((level) => findings.some((finding) => finding.severity === level))!;
  const [first, ...rest] = findings;
  const message = `${first!.text}${rest.length > 0 ? `; ${rest.map((finding) => finding.text).join("; ")}` : ""}.`;
  return {
    rule: "publisher-changed",
    severity,
    package: pkgOf(name, version, input.previousVersion),
    message,
    why: "Hijacked releases are published from a stolen account or token, often after the attacker changes the account's email or adds a maintainer, and outside the project's usual release workflow.",
    action: `Check that the project announced ${version} (a release, tag or changelog entry from its usual maintainers); until then keep ${baseline?.version ?? "the previous version"}.`,
    location: input.location,
  };
}

/** How the maintainer list changed: added and removed accounts, and changed emails (but the one the message already names). */
function maintainerChange(
  before: RegistryAccount[],
  after: RegistryAccount[],
  emailAlreadyReported?: RegistryAccount,
): { text: string; onlyRemovals: boolean } | undefined {
  if (before.length === 0 || after.length === 0) return undefined;
  const added = after.filter((account) => !before.some((other) => sameName(other, account)));
  const removed = before.filter((account) => !after.some((other) => sameName(other, account)));
  const emailChanged = after.flatMap((account) => {
    if (emailAlreadyReported && sameName(account, emailAlreadyReported)) return [];
    const old = before.find((other) => sameName(other, account));
    return old?.email && account.email && !sameEmail(old.email, account.email) ? [`${account.name}'s email changed from ${old.email} to ${account.email}`] : [];
  });
  const parts = [
    ...(added.length > 0 ? [`added ${joinWords(added.map(accountLabel))}`] : []),
    ...(removed.length > 0 ? [`removed ${joinWords(removed.map(accountLabel))}`] : []),
    ...emailChanged,
  ];
  return parts.length > 0 ? { text: parts.join(", "), onlyRemovals: added.length === 0 && emailChanged.length === 0 } : undefined;
}

/** A registry account from untyped data; mirrors pass through strings and people without names. */
export function accountOf(value: unknown): RegistryAccount | undefined {
  if (!isRecord(value) || typeof value.name !== "string" || value.name.trim() === "") return undefined;
  const trusted = isRecord(value.trustedPublisher) && typeof value.trustedPublisher.id === "string" ? value.trustedPublisher : undefined;
  return {
    name: value.name,
    ...(typeof value.email === "string" && value.email !== "" ? { email: value.email } : {}),
    ...(trusted ? { trustedPublisher: { id: trusted.id as string, ...(typeof trusted.oidcConfigId === "string" ? { oidcConfigId: trusted.oidcConfigId } : {}) } } : {}),
  };
}

function accounts(value: unknown): RegistryAccount[] {
  return Array.isArray(value) ? value.map(accountOf).filter((account): account is RegistryAccount => account !== undefined) : [];
}

function trustedLabel(account: RegistryAccount): string {
  const id = account.trustedPublisher?.id;
  return id === "github" ? "GitHub Actions" : id === "gitlab" ? "GitLab CI" : account.name;
}

function publisherLabel(account: RegistryAccount): string {
  return account.trustedPublisher ? `${trustedLabel(account)} (trusted publishing)` : account.name;
}

function sameName(a: RegistryAccount, b: RegistryAccount): boolean {
  return a.name.toLowerCase() === b.name.toLowerCase();
}

function sameEmail(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function distinct(values: string[]): string[] {
  return [...new Set(values)];
}

function pkgOf(name: string, version: string, previous: string | undefined): Alert["package"] {
  return previous && previous !== version ? { name, version, previous } : { name, version };
}
