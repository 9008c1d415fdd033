import { annotationBatches, type CheckRunOutput } from "../report/check-run.js";
import type { Octokit } from "./octokit.js";

/** The name reviewers see in the PR's checks list. */
export const CHECK_NAME = "Tollgate";

/**
 * The button on a completed check run (GitHub's limits: label 20 characters, description 40,
 * identifier 20). Clicking it sends `check_run.requested_action` with this identifier.
 */
export const RERUN_ACTION = { label: "Re-run review", description: "Review the dependency changes again", identifier: "rerun" } as const;

export type FinalConclusion = CheckRunOutput["conclusion"] | "cancelled";

export interface RepoRef {
  owner: string;
  repo: string;
}

/** Starts the check run on the PR's head commit, before any work, so the PR shows it at once. */
export async function startCheckRun(octokit: Octokit, repo: RepoRef, headSha: string, startedAt: Date): Promise<number> {
  const { data } = await octokit.rest.checks.create({
    ...repo,
    name: CHECK_NAME,
    head_sha: headSha,
    status: "in_progress",
    started_at: startedAt.toISOString(),
    output: { title: "Reviewing dependency changes…", summary: "Tollgate is reading the lockfile changes of this pull request." },
  });
  return data.id;
}

/**
 * Completes a check run. GitHub takes at most 50 annotations a request, so all but the last batch
 * go first with the run still in progress; the last request carries the conclusion and the
 * "Re-run review" button (not on a superseded run: a newer one exists). Resolves to the check
 * run's page, when GitHub says it.
 */
export async function completeCheckRun(
  octokit: Octokit,
  repo: RepoRef,
  checkRunId: number,
  output: Omit<CheckRunOutput, "conclusion"> & { conclusion: FinalConclusion },
  completedAt: Date,
): Promise<string | undefined> {
  const batches = annotationBatches(output.annotations);
  const text = { title: output.title, summary: output.summary };
  for (const batch of batches.slice(0, -1)) {
    await octokit.rest.checks.update({ ...repo, check_run_id: checkRunId, output: { ...text, annotations: batch } });
  }
  const { data } = await octokit.rest.checks.update({
    ...repo,
    check_run_id: checkRunId,
    status: "completed",
    conclusion: output.conclusion,
    completed_at: completedAt.toISOString(),
    output: { ...text, annotations: batches.at(-1) ?? [] },
    ...(output.conclusion === "cancelled" ? {} : { actions: [RERUN_ACTION] }),
  });
  return typeof data?.html_url === "string" ? data.html_url : undefined;
}
