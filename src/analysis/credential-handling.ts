import type { Program } from "acorn";
import { isTokenName } from "./credential-patterns.js";
import type { EnvironmentAccess } from "./find-capabilities.js";
import { ModuleFacts } from "./module-facts.js";
import { findTokenFlows, type CredentialFinding } from "./token-flow.js";
import { findJwtUnverified, findTlsDisabled, REQUEST_HANDLING } from "./weakened-checks.js";

/**
 * What a file must read or mention for each group of rules to have anything to find. Most files of
 * most packages have none of it and skip the second walk: a bundle that reads `process.env.NODE_ENV`
 * has no token to follow, and one that mentions fetch's `credentials` option reads no credential file.
 */
/** Other tools' credential files and commands, and private keys: sources that are not the environment. */
const OTHER_SOURCES =
  /homedir|\bHOME\b|USERPROFILE|APPDATA|_auth|npmrc|yarnrc|\.ssh|\.aws|hosts\.yml|netrc|\.docker|\.kube|\.azure|gcloud|git-credentials|export-credentials|Login Data|Local State|logins\.json|key4\.db|wallet|solana|Local Extension Settings|secretKey|privateKey|private_key|privKey|mnemonic|seedPhrase|seed_phrase|auth\s+token|credential\s+fill|config\s+get|trufflehog|gitleaks|find-generic-password|print-access-token|get-access-token/;
const TLS_SWITCHES = /rejectUnauthorized|strictSSL|strict[-_]ssl|NODE_TLS|checkServerIdentity/;
/** A JWT library loaded by name: its decode calls are what the JWT rule looks for. */
const JWT_MODULE = /["'`](?:jsonwebtoken|jwt-decode|jose|jws)(?:\/[^"'`]*)?["'`]/;
/** `algorithms: ["none"]`: both words, anywhere in the file. */
const ALGORITHMS = /\balgorithms\b/;
const NONE = /["'`]none["'`]/i;
const HAND_DECODED = /\.split\(\s*["'`]\.["'`]\s*\)/;

/**
 * A string that may name a secret variable (`"GITHUB_TOKEN"`, `"_API_KEY"`): what `process.env[name]`
 * can be found to read. Without one, a computed read is a setting's (`process.env[name] || ""`).
 */
const SECRET_NAME_STRING = /["'`][\w-]{0,40}(?:TOKEN|SECRET|API_?KEY|ACCESS_?KEY|PASS|PWD|AUTH|CREDENTIAL|PRIVATE_KEY|DSN|WEBHOOK|SESSION|COOKIE|MNEMONIC|SEED)[\w-]{0,40}["'`]/;

/** Whether a file reads anything the token-flow rules follow: a token-like variable, the environment whole, a credential file, a key. */
function mayCarryCredentials(source: string, environment: EnvironmentAccess): boolean {
  if (environment.whole || environment.names.some(isTokenName) || OTHER_SOURCES.test(source)) return true;
  return environment.computed && SECRET_NAME_STRING.test(source);
}

/** Whether the JWT rule can find anything: a JWT library or a hand-split token where requests are handled, or `"none"` among algorithms. */
function mayTrustJwts(source: string): boolean {
  if (ALGORITHMS.test(source) && NONE.test(source)) return true;
  return (JWT_MODULE.test(source) || HAND_DECODED.test(source)) && REQUEST_HANDLING.test(source);
}

/**
 * The credential rules over one parsed file: token flows, environment harvests, TLS switched off, JWTs
 * unverified. `environment` is how the capability walk found the file reaching the environment.
 */
export function findCredentialHandling(ast: Program, source: string, environment: EnvironmentAccess): CredentialFinding[] {
  const flows = mayCarryCredentials(source, environment);
  const tls = TLS_SWITCHES.test(source);
  const jwt = mayTrustJwts(source);
  if (!flows && !tls && !jwt) return [];
  const facts = new ModuleFacts(ast, source);
  return [...(flows ? findTokenFlows(facts) : []), ...(tls ? findTlsDisabled(facts) : []), ...(jwt ? findJwtUnverified(facts) : [])].sort((a, b) => a.offset - b.offset);
}

export type { CredentialFinding };
