import type { DependencyChange } from "../lockfile/diff.js";
import type { Finding, Verdict } from "../policy/apply.js";
import { RULES, isRuleId } from "../policy/rules.js";
import type { Review } from "../review/review.js";
import { escapeMarkdown as escape, findingsByPackage, LEVEL_ICON, plural } from "./markdown.js";

/** GitHub's limit for a check run's title, summary and text. */
export const GITHUB_TEXT_LIMIT = 65_535;


/** Counts shown in the title: `2 errors, 3 warnings in 14 changed packages`. */
export function reviewTitle(review: Review, verdict: Verdict): string {
  if (isEmpty(review)) return "No dependency changes";
  const changed = countChanges(review);
  const parts = (["error", "warning", "notice"] as const)
    .filter((level) => verdict.counts[level] > 0)
    .map((level) => plural(verdict.counts[level], level));
  if (review.unreviewed.length > 0) parts.push(`${review.unreviewed.length} not reviewed`);
  if (review.configProblems.length > 0) parts.unshift(`invalid ${review.configProblems[0]!.file}`);
  const head = parts.length > 0 ? parts.join(", ") : "No alerts";
  // An approval of install scripts changes settings, not packages.
  return changed > 0 ? `${head} in ${plural(changed, "changed package")}` : head;
}

/**
 * The summary a reviewer reads top to bottom: the verdict, what changed, the alerts by package,
 * what could not be reviewed. Cut to `limit` characters with an honest count of what was left out.
 */
export function renderSummary(review: Review, verdict: Verdict, limit = GITHUB_TEXT_LIMIT): string {
  const blocks: string[] = [headline(review, verdict)];
  const configProblems = renderConfigProblems(review);
  if (configProblems) blocks.push(configProblems);
  const unreviewed = renderUnreviewed(review);
  if (unreviewed) blocks.push(unreviewed);
  if (review.notes && review.notes.length > 0) blocks.push(review.notes.map((note) => `> ${escape(note)}`).join("\n>\n"));
  blocks.push(...renderFindings(verdict.findings));
  const exceptions = renderExceptions(verdict);
  if (exceptions) blocks.push(exceptions);
  const code = renderCode(review);
  if (code) blocks.push(code);
  const changes = renderChanges(review);
  if (changes) blocks.push(changes);
  return fitBlocks(blocks, limit);
}

function headline(review: Review, verdict: Verdict): string {
  if (isEmpty(review)) {
    return review.lockfiles.length > 0
      ? `**No dependency changes.** ${review.lockfiles.map((lockfile) => `\`${lockfile.path}\``).join(", ")} changed, but no package version did: a format upgrade, hoisting or reordering.`
      : "**No dependency changes.** This pull request changes no lockfile and no dependency in a package.json.";
  }
  const verdictText = {
    failure: "**Do not merge yet:** the policy fails on the alerts below.",
    neutral: "**Not fully reviewed:** some dependencies could not be reviewed (see below); nothing failed the policy.",
    success: verdict.findings.length > 0 ? "**Passes the policy**, with the alerts below to look at." : "**Passes the policy:** no alerts.",
  }[verdict.conclusion];
  return `${verdictText}\n\n${changeCounts(review)}`;
}

function changeCounts(review: Review): string {
  const all = review.lockfiles.flatMap((lockfile) => lockfile.changes);
  const count = (type: DependencyChange["type"]) => all.filter((change) => change.type === type).length;
  const files = review.lockfiles.map((lockfile) => `\`${lockfile.path}\``).join(", ");
  const parts = [`${count("added")} added`, `${count("updated")} updated`, `${count("removed")} removed`];
  if (count("changed") > 0) parts.push(`${count("changed")} changed in place`);
  return review.lockfiles.length > 0 ? `Packages: ${parts.join(", ")} in ${files}.` : "";
}

function renderConfigProblems(review: Review): string | undefined {
  if (review.configProblems.length === 0) return undefined;
  const lines = review.configProblems.map(
    (problem) => `- line ${problem.line ?? 1}${problem.field ? `, \`${escape(problem.field)}\`` : ""}: ${escape(problem.message)}`,
  );
  return `### \`${review.configProblems[0]!.file}\` is not valid\n\nOnce merged, every review would fail on it. Fix these first:\n\n${lines.join("\n")}`;
}

function renderUnreviewed(review: Review): string | undefined {
  if (review.unreviewed.length === 0) return undefined;
  const lines = review.unreviewed.map((item) => {
    const where = item.location?.line ? ` (${item.location.path}:${item.location.line})` : "";
    return `- **${escape(item.subject)}**${where}: ${escape(item.reason)}`;
  });
  return `### Could not be reviewed\n\n${lines.join("\n")}`;
}

/** One block per package, packages in the order of their most severe finding. */
function renderFindings(findings: readonly Finding[]): string[] {
  const blocks = findingsByPackage(findings).map(
    (group) => `#### ${LEVEL_ICON[group.findings[0]!.level]} \`${escape(group.name)}\` · ${escape(group.where)}\n\n${group.findings.map(renderFinding).join("\n")}`,
  );
  return blocks.length > 0 ? [`### Alerts`, ...blocks] : [];
}

