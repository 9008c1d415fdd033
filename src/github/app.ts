import type { ApplicationFunction, Probot } from "probot";
import type { Config } from "../config/schema.js";
import { createPacoteRegistry } from "../registry/pacote-registry.js";
import type { Registry } from "../registry/registry.js";
import { startCheckRun, type RepoRef } from "./checks.js";
import type { Octokit } from "./octokit.js";
import { createMemoryQueue, type JobQueue } from "./queue.js";
import { runReviewJob, type ReviewJob, type ReviewJobDeps } from "./review-job.js";
import { LatestReviews, pullKey } from "./supersede.js";

export interface AppOptions {
  /** Builds the queue reviews wait in, given the worker that runs one; in memory by default. */
  createQueue?: (worker: (job: ReviewJob) => Promise<void>) => JobQueue<ReviewJob>;
  /** Reviews running at once in this process (default 4). */
  concurrency?: number;
  /** The registry for a repository's policy; pacote against the configured registries by default. */
  registry?: (config: Config) => Registry;
  /** The clock. */
  now?: () => Date;
  /** Where registry tokens are read from (the server's environment by default). */
  env?: NodeJS.ProcessEnv;
}

interface PullRequestInfo {
  number: number;
  head: { sha: string };
  base: { sha: string };
}

/**
 * The GitHub App: a check run is created at once for every pull request event or re-run request,
 * and the review itself waits in the queue, so GitHub gets its answer quickly.
 */
export function tollgateApp(options: AppOptions = {}): ApplicationFunction {
  return (app: Probot) => {
    const now = options.now ?? (() => new Date());
    const latest = new LatestReviews();
    const deps: ReviewJobDeps = {
      octokit: (installationId) => app.auth(installationId) as Promise<Octokit>,
      registry: options.registry ?? ((config) => createPacoteRegistry({ registries: config.registries, env: options.env ?? process.env })),
      now,
      latest,
      log: app.log,
    };
    const worker = (job: ReviewJob) => runReviewJob(job, deps);
    const queue =
      options.createQueue?.(worker) ??
      createMemoryQueue(worker, {
        concurrency: options.concurrency ?? 4,
        onError: (error, job) => app.log.error({ err: error, checkRunId: job.checkRunId }, "review job failed"),
      });

    async function startReview(octokit: Octokit, installationId: number, repo: RepoRef, pull: PullRequestInfo): Promise<void> {
      const checkRunId = await startCheckRun(octokit, repo, pull.head.sha, now());
      latest.begin(pullKey(repo.owner, repo.repo, pull.number), checkRunId);
      await queue.enqueue({
        installationId,
        ...repo,
        pullNumber: pull.number,
        baseSha: pull.base.sha,
        headSha: pull.head.sha,
        checkRunId,
      });
    }

    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"], async (context) => {
      const installationId = context.payload.installation?.id;
      if (installationId === undefined) return;
      await startReview(context.octokit as Octokit, installationId, context.repo(), context.payload.pull_request);
    });

    app.on(["check_run.rerequested", "check_suite.rerequested"], async (context) => {
      const installationId = context.payload.installation?.id;
      if (installationId === undefined) return;
      const octokit = context.octokit as Octokit;
      const repo = context.repo();
      const run = "check_run" in context.payload ? context.payload.check_run : context.payload.check_suite;
      const headSha = run.head_sha;
      // GitHub leaves pull_requests empty for pull requests from forks: ask which PRs hold the commit.
      const listed = run.pull_requests.length > 0 ? run.pull_requests.map((pull) => pull.number) : await pullsForCommit(octokit, repo, headSha);
      for (const number of listed) {
        const { data: pull } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
        if (pull.state !== "open" || pull.head.sha !== headSha) continue;
        await startReview(octokit, installationId, repo, pull);
      }
    });
  };
}

async function pullsForCommit(octokit: Octokit, repo: RepoRef, sha: string): Promise<number[]> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha });
  return data.filter((pull) => pull.state === "open").map((pull) => pull.number);
}
