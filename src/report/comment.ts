import { parseSelector } from "../config/schema.js";
import type { Finding, PullRequestIgnore, Verdict } from "../policy/apply.js";
import { RULES, isRuleId } from "../policy/rules.js";
import type { Alert } from "../review/alert.js";
import type { Review } from "../review/review.js";
import { escapeMarkdown as escape, findingsByPackage, LEVEL_ICON, plural } from "./markdown.js";
import { fitBlocks, reviewTitle } from "./summary.js";

/**
 * The pull request comment: a short version of the review, the ignores given on the pull request,
 * and hidden state (the alerts it showed, the ignores) so the next review can say what was resolved
 * and no database is needed. One comment per pull request, found again by its first line.
 *
 *     <!-- tollgate:review -->
 *     …the review…
 *     <!-- tollgate:ignores -->
 *     …the ignores, the commands…
 *     <!-- tollgate:state {"v":1,"alerts":[…],"unreviewed":0,"ignores":[…]} -->
 */

/** GitHub's limit for an issue or pull request comment's body. */
export const COMMENT_LIMIT = 65_536;
/** The first line of Tollgate's comment, how it is found among a pull request's comments. */
export const COMMENT_MARKER = "<!-- tollgate:review -->";
const IGNORES_MARKER = "<!-- tollgate:ignores -->";
const STATE_PREFIX = "<!-- tollgate:state ";
const STATE_SUFFIX = " -->";
/** The most the hidden alert list takes; longer lists are cut (and marked `truncated`). */
const STATE_ALERTS_BUDGET = 16_000;
/** The most ignores one pull request keeps (each is shown in the comment and kept in its state). */
export const MAX_IGNORES = 20;

export interface CommentState {
  v: 1;
  /** The findings of the review the comment shows, each as `rule name@version`. */
  alerts: string[];
  /** The list was cut to fit the comment: alerts past it are not compared. */
  truncated?: boolean;
  /** How many things that review could not review. */
  unreviewed: number;
  /** The `@tollgate ignore` commands accepted on the pull request, oldest first. */
  ignores: PullRequestIgnore[];
}

export const EMPTY_STATE: CommentState = { v: 1, alerts: [], unreviewed: 0, ignores: [] };

export interface ReviewCommentInput {
  review: Review;
  verdict: Verdict;
  /** The state of the comment this one replaces, to say what was resolved. */
  previous?: CommentState;
  /** The ignores in effect on the pull request (kept in the comment). */
  ignores: readonly PullRequestIgnore[];
  /** The check run's page on GitHub. */
  checkRunUrl?: string;
}

/** Whether a review is worth a comment in `on-alerts` mode: findings, or something not reviewed. */
export function hasSomethingToSay(review: Review, verdict: Verdict): boolean {
  return verdict.findings.length > 0 || review.unreviewed.length > 0 || review.configProblems.length > 0;
}

/** Whether a comment body is Tollgate's review comment (the author must be checked as well). */
export function isReviewComment(body: string): boolean {
  return body.startsWith(COMMENT_MARKER);
}

/** The identity of an alert across reviews. */
export function alertKey(alert: Alert): string {
  return `${alert.rule} ${alert.package.version ? `${alert.package.name}@${alert.package.version}` : alert.package.name}`;
}

/** The comment for a completed review. */
export function renderReviewComment(input: ReviewCommentInput): string {
  const { review, verdict } = input;
  const previous = input.previous ?? EMPTY_STATE;
  const state: CommentState = {
    v: 1,
    alerts: [...new Set(verdict.findings.map(alertKey))],
    unreviewed: review.unreviewed.length,
    ignores: [...input.ignores],
  };
  fitAlerts(state);
  const tail = renderTail(state);
  const blocks = [renderHeading(review, verdict, input.checkRunUrl)];
  const resolved = renderResolved(previous, review, verdict);
  if (resolved) blocks.push(resolved);
  if (review.configProblems.length > 0) {
    blocks.push(`#### \`${escape(review.configProblems[0]!.file)}\` is not valid\n\nThe check run lists the problems; once merged, every review would fail on them.`);
  }
  if (review.unreviewed.length > 0) {
    blocks.push(`#### Could not be reviewed\n\n${review.unreviewed.map((item) => `- **${escape(item.subject)}**: ${escape(item.reason)}`).join("\n")}`);
  }
  blocks.push(...renderFindings(verdict.findings));
  const budget = COMMENT_LIMIT - COMMENT_MARKER.length - tail.length - 2;
  return `${COMMENT_MARKER}\n${fitBlocks(blocks, budget)}\n${tail}`;
}

