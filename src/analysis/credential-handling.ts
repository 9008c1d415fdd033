import type { Program } from "acorn";
import { ModuleFacts } from "./module-facts.js";
import { findTokenFlows, type CredentialFinding } from "./token-flow.js";
import { findJwtUnverified, findTlsDisabled } from "./weakened-checks.js";

/**
 * What a file must mention for the credential rules to have anything to find: a source of secrets
 * (the environment, a credential file, a CLI that prints a token, a private key), a TLS switch or a
 * JWT library. Most files of most packages mention none, and skip the second walk.
 */
const MAY_HANDLE_CREDENTIALS =
  /\benv\b|npmrc|yarnrc|\.ssh|\.aws|credential|hosts\.yml|netrc|\.docker|\.kube|Login Data|Local State|wallet|solana|secretKey|privateKey|private_key|mnemonic|auth\s+token|trufflehog|gitleaks|rejectUnauthorized|strictSSL|strict[-_]ssl|NODE_TLS|checkServerIdentity|jwt|jose|jws\b/i;

/** The credential rules over one parsed file: token flows, environment harvests, TLS switched off, JWTs unverified. */
export function findCredentialHandling(ast: Program, source: string): CredentialFinding[] {
  if (!MAY_HANDLE_CREDENTIALS.test(source)) return [];
  const facts = new ModuleFacts(ast, source);
  return [...findTokenFlows(facts), ...findTlsDisabled(facts), ...findJwtUnverified(facts)].sort((a, b) => a.offset - b.offset);
}

export type { CredentialFinding };
