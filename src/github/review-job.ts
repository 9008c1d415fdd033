import type { Config } from "../config/schema.js";
import type { ConfigProblem } from "../config/validate.js";
import { applyPolicy, type PullRequestIgnore, type Verdict } from "../policy/apply.js";
import { registryHosts } from "../registry/hosts.js";
import type { VersionAnalyzer } from "../analysis/version-analyzer.js";
import type { Registry } from "../registry/registry.js";
import { renderCheckRun } from "../report/check-run.js";
import { hasSomethingToSay, renderReviewComment } from "../report/comment.js";
import { reviewChanges, type Review } from "../review/review.js";
import { completeCheckRun, type RepoRef } from "./checks.js";
import { loadConfig } from "./config.js";
import type { Octokit } from "./octokit.js";
import { findTollgateComment, writeTollgateComment, type KeyedLock, type TollgateComment } from "./pr-comment.js";
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
  /** Reads the code of new versions through the policy's registry; undefined leaves code out. */
  analyzer?(registry: Registry): VersionAnalyzer;
  now(): Date;
  latest: LatestReviews;
  /** The app's bot user (`<slug>[bot]`): only its comments hold Tollgate's state. */
  botLogin(): Promise<string>;
  /** Keeps the review and the commands from writing a pull request's comment at the same time. */
  commentLock: KeyedLock;
  log: {
    info(data: object, message: string): void;
    warn(data: object, message: string): void;
    error(data: object, message: string): void;
  };
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
      analyzer: deps.analyzer?.(registry),
      now: deps.now,
      cooldownHours: config.cooldownHours,
    });
    if (source.truncated) {
      review.unreviewed.push({
        subject: "pull request files",
        reason: "GitHub lists only the first 3,000 files of a pull request; dependency files beyond them were not reviewed.",
      });
    }
    // The ignores given on this pull request live in Tollgate's comment.
    const comment = await readPullRequestComment(octokit, job, deps);
    const ignores = comment.ok ? (comment.existing?.state.ignores ?? []) : [];
    let verdict = applyPolicy(review, config, deps.now(), ignores);
    if (!comment.ok && verdict.findings.length > 0) {
      review.unreviewed.push({
        subject: "ignores given on this pull request",
        reason: `Tollgate could not read this pull request's comments (${comment.reason}), so \`@tollgate ignore\` commands given here were not applied.`,
      });
      verdict = applyPolicy(review, config, deps.now(), ignores);
    }
    signal.throwIfAborted();
    const output = renderCheckRun(review, verdict);
    const checkRunUrl = await completeCheckRun(octokit, repo, job.checkRunId, output, deps.now());
    deps.log.info(
      { pull: key, checkRunId: job.checkRunId, conclusion: output.conclusion, ms: deps.now().getTime() - startedAt.getTime() },
      "review completed",
    );
    // The check run is complete whatever happens to the comment.
    if (comment.ok) await commentOnReview(octokit, job, deps, signal, { mode: config.comment, review, verdict, checkRunUrl });
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

type CommentRead = { ok: true; existing: TollgateComment | undefined } | { ok: false; reason: string };

/** Tollgate's comment on the pull request, if any; a failure is reported, not thrown. */
async function readPullRequestComment(octokit: Octokit, job: ReviewJob, deps: ReviewJobDeps): Promise<CommentRead> {
  try {
    const existing = await findTollgateComment(octokit, { owner: job.owner, repo: job.repo }, job.pullNumber, await deps.botLogin());
    return { ok: true, existing };
  } catch (error) {
    const status = (error as { status?: number }).status;
    deps.log.warn({ pull: pullKey(job.owner, job.repo, job.pullNumber), err: error }, "could not read the pull request's comments");
    return { ok: false, reason: status ? `GitHub answered HTTP ${status}` : (error as Error).message };
  }
}

interface CommentInput {
  mode: Config["comment"];
  review: Review;
  verdict: Verdict;
  checkRunUrl: string | undefined;
}

/**
 * Writes the review into Tollgate's comment, as the policy's `comment` mode says: never with
 * `off`; with `on-alerts` only when there is something to say or a comment to bring up to date
 * (so it can say the earlier alerts are resolved); always with `always`. A superseded review never
 * writes. Failures are logged: the check run is already complete.
 */
async function commentOnReview(octokit: Octokit, job: ReviewJob, deps: ReviewJobDeps, signal: AbortSignal, input: CommentInput): Promise<void> {
  if (input.mode === "off") return;
  const key = pullKey(job.owner, job.repo, job.pullNumber);
  const repo: RepoRef = { owner: job.owner, repo: job.repo };
  try {
    await deps.commentLock.run(key, async () => {
      if (signal.aborted) return;
      // Read again under the lock: an ignore command may have changed the comment since.
      const existing = await findTollgateComment(octokit, repo, job.pullNumber, await deps.botLogin());
      if (!existing && input.mode === "on-alerts" && !hasSomethingToSay(input.review, input.verdict)) return;
      const ignores: PullRequestIgnore[] = existing?.state.ignores ?? [];
      const body = renderReviewComment({ review: input.review, verdict: input.verdict, previous: existing?.state, ignores, checkRunUrl: input.checkRunUrl });
      if (signal.aborted) return;
      const result = await writeTollgateComment(octokit, repo, job.pullNumber, existing, body);
      deps.log.info({ pull: key, checkRunId: job.checkRunId, comment: result }, "pull request comment written");
    });
  } catch (error) {
    deps.log.error({ pull: key, checkRunId: job.checkRunId, err: error }, "could not write the pull request comment");
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
