/** The catalogue of rule ids: what each finds, why it matters, and its level when the policy says nothing. */

import type { Capability } from "../analysis/model.js";

export type Level = "error" | "warning" | "notice" | "off";

export interface RuleInfo {
  /** The level a team that writes no policy gets. */
  defaultLevel: Exclude<Level, "off">;
  /** A short name for headings. */
  title: string;
}

export const RULES = {
  "integrity-changed": { defaultLevel: "error", title: "Same version, different content" },
  "not-found": { defaultLevel: "error", title: "Version not on the registry" },
  "git-dependency": { defaultLevel: "warning", title: "Installed from a git repository" },
  "http-dependency": { defaultLevel: "warning", title: "Installed from a tarball URL" },
  "registry-host-changed": { defaultLevel: "warning", title: "Resolved from another host" },
  "manifest-without-lockfile": { defaultLevel: "warning", title: "package.json changed without its lockfile" },
  deprecated: { defaultLevel: "warning", title: "Deprecated version" },
  "file-dependency": { defaultLevel: "notice", title: "Installed from a local path" },
  "moved-to-production": { defaultLevel: "notice", title: "Moved from development to production" },
  // What the package's code can do (the analysis of its tarball).
  "integrity-mismatch": { defaultLevel: "error", title: "Tarball does not match the lockfile" },
  "new-capability": { defaultLevel: "warning", title: "Can do something the previous version could not" },
  "install-script": { defaultLevel: "warning", title: "Runs a script when installed" },
  "obfuscated-code": { defaultLevel: "error", title: "Obfuscated code" },
  "suspicious-url": { defaultLevel: "warning", title: "Suspicious URL in the code" },
  "unicode-trojan": { defaultLevel: "error", title: "Invisible or bidirectional characters in code" },
  "minified-code": { defaultLevel: "notice", title: "Minified code" },
  // How the package's code handles tokens and credentials.
  "hardcoded-secret": { defaultLevel: "error", title: "Credential shipped in the package" },
  "credential-file-access": { defaultLevel: "warning", title: "Reads another tool's credentials" },
  "env-harvest": { defaultLevel: "warning", title: "Collects the whole environment" },
  "token-exfiltration": { defaultLevel: "error", title: "Sends a credential away" },
  "token-logging": { defaultLevel: "warning", title: "Writes a token to a log" },
  "token-in-url": { defaultLevel: "notice", title: "Token in a URL" },
  "insecure-transport": { defaultLevel: "warning", title: "Token sent over plain http" },
  "tls-verification-disabled": { defaultLevel: "warning", title: "TLS certificate checks turned off" },
  "jwt-unverified": { defaultLevel: "warning", title: "JWT trusted without verification" },
  // What the registry says about the version.
  "publisher-changed": { defaultLevel: "warning", title: "Published by someone new" },
  "provenance-lost": { defaultLevel: "warning", title: "Provenance lost" },
  "recently-published": { defaultLevel: "warning", title: "Published very recently" },
  "install-script-added": { defaultLevel: "warning", title: "Install script added" },
  "install-script-approved": { defaultLevel: "warning", title: "Install script approved by this change" },
  "manifest-confusion": { defaultLevel: "warning", title: "Registry manifest disagrees with the tarball" },
  typosquat: { defaultLevel: "warning", title: "Name imitates a popular package" },
  "version-jump": { defaultLevel: "warning", title: "Version far beyond the previous one" },
  "new-dependencies": { defaultLevel: "notice", title: "Brings in new transitive packages" },
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

export const RULE_IDS = Object.keys(RULES) as RuleId[];

export function isRuleId(value: string): value is RuleId {
  return Object.hasOwn(RULES, value);
}

/**
 * The level of a capability a new version gains, when the policy says nothing: what lets a package
 * run other programs or code it was not shipped with warns; reading the environment or files, which
 * most packages do, is a notice.
 */
export const NEW_CAPABILITY_LEVELS = {
  "install-script": "warning",
  shell: "warning",
  eval: "warning",
  "native-code": "warning",
  network: "warning",
  "dynamic-require": "notice",
  filesystem: "notice",
  environment: "notice",
} as const satisfies Record<Capability, Exclude<Level, "off">>;
