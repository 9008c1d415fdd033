import type { Finding, Verdict } from "../policy/apply.js";
import type { Review } from "../review/review.js";
import { GITHUB_TEXT_LIMIT, renderSummary, reviewTitle } from "./summary.js";

/** GitHub accepts at most this many annotations in one create or update request. */
export const ANNOTATIONS_PER_REQUEST = 50;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "failure" | "warning" | "notice";
  title: string;
  message: string;
}

export interface CheckRunOutput {
  conclusion: Verdict["conclusion"];
  title: string;
  summary: string;
  /** Every annotation, most severe first; the GitHub adapter sends them in batches. */
  annotations: Annotation[];
}

const ANNOTATION_LEVEL = { error: "failure", warning: "warning", notice: "notice" } as const;

/** The check run for a review: conclusion, title, summary and annotations, within GitHub's limits. */
export function renderCheckRun(review: Review, verdict: Verdict): CheckRunOutput {
  const annotations: Annotation[] = review.configProblems.map((problem) => ({
    path: problem.file,
    start_line: problem.line ?? 1,
    end_line: problem.line ?? 1,
    annotation_level: "failure",
    title: `Invalid Tollgate policy${problem.field ? `: ${problem.field}` : ""}`,
    message: problem.message,
  }));
  for (const item of review.unreviewed) {
    if (!item.location) continue;
    annotations.push({
      path: item.location.path,
      start_line: item.location.line ?? 1,
      end_line: item.location.line ?? 1,
      annotation_level: verdict.conclusion === "failure" ? "failure" : "warning",
      title: `Not reviewed: ${item.subject}`,
      message: item.reason,
    });
  }
  for (const finding of verdict.findings) annotations.push(...findingAnnotations(finding));
  return {
    conclusion: verdict.conclusion,
    title: reviewTitle(review, verdict),
    summary: renderSummary(review, verdict, GITHUB_TEXT_LIMIT),
    annotations,
  };
}

/** One annotation on the lockfile line, and one on the package.json line of a direct dependency. */
function findingAnnotations(finding: Finding): Annotation[] {
  const name = finding.package.version ? `${finding.package.name}@${finding.package.version}` : finding.package.name;
  const annotation = (path: string, line: number): Annotation => ({
    path,
    start_line: line,
    end_line: line,
    annotation_level: ANNOTATION_LEVEL[finding.level],
    title: `${finding.rule}: ${name}`.slice(0, 255),
    message: `${finding.message}\nWhat to do: ${finding.action}`.slice(0, 64 * 1024 - 1),
  });
  const annotations = [annotation(finding.location.path, finding.location.line ?? 1)];
  if (finding.location.manifest) annotations.push(annotation(finding.location.manifest.path, finding.location.manifest.line));
  return annotations;
}

/** Splits annotations into request-sized batches. */
export function annotationBatches(annotations: readonly Annotation[]): Annotation[][] {
  const batches: Annotation[][] = [];
  for (let start = 0; start < annotations.length; start += ANNOTATIONS_PER_REQUEST) {
    batches.push(annotations.slice(start, start + ANNOTATIONS_PER_REQUEST));
  }
  return batches;
}