function renderFinding(finding: Finding): string {
  const title = isRuleId(finding.rule) ? RULES[finding.rule].title : finding.rule;
  const lines = [
    `- **${finding.level}** · \`${finding.rule}\` (${title}): ${escape(finding.message)}`,
    `  - Why it matters: ${escape(finding.why)}`,
    `  - What to do: ${escape(finding.action)}`,
  ];
  for (const evidence of finding.evidence ?? []) {
    const place = `\`${escape(evidence.file)}:${evidence.line}\``;
    lines.push(`  - ${evidence.label ? `Where it ${escape(evidence.label)}` : "Evidence"}: ${evidence.url ? `[${place}](${evidence.url})` : place}${evidence.snippet ? ` \`${escape(evidence.snippet)}\`` : ""}`);
  }
  if (finding.package.previous) {
    lines.push(`  - Or keep the previous version, \`${escape(finding.package.name)}@${escape(finding.package.previous)}\`.`);
  }
  if (finding.package.version) {
    lines.push(
      `  - To accept it on this pull request only, comment \`@tollgate ignore ${escape(finding.package.name)}@${escape(finding.package.version)} ${finding.rule} -- <reason>\`.`,
      "  - To accept it for good, add to `.github/tollgate.yml`:",
      "    ```yaml",
      "    exceptions:",
      `      - package: "${finding.package.name}@${finding.package.version}"`,
      `        rules: [${finding.rule}]`,
      `        reason: "<why this is safe>"`,
      `        expires: "YYYY-MM-DD"`,
      "    ```",
    );
  }
  return lines.join("\n");
}

function renderExceptions(verdict: Verdict): string | undefined {
  const lines: string[] = [];
  for (const { exception, alerts } of verdict.expired) {
    lines.push(`- ⏰ Expired on ${exception.expires}: \`${escape(exception.package)}\` (${escape(exception.reason)}) no longer applies; ${alerts === 1 ? "its alert is" : `its ${alerts} alerts are`} back.`);
  }
  const applied = new Map<string, number>();
  for (const { exception, ignoredBy } of verdict.suppressed) {
    const who = ignoredBy ? ` (ignored on this pull request by @${escape(ignoredBy)})` : "";
    const key = `\`${escape(exception.package)}\`${exception.rules ? ` (${exception.rules.join(", ")})` : ""}: ${escape(exception.reason)}${who}`;
    applied.set(key, (applied.get(key) ?? 0) + 1);
  }
  for (const [key, count] of applied) lines.push(`- Accepted by exception, ${plural(count, "alert")}: ${key}`);
  return lines.length > 0 ? `### Exceptions\n\n${lines.join("\n")}` : undefined;
}

/** What each new version's code can do; capabilities the previous version did not have in bold. */
function renderCode(review: Review): string | undefined {
  if (!review.code || review.code.length === 0) return undefined;
  const rows = review.code.map((summary) => {
    const version = summary.previous ? `${summary.previous} → ${summary.version}` : summary.version;
    const capabilities = summary.capabilities.map((capability) => (capability.new ? `**${capability.name} (new)**` : capability.name)).join(", ") || "none";
    const removed = summary.removed.length > 0 ? `no longer: ${summary.removed.join(", ")}` : "";
    return `| \`${escape(summary.name)}\` | ${escape(version)} | ${capabilities} | ${removed} |`;
  });
  return [
    `<details><summary>What the new code can do (${plural(review.code.length, "version")} read)</summary>`,
    "",
    "| package | version | capabilities | |",
    "|---|---|---|---|",
    ...rows,
    "",
    "</details>",
  ].join("\n");
}

function renderChanges(review: Review): string | undefined {
  const rows: string[] = [];
  for (const lockfile of review.lockfiles) {
    for (const change of lockfile.changes) {
      const version = change.type === "updated" ? `${change.from} → ${change.to}` : (change.to ?? change.from ?? "");
      const flags = change.flags.map((flag) => flag.kind).join(", ");
      rows.push(`| ${change.type} | \`${escape(change.name)}\` | ${escape(version)} | ${lockfile.path}:${(change.head ?? change.base)?.line ?? ""} | ${flags} |`);
    }
  }
  for (const change of review.manifestChanges) {
    const spec = `${change.from ? `${change.from.section} ${change.from.spec}` : "—"} → ${change.to ? `${change.to.section} ${change.to.spec}` : "—"}`;
    rows.push(`| declared ${change.type} | \`${escape(change.name)}\` | ${escape(spec)} | ${change.manifest}:${change.line} | |`);
  }
  if (rows.length === 0) return undefined;
  return [
    `<details><summary>All ${plural(rows.length, "change")}</summary>`,
    "",
    "| change | package | version | where | notes |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    "</details>",
  ].join("\n");
}

/** Keeps whole blocks, in order, while they fit, and says how many were left out. */
export function fitBlocks(blocks: readonly string[], limit: number): string {
  let text = "";
  for (let index = 0; index < blocks.length; index++) {
    const next = text ? `${text}\n\n${blocks[index]}` : blocks[index]!;
    const rest = blocks.length - index - 1;
    const note = `\n\n_…and ${plural(blocks.length - index, "more section")} not shown: the review is larger than GitHub's limit. Run \`tollgate review\` locally for all of it._`;
    if (next.length + (rest > 0 ? note.length : 0) <= limit) {
      text = next;
      continue;
    }
    return `${text}${note}`.slice(0, limit);
  }
  return text;
}

function isEmpty(review: Review): boolean {
  return (
    countChanges(review) === 0 &&
    review.manifestChanges.length === 0 &&
    review.unreviewed.length === 0 &&
    review.configProblems.length === 0 &&
    review.alerts.length === 0
  );
}

function countChanges(review: Review): number {
  return review.lockfiles.reduce((sum, lockfile) => sum + lockfile.changes.length, 0);
}

