import type { Config } from "../config/schema.js";
import type { ConfigProblem } from "../config/validate.js";
import { applyPolicy } from "../policy/apply.js";
import { registryHosts } from "../registry/hosts.js";
import type { Registry } from "../registry/registry.js";
import { renderCheckRun } from "../report/check-run.js";
import { reviewChanges } from "../review/review.js";
import { completeCheckRun, type RepoRef } from "./checks.js";
import { loadConfig } from "./config.js";
import type { Octokit } from "./octokit.js";
import { createPullRequestSource } from "./pull-request-source.js";
import { pullKey, SupersededError, type LatestReviews } from "./supersede.js";

/** A queued review: plain data, so a shared queue can carry it between processes. */
export interface ReviewJob {
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  baseSha: string;
  headSha: string;
  checkRunId: number;
}

/** What a review job needs from the outside world. */
export interface ReviewJobDeps {
  octokit(installationId: number): Promise<Octokit>;
  registry(config: Config): Registry;
  now(): Date;
  latest: LatestReviews;
  log: { info(data: object, message: string): void; error(data: object, message: string): void };
}

/**
 * Reviews one pull request and completes its check run, whatever happens: a bad policy file, an
 * unreachable registry or a bug end in a completed run that says what went wrong.
 */
export async function runReviewJob(job: ReviewJob, deps: ReviewJobDeps): Promise<void> {
  const repo: RepoRef = { owner: job.owner, repo: job.repo };
  const key = pullKey(job.owner, job.repo, job.pullNumber);
  const signal = deps.latest.signal(job.checkRunId);
  const octokit = await deps.octokit(job.installationId);
  const startedAt = deps.now();
  let conclusionOnError: "neutral" | "failure" = "neutral";
  try {
    signal.throwIfAborted();
    const loaded = await loadConfig(octokit, job.owner, job.repo);
    if (!loaded.ok) {
      await completeCheckRun(octokit, repo, job.checkRunId, invalidConfigOutput(loaded.problems), deps.now());
      return;
    }
    const config = loaded.config;
    conclusionOnError = config.unreviewed;
    const source = await createPullRequestSource(octokit, job);
    const registry = deps.registry(config);
    const review = await reviewChanges(source, {
      registry,
      registryHosts: registryHosts(config),
      paths: config.paths,
      signal,
    });
    if (source.truncated) {
      review.unreviewed.push({
        subject: "pull request files",
        reason: "GitHub lists only the first 3,000 files of a pull request; dependency files beyond them were not reviewed.",
      });
    }
    signal.throwIfAborted();
    const output = renderCheckRun(review, applyPolicy(review, config, deps.now()));
    await completeCheckRun(octokit, repo, job.checkRunId, output, deps.now());
    deps.log.info(
      { pull: key, checkRunId: job.checkRunId, conclusion: output.conclusion, ms: deps.now().getTime() - startedAt.getTime() },
      "review completed",
    );
  } catch (error) {
    const superseded = signal.aborted && signal.reason instanceof SupersededError;
    if (!superseded) deps.log.error({ pull: key, checkRunId: job.checkRunId, err: error }, "review failed");
    await completeCheckRun(
      octokit,
      repo,
      job.checkRunId,
      superseded ? supersededOutput(signal.reason as SupersededError) : failedOutput(error, conclusionOnError),
      deps.now(),
    );
  } finally {
    deps.latest.end(key, job.checkRunId);
  }
}

function invalidConfigOutput(problems: ConfigProblem[]) {
  const lines = problems.map((problem) => `- \`${problem.file}\`${problem.field ? ` \`${problem.field}\`` : ""}: ${problem.message}`);
  return {
    conclusion: "failure" as const,
    title: "Invalid Tollgate policy",
    summary: [
      "**The policy file could not be used, so nothing was reviewed.** Fix it on the default branch and re-run this check.",
      "",
      ...lines,
    ].join("\n"),
    annotations: [],
  };
}

function supersededOutput(reason: SupersededError) {
  return {
    conclusion: "cancelled" as const,
    title: "Superseded by a newer review",
    summary: `A newer push or re-run of this pull request started another review (check run ${reason.byCheckRunId}); its result is the one that counts.`,
    annotations: [],
  };
}

function failedOutput(error: unknown, conclusion: "neutral" | "failure") {
  const status = (error as { status?: number }).status;
  const reason = status ? `GitHub answered HTTP ${status}: ${(error as Error).message}` : (error as Error).message;
  return {
    conclusion,
    title: "Tollgate could not complete the review",
    summary: [
      "**Nothing in this pull request was reviewed**, because of an error inside Tollgate:",
      "",
      `> ${String(reason).replace(/\s+/g, " ").slice(0, 500)}`,
      "",
      "Re-run the check; if it fails again, the Tollgate server's log has the details.",
    ].join("\n"),
    annotations: [],
  };
}
