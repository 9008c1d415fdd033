/** The catalogue of rule ids: what each finds, why it matters, and its level when the policy says nothing. */

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
} as const satisfies Record<string, RuleInfo>;

export type RuleId = keyof typeof RULES;

export const RULE_IDS = Object.keys(RULES) as RuleId[];

export function isRuleId(value: string): value is RuleId {
  return Object.hasOwn(RULES, value);
}
