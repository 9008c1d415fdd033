/**
 * The `hardcoded-secret` rule: credentials shipped in a package's files. A published credential is
 * public from the moment the tarball is on the registry, and a malicious package may carry one to
 * reach its author's infrastructure. Findings name the kind of credential, never its value; the
 * snippet is masked by `SourceLines`.
 */

import type { Severity } from "../review/alert.js";
import { findHardcodedSecrets, type SecretMatch } from "./find-secrets.js";
import type { AnomalyFinding, InFile } from "./model.js";
import { SourceLines } from "./source-lines.js";

export { findHardcodedSecrets, maskSecrets, type SecretMatch } from "./find-secrets.js";

/**
 * Test code, fixtures and examples: what a package ships there is rarely loaded by its users and
 * usually holds keys and tokens made for the tests. Such a secret is still published, so it is kept,
 * one severity lower.
 */
const TEST_PATH = /(?:^|\/)(?:tests?|__tests__|spec|fixtures?|__fixtures__|__mocks__|examples?)\/|\.(?:test|spec)\.[cm]?[jt]sx?$|[./_-]examples?\.[a-z]+$/i;

/** Code and JSON, where a credential is always a quoted string: the unquoted `NAME=value` pass is skipped there (see SecretScanOptions). */
const CODE_OR_JSON = /\.(?:[cm]?[jt]sx?|json|map)$/i;

const LOWER: Record<Severity, Severity> = { critical: "high", high: "medium", medium: "low", low: "info", info: "info" };

/** One finding per kind and severity in a file; a file full of fixtures says how many more. */
const MAX_FINDINGS = 20;

function article(kind: string): string {
  return /^[aeiou]/i.test(kind) || /^(?:RSA|EC|npm)\b/.test(kind) ? "an" : "a";
}

function message(secret: SecretMatch, inTests: boolean, more: number): string {
  const kind = secret.kind === "secret value" ? "generated-looking secret value" : secret.kind;
  const where = inTests ? " in test or example code" : "";
  const repeats = more > 0 ? `; ${more} more in this file` : "";
  return `Ships ${article(kind)} ${kind} (${secret.detail})${where}${repeats}.`;
}

/** `hardcoded-secret` findings for one file's text. */
export function secretFindings(source: string, path: string): InFile<AnomalyFinding>[] {
  const secrets = findHardcodedSecrets(source, { unquoted: !CODE_OR_JSON.test(path) }).filter((secret) => !secret.maskOnly);
  if (secrets.length === 0) return [];
  const inTests = TEST_PATH.test(path);
  const lines = new SourceLines(source);
  const groups = new Map<string, { secret: SecretMatch; severity: Severity; more: number }>();
  for (const secret of secrets) {
    const severity = inTests ? LOWER[secret.severity] : secret.severity;
    const key = `${secret.kind} ${severity}`;
    const group = groups.get(key);
    if (group) group.more++;
    else if (groups.size < MAX_FINDINGS) groups.set(key, { secret, severity, more: 0 });
  }
  return [...groups.values()]
    .map(({ secret, severity, more }) => ({
      rule: "hardcoded-secret" as const,
      severity,
      message: message(secret, inTests, more),
      ...lines.position(secret.offset),
      snippet: lines.snippet(secret.offset),
    }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