/**
 * The comment with another set of ignores: the review shown stays as it is (the re-run the ignore
 * starts rewrites it), only the ignores and the hidden state change. With no comment yet, a comment
 * that lists the ignores.
 */
export function withIgnores(body: string | undefined, ignores: readonly PullRequestIgnore[]): string {
  const state: CommentState = { ...(body ? readCommentState(body) : EMPTY_STATE), ignores: [...ignores] };
  fitAlerts(state);
  const tail = renderTail(state);
  let part = body ? reviewPart(body) : "";
  const budget = COMMENT_LIMIT - COMMENT_MARKER.length - tail.length - 2;
  if (part.length > budget) {
    const note = "\n\n_…cut to fit GitHub's comment limit: the check run has the whole review._";
    part = part.slice(0, Math.max(0, budget - note.length)) + note;
  }
  return `${COMMENT_MARKER}\n${part}\n${tail}`;
}

/** The hidden state of a Tollgate comment; the empty state when it has none or it cannot be read. */
export function readCommentState(body: string): CommentState {
  const line = body.split(/\r?\n/).find((text) => text.startsWith(STATE_PREFIX) && text.endsWith(STATE_SUFFIX));
  if (!line) return EMPTY_STATE;
  let data: unknown;
  try {
    data = JSON.parse(line.slice(STATE_PREFIX.length, -STATE_SUFFIX.length));
  } catch {
    return EMPTY_STATE;
  }
  if (typeof data !== "object" || data === null) return EMPTY_STATE;
  const record = data as Record<string, unknown>;
  return {
    v: 1,
    alerts: Array.isArray(record.alerts) ? record.alerts.filter((item): item is string => typeof item === "string") : [],
    ...(record.truncated === true ? { truncated: true } : {}),
    unreviewed: typeof record.unreviewed === "number" ? record.unreviewed : 0,
    ignores: Array.isArray(record.ignores) ? record.ignores.flatMap(readIgnore) : [],
  };
}

function readIgnore(value: unknown): PullRequestIgnore[] {
  if (typeof value !== "object" || value === null) return [];
  const { package: spec, rules, reason, by } = value as Record<string, unknown>;
  if (typeof spec !== "string" || parseSelector(spec) === undefined) return [];
  if (typeof reason !== "string" || typeof by !== "string") return [];
  if (rules !== undefined && !(Array.isArray(rules) && rules.every((rule) => typeof rule === "string" && isRuleId(rule)))) return [];
  return [{ package: spec, ...(rules ? { rules: rules as string[] } : {}), reason, by }];
}

/** Keeps the hidden alert list within its budget. */
function fitAlerts(state: CommentState): void {
  let size = JSON.stringify(state.alerts).length;
  if (size <= STATE_ALERTS_BUDGET) return;
  while (state.alerts.length > 0 && size > STATE_ALERTS_BUDGET) size -= state.alerts.pop()!.length + 3;
  state.truncated = true;
}

/** The part of a comment body that shows the review (between the first line and the ignores). */
function reviewPart(body: string): string {
  if (!isReviewComment(body)) return "";
  const ends = [body.indexOf(`\n${IGNORES_MARKER}`), body.indexOf(`\n${STATE_PREFIX}`)].filter((index) => index !== -1);
  return body.slice(COMMENT_MARKER.length + 1, ends.length > 0 ? Math.min(...ends) : undefined);
}

