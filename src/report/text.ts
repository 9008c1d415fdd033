import type { Verdict } from "../policy/apply.js";
import type { Review } from "../review/review.js";
import { reviewTitle } from "./summary.js";

export interface TextOptions {
  /** ANSI colours (for a terminal). */
  color: boolean;
}

const CODES = { red: 31, yellow: 33, blue: 34, green: 32, dim: 2, bold: 1 } as const;

/** The review as terminal text: the verdict first, then each finding with where and what to do. */
export function renderText(review: Review, verdict: Verdict, options: TextOptions): string {
  const paint = (code: keyof typeof CODES, text: string) => (options.color ? `\u001b[${CODES[code]}m${text}\u001b[0m` : text);
  const verdictLabel = { failure: paint("red", "FAIL"), neutral: paint("yellow", "INCOMPLETE"), success: paint("green", "PASS") }[
    verdict.conclusion
  ];
  const lines = [`${paint("bold", "Tollgate")} ${verdictLabel}: ${reviewTitle(review, verdict)}`];
  for (const lockfile of review.lockfiles) {
    const count = (type: string) => lockfile.changes.filter((change) => change.type === type).length;
    lines.push(`  ${lockfile.path}: ${count("added")} added, ${count("updated")} updated, ${count("removed")} removed`);
    for (const warning of lockfile.warnings) lines.push(paint("yellow", `  warning: ${warning}`));
  }
  for (const problem of review.configProblems) {
    lines.push(paint("red", `  ${problem.file}:${problem.line ?? 1}: ${problem.field ? `${problem.field}: ` : ""}${problem.message}`));
  }
  const levelColor = { error: "red", warning: "yellow", notice: "blue" } as const;
  for (const finding of verdict.findings) {
    const name = finding.package.version ? `${finding.package.name}@${finding.package.version}` : finding.package.name;
    const where = `${finding.location.path}${finding.location.line ? `:${finding.location.line}` : ""}`;
    lines.push("", `${paint(levelColor[finding.level], finding.level.padEnd(7))} ${finding.rule}  ${paint("bold", name)}  ${paint("dim", where)}`);
    lines.push(`        ${finding.message}`);
    for (const evidence of (finding.evidence ?? []).slice(0, 3)) {
      lines.push(`        ${paint("dim", `${evidence.label ? `${evidence.label} ` : ""}at ${evidence.file}:${evidence.line}`)}${evidence.snippet ? `  ${evidence.snippet}` : ""}`);
    }
    lines.push(`        ${paint("dim", `what to do: ${finding.action}`)}`);
  }
  if (review.unreviewed.length > 0) {
    lines.push("", paint("yellow", "Not reviewed:"));
    for (const item of review.unreviewed) lines.push(`  - ${item.subject}: ${item.reason}`);
  }
  for (const note of review.notes ?? []) lines.push("", paint("dim", `Note: ${note}`));
  for (const { exception, alerts } of verdict.expired) {
    lines.push(paint("yellow", `Exception for ${exception.package} expired on ${exception.expires}: ${alerts} alert(s) are back.`));
  }
  if (verdict.suppressed.length > 0) lines.push(paint("dim", `${verdict.suppressed.length} alert(s) accepted by exceptions.`));
  return `${lines.join("\n")}\n`;
}
