/**
 * provenance-lost: the version lost the provenance attestation its predecessor had, or its registry
 * signature does not verify.
 *
 * Severity: critical for a registry signature that does not verify against the registry's own
 * key (the metadata was altered after the registry signed it); high for a provenance
 * attestation that the previous version had and this one lacks (the release did not come from
 * the project's CI). A version without a signature is not judged on that alone (a recorded or
 * mirrored document may lack one), and a registry that serves no signatures at all is reported
 * as missing data, never as an alert.
 */

import type { Packument, PackumentVersion } from "../registry/registry.js";
import type { Alert, RepositoryLocation } from "../review/alert.js";
import { baselineOf } from "./history.js";
import { checkRegistrySignature, NPM_REGISTRY_KEYS, type RegistryKey } from "./signatures.js";
import { isRecord } from "./values.js";

/** A version to check, with its packument and where it is in the repository. */
export interface ProvenanceInput {
  name: string;
  version: string;
  previousVersion?: string;
  packument: Packument;
  location: RepositoryLocation;
  /** The registry's signing keys; the public registry's by default. */
  keys?: readonly RegistryKey[];
  /** The version's publish time when trusted (lets an expired signing key count). */
  publishedAt?: Date;
}

/**
 * Whether the registry serves signature and attestation data. The public registry signs every
 * version, so a packument in which no version carries `dist.signatures` comes from a registry
 * that strips them (or never had them): nothing about provenance can be concluded from it.
 */
export function registryServesSignatures(packument: Packument): boolean {
  return Object.values(packument.versions).some((record) => signaturesOf(record).length > 0);
}

/** The provenance statement's type (`https://slsa.dev/provenance/v1`), when the version has one. */
export function provenanceOf(record: PackumentVersion | undefined): string | undefined {
  const attestations = record?.dist?.attestations;
  if (!isRecord(attestations)) return undefined;
  const provenance = attestations.provenance;
  return isRecord(provenance) && typeof provenance.predicateType === "string" ? provenance.predicateType : undefined;
}

/** The provenance-lost alert for a version, if any. */
export function provenanceLost(input: ProvenanceInput): Alert | undefined {
  const { name, version, packument } = input;
  const record = packument.versions[version];
  if (!record || !registryServesSignatures(packument)) return undefined;
  const label = `${name}@${version}`;
  const pkg = input.previousVersion && input.previousVersion !== version ? { name, version, previous: input.previousVersion } : { name, version };
  const alert = (severity: Alert["severity"], message: string, why: string, action: string): Alert => ({
    rule: "provenance-lost",
    severity,
    package: pkg,
    message,
    why,
    action,
    location: input.location,
  });

  const check = checkRegistrySignature(name, version, record.dist?.integrity, signaturesOf(record), input.keys ?? NPM_REGISTRY_KEYS, input.publishedAt);
  if (check.status === "invalid") {
    return alert(
      "critical",
      `The registry signature of ${label} is invalid: ${check.reason}.`,
      "The registry signs each version's integrity when it is published; a signature that does not verify means the metadata (and so the tarball it points to) was changed afterwards, by a mirror, a proxy or an attacker.",
      `Do not install ${label}: fetch its metadata directly from the public registry and compare the integrity, and report the registry or mirror that served it.`,
    );
  }

  const baseline = baselineOf(packument, version, input.previousVersion);
  const hadProvenance = provenanceOf(baseline?.record);
  if (baseline && hadProvenance && !provenanceOf(record)) {
    return alert(
      "high",
      `${label} has no provenance attestation, while ${baseline.version} was published with one (${shortPredicate(hadProvenance)}) linking it to its source repository and build.`,
      "Projects that publish from CI with provenance do so for every release; a release without it was most likely published by hand, from a stolen token, outside the project's release workflow.",
      `Check the project's repository for a tag and a CI release run for ${version}; until its origin is confirmed, keep ${baseline.version}.`,
    );
  }

  return undefined;
}

function signaturesOf(record: PackumentVersion): { keyid: string; sig: string }[] {
  const signatures = record.dist?.signatures;
  return Array.isArray(signatures) ? signatures.filter((entry) => isRecord(entry) && typeof entry.keyid === "string" && typeof entry.sig === "string") : [];
}

/** `SLSA provenance v1` for the common predicate, else the URI as it is. */
function shortPredicate(predicateType: string): string {
  const slsa = /^https:\/\/slsa\.dev\/provenance\/v(\d+(?:\.\d+)?)$/.exec(predicateType);
  return slsa ? `SLSA provenance v${slsa[1]}` : predicateType;
}