function renderTail(state: CommentState): string {
  const lines = [IGNORES_MARKER];
  if (state.ignores.length > 0) {
    lines.push("#### Ignored on this pull request", "");
    for (const ignore of state.ignores) {
      const rules = ignore.rules?.length ? ignore.rules.map((rule) => `\`${rule}\``).join(", ") : "all rules";
      lines.push(`- \`${escape(ignore.package)}\` (${rules}) by @${escape(ignore.by)}: ${escape(ignore.reason)}`);
    }
    lines.push("");
  }
  lines.push(
    "<sub>Comment `@tollgate ignore <name>@<version> [rule …] -- <reason>` to accept alerts on that version for this pull request, or `@tollgate rerun` to review it again (both need write access).</sub>",
    `${STATE_PREFIX}${serializeState(state)}${STATE_SUFFIX}`,
  );
  return lines.join("\n");
}

/** JSON that cannot end the HTML comment it sits in: `<` and `>` are written as escapes. */
function serializeState(state: CommentState): string {
  return JSON.stringify(state).replace(/</g, "\\u003c").replace(/>/g, "\\u003e");
}

const CONCLUSION_ICON = { failure: "❌", neutral: "⚠️", success: "✅" } as const;

function renderHeading(review: Review, verdict: Verdict, checkRunUrl: string | undefined): string {
  const sentence = {
    failure: "**Do not merge yet:** the policy fails on the alerts below.",
    neutral: "**Not fully reviewed:** some dependencies could not be reviewed; nothing failed the policy.",
    success: verdict.findings.length > 0 ? "**Passes the policy**, with the alerts below to look at." : "**Passes the policy:** no alerts.",
  }[verdict.conclusion];
  const link = checkRunUrl ? ` [The check run](${checkRunUrl}) has the details.` : "";
  return `### ${CONCLUSION_ICON[verdict.conclusion]} Tollgate: ${escape(reviewTitle(review, verdict))}\n\n${sentence}${link}`;
}

/** What the previous comment showed and this review no longer finds. */
function renderResolved(previous: CommentState, review: Review, verdict: Verdict): string | undefined {
  const current = new Set(verdict.findings.map(alertKey));
  const accepted = new Set(verdict.suppressed.map(({ alert }) => alertKey(alert)));
  const gone = previous.alerts.filter((key) => !current.has(key));
  const lines = gone.slice(0, 30).map((key) => {
    const space = key.indexOf(" ");
    const how = accepted.has(key) ? ", now accepted by an exception" : "";
    return `- ✅ \`${escape(key.slice(0, space))}\` on \`${escape(key.slice(space + 1))}\`${how}`;
  });
  if (gone.length > 30) lines.push(`- …and ${gone.length - 30} more`);
  if (previous.unreviewed > 0 && review.unreviewed.length === 0) lines.push("- ✅ Everything could be reviewed this time.");
  if (lines.length === 0) return undefined;
  const all = gone.length === previous.alerts.length && current.size === 0 && !previous.truncated;
  const heading = !all || gone.length === 0
    ? "Resolved since the previous review"
    : gone.length === 1 ? "The alert of the previous review is resolved" : `All ${plural(gone.length, "alert")} of the previous review are resolved`;
  return `#### ${heading}\n\n${lines.join("\n")}`;
}

/** The findings by package, packages in the order of their most severe finding, each with what to do. */
function renderFindings(findings: readonly Finding[]): string[] {
  const blocks = findingsByPackage(findings).map((group) => {
    const items = group.findings.map((finding) => {
      const title = isRuleId(finding.rule) ? RULES[finding.rule].title : finding.rule;
      return `- **${finding.level}** · \`${escape(finding.rule)}\` (${title}): ${escape(finding.message)}\n  What to do: ${escape(finding.action)}`;
    });
    return `**${LEVEL_ICON[group.findings[0]!.level]} \`${escape(group.name)}\`** · \`${escape(group.where)}\`\n\n${items.join("\n")}`;
  });
  return blocks.length > 0 ? ["#### Alerts", ...blocks] : [];
}
