import type { Program } from "acorn";
import { isTokenName } from "./credential-patterns.js";
import { ModuleFacts } from "./module-facts.js";
import { findTokenFlows, type CredentialFinding } from "./token-flow.js";
import { findJwtUnverified, findTlsDisabled, REQUEST_HANDLING } from "./weakened-checks.js";

/**
 * What a file must mention for each group of rules to have anything to find. Most files of most
 * packages mention none, and skip the second walk; a file that reads `process.env.HOME` and never a
 * token-like variable has no credential to follow.
 */
/** The environment taken whole, reached by a computed name, or by a quoted key (`globalThis["process"]["env"]`). */
const WHOLE_ENVIRONMENT = /\bprocess\s*\.\s*env\b(?!\s*(?:\.|\[|\?\.)\s*[\w"'`$])|\[\s*["'`]env["'`]\s*\]/;
/** `process.env[name]`: a follow-up only where a string names a secret-looking variable (`"GITHUB_TOKEN"`, `"TOKEN"`). */
const COMPUTED_ENV_READ = /\benv\s*\[\s*[A-Za-z_$]/;
const SECRET_NAME_STRING = /["'`][\w-]{0,40}(?:TOKEN|SECRET|API_?KEY|PASSW|AUTH|CREDENTIAL|PRIVATE_KEY)[\w-]{0,40}["'`]/;
const ENV_READ = /\benv\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)|\benv\s*\[\s*["'`]([^"'`]+)["'`]\s*\]/g;
const OTHER_SOURCES =
  /homedir|\bHOME\b|USERPROFILE|APPDATA|_auth|npmrc|yarnrc|\.ssh|\.aws|hosts\.yml|netrc|\.docker|\.kube|\.azure|gcloud|git-credentials|export-credentials|Login Data|Local State|logins\.json|key4\.db|wallet|solana|Local Extension Settings|secretKey|privateKey|private_key|privKey|mnemonic|seedPhrase|seed_phrase|auth\s+token|credential\s+fill|config\s+get|trufflehog|gitleaks|find-generic-password|print-access-token|get-access-token/;
const TLS_SWITCHES = /rejectUnauthorized|strictSSL|strict[-_]ssl|NODE_TLS|checkServerIdentity/;
const JWT_CODE = /jwt|jose|\bjws\b|algorithms/i;
const HAND_DECODED = /\.split\(\s*["'`]\.["'`]\s*\)/;

/** Whether a file reads anything the token-flow rules follow. */
function mayCarryCredentials(source: string): boolean {
  if (WHOLE_ENVIRONMENT.test(source) || OTHER_SOURCES.test(source)) return true;
  if (COMPUTED_ENV_READ.test(source) && SECRET_NAME_STRING.test(source)) return true;
  ENV_READ.lastIndex = 0;
  for (let match = ENV_READ.exec(source); match; match = ENV_READ.exec(source)) {
    if (isTokenName(match[1] ?? match[2] ?? "")) return true;
  }
  return false;
}

/** The credential rules over one parsed file: token flows, environment harvests, TLS switched off, JWTs unverified. */
export function findCredentialHandling(ast: Program, source: string): CredentialFinding[] {
  const flows = mayCarryCredentials(source);
  const tls = TLS_SWITCHES.test(source);
  const jwt = JWT_CODE.test(source) || (HAND_DECODED.test(source) && REQUEST_HANDLING.test(source));
  if (!flows && !tls && !jwt) return [];
  const facts = new ModuleFacts(ast, source);
  return [...(flows ? findTokenFlows(facts) : []), ...(tls ? findTlsDisabled(facts) : []), ...(jwt ? findJwtUnverified(facts) : [])].sort((a, b) => a.offset - b.offset);
}

export type { CredentialFinding };
