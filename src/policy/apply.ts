import semver from "semver";
import { parseSelector, type Config, type Exception } from "../config/schema.js";
import { compareSeverity, type Alert } from "../review/alert.js";
import type { Review } from "../review/review.js";
import type { Capability } from "../analysis/model.js";
import { isRuleId, NEW_CAPABILITY_LEVELS, RULES, type Level } from "./rules.js";

export type Conclusion = "success" | "failure" | "neutral";

/** An alert with the level the policy gives it. */
export interface Finding extends Alert {
  level: Exclude<Level, "off">;
}

export interface Verdict {
  /** Findings, most severe level first, then by severity, package and rule. */
  findings: Finding[];
  /** Alerts an exception quiets, with the exception (`ignoredBy` for an ignore command on the PR). */
  suppressed: { alert: Alert; exception: Exception; ignoredBy?: string }[];
  /** Exceptions past their date that would have quieted alerts: those alerts are back. */
  expired: { exception: Exception; alerts: number }[];
  conclusion: Conclusion;
  counts: Record<Exclude<Level, "off">, number>;
}

const LEVEL_ORDER = ["error", "warning", "notice"] as const;

/** An `@tollgate ignore` command accepted on the pull request: an exception for that PR only. */
export interface PullRequestIgnore {
  /** `name@version`. */
  package: string;
  rules?: string[];
  reason: string;
  /** The login of who ignored it. */
  by: string;
}

const LEVEL_RANK: Record<Level, number> = { error: 3, warning: 2, notice: 1, off: 0 };

/**
 * Applies the repository's policy to a review: levels per rule (capped for development-only
 * packages), exceptions (dated), ignores given on the pull request, and the conclusion. `today` is
 * passed in so the result depends on nothing but its arguments.
 */
export function applyPolicy(review: Review, config: Config, today: Date, ignores: readonly PullRequestIgnore[] = []): Verdict {
  const findings: Finding[] = [];
  const suppressed: Verdict["suppressed"] = [];
  const expiredHits = new Map<Exception, number>();
  const todayText = today.toISOString().slice(0, 10);

  for (const alert of review.alerts) {
    const ruleLevel = levelOf(alert.rule, config, alert.capability);
    // What the analysis rates as information (an SDK sending its own key to its own API) is at most
    // a notice: one rule covers both that and a theft, and only the severity tells them apart.
    const caps = [alert.devOnly ? config.devDependencies.maxLevel : undefined, alert.severity === "info" ? ("notice" as const) : undefined];
    const level = caps.reduce<Level>((current, cap) => (cap && LEVEL_RANK[cap] < LEVEL_RANK[current] ? cap : current), ruleLevel);
    if (level === "off") continue;
    const ignore = ignores.find((entry) => matches(entry as Exception, alert));
    if (ignore) {
      suppressed.push({ alert, exception: { package: ignore.package, rules: ignore.rules as Exception["rules"], reason: ignore.reason }, ignoredBy: ignore.by });
      continue;
    }
    const matching = config.exceptions.filter((exception) => matches(exception, alert));
    const active = matching.find((exception) => !exception.expires || exception.expires >= todayText);
    if (active) {
      suppressed.push({ alert, exception: active });
      continue;
    }
    for (const exception of matching) expiredHits.set(exception, (expiredHits.get(exception) ?? 0) + 1);
    findings.push({ ...alert, level });
  }

  findings.sort(
    (a, b) =>
      LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) ||
      compareSeverity(a.severity, b.severity) ||
      a.package.name.localeCompare(b.package.name) ||
      a.rule.localeCompare(b.rule),
  );
  const counts = { error: 0, warning: 0, notice: 0 };
  for (const finding of findings) counts[finding.level] += 1;
  const conclusion: Conclusion =
    counts.error > 0 || review.configProblems.length > 0
      ? "failure"
      : review.unreviewed.length > 0 ? (config.unreviewed === "failure" ? "failure" : "neutral") : "success";
  return {
    findings,
    suppressed,
    expired: [...expiredHits].map(([exception, alerts]) => ({ exception, alerts })),
    conclusion,
    counts,
  };
}

/** The policy's level for a rule; for `new-capability`, for the capability the alert is about. */
export function levelOf(rule: string, config: Config, capability?: string): Level {
  if (!isRuleId(rule)) return "warning";
  if (rule === "new-capability") {
    const setting = config.rules["new-capability"];
    if (typeof setting === "string") return setting;
    const known = capability && Object.hasOwn(NEW_CAPABILITY_LEVELS, capability) ? (capability as Capability) : undefined;
    return (known && setting?.[known]) ?? (known ? NEW_CAPABILITY_LEVELS[known] : RULES[rule].defaultLevel);
  }
  return config.rules[rule] ?? RULES[rule].defaultLevel;
}

function matches(exception: Exception, alert: Alert): boolean {
  if (exception.rules && !exception.rules.includes(alert.rule as never)) return false;
  const selector = parseSelector(exception.package);
  if (!selector || selector.name !== alert.package.name) return false;
  if (selector.range === undefined) return true;
  const version = alert.package.version;
  return version !== null && semver.valid(version) !== null && semver.satisfies(version, selector.range, { includePrerelease: true });
}
