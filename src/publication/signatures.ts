/**
 * Offline verification of the registry's signatures. The public registry signs every version:
 * an ECDSA P-256 / SHA-256 signature over `${name}@${version}:${integrity}`, with keys it lists at
 * /-/npm/v1/keys. A valid signature says the registry itself recorded this integrity for this
 * version; an invalid one says the metadata was altered after the registry signed it (a tampering
 * mirror or proxy) or forged.
 */

import { createPublicKey, verify, type KeyObject } from "node:crypto";
import type { RegistrySignature } from "../registry/registry.js";
import shipped from "./npm-registry-keys.json" with { type: "json" };

/** A registry signing key, as the registry's key list gives it. */
export interface RegistryKey {
  keyid: string;
  /** Base64 SPKI DER public key. */
  key: string;
  keytype?: string;
  scheme?: string;
  /** When the key stopped being used to sign (ISO date), or null. */
  expires: string | null;
}

/** The public registry's keys, shipped with Tollgate because reviews run without fetching them. */
export const NPM_REGISTRY_KEYS: readonly RegistryKey[] = shipped.keys;

/** What a version's registry signatures say. */
export type SignatureCheck =
  /** A signature by a known key verifies. */
  | { status: "valid"; keyid: string }
  /** A signature by a known key does not verify, or was made with a key that had expired. */
  | { status: "invalid"; keyid: string; reason: string }
  /** Signed, but by no key we know (another registry's keys): nothing can be said. */
  | { status: "unknown-key"; keyids: string[] }
  /** The version carries no signature. */
  | { status: "unsigned" }
  /** Signed, but the version has no integrity to check the signature against. */
  | { status: "no-integrity" };

/**
 * Checks a version's registry signatures against known keys. `publishedAt` (only when the publish
 * time is trusted) lets a signature by a key that expired before the publication count as
 * invalid, as `npm audit signatures` does; without it expiry is not judged, since a mirror's own
 * times would condemn every version signed before the key's rotation.
 */
export function checkRegistrySignature(
  name: string,
  version: string,
  integrity: string | undefined,
  signatures: readonly RegistrySignature[] | undefined,
  keys: readonly RegistryKey[] = NPM_REGISTRY_KEYS,
  publishedAt?: Date,
): SignatureCheck {
  const list = (signatures ?? []).filter((signature) => typeof signature?.keyid === "string" && typeof signature.sig === "string");
  if (list.length === 0) return { status: "unsigned" };
  if (!integrity) return { status: "no-integrity" };
  const message = Buffer.from(`${name}@${version}:${integrity}`);
  let valid: string | undefined;
  for (const signature of list) {
    const key = keys.find((candidate) => candidate.keyid === signature.keyid);
    if (!key) continue;
    if (!verifies(key, message, signature.sig)) {
      return { status: "invalid", keyid: key.keyid, reason: `the signature by ${key.keyid} does not match the integrity ${shorten(integrity)} served for it` };
    }
    if (key.expires && publishedAt && new Date(key.expires).getTime() < publishedAt.getTime()) {
      return {
        status: "invalid",
        keyid: key.keyid,
        reason: `it is signed with ${key.keyid}, which expired on ${key.expires.slice(0, 10)}, before the version was published on ${publishedAt.toISOString().slice(0, 10)}`,
      };
    }
    valid ??= key.keyid;
  }
  return valid ? { status: "valid", keyid: valid } : { status: "unknown-key", keyids: list.map((signature) => signature.keyid) };
}

const keyObjects = new Map<string, KeyObject | null>();

function verifies(key: RegistryKey, message: Buffer, signature: string): boolean {
  let publicKey = keyObjects.get(key.key);
  if (publicKey === undefined) {
    try {
      publicKey = createPublicKey({ key: Buffer.from(key.key, "base64"), format: "der", type: "spki" });
    } catch {
      publicKey = null;
    }
    keyObjects.set(key.key, publicKey);
  }
  if (!publicKey) return false;
  try {
    return verify("sha256", message, publicKey, Buffer.from(signature, "base64"));
  } catch {
    // A signature that is not DER at all is as invalid as one that does not match.
    return false;
  }
}

function shorten(integrity: string): string {
  return integrity.length > 24 ? `${integrity.slice(0, 20)}…` : integrity;
}
