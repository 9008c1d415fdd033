import type { ApplicationFunction, Probot } from "probot";
import type { Config } from "../config/schema.js";
import type { PullRequestIgnore } from "../policy/apply.js";
import { memoryAnalysisStore, memoryFindingsCache } from "../analysis/caches.js";
import { createVersionAnalyzer, type VersionAnalyzerDeps } from "../analysis/version-analyzer.js";
import { createPacoteRegistry } from "../registry/pacote-registry.js";
import type { Registry } from "../registry/registry.js";
import { MAX_IGNORES, withIgnores } from "../report/comment.js";
import { RERUN_ACTION, startCheckRun, type RepoRef } from "./checks.js";
import { COMMAND_SYNTAX, parseCommand, type Command } from "./commands.js";
import type { Octokit } from "./octokit.js";
import { findTollgateComment, KeyedLock, replyOnPullRequest, writeTollgateComment } from "./pr-comment.js";
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
  /**
   * Package code analysis: the caches and file analyser every review in this process shares
   * (in memory, in this thread, by default); `false` reviews lockfiles and registry data only.
   */
  analysis?: false | Omit<VersionAnalyzerDeps, "registry">;
}

interface PullRequestInfo {
  number: number;
  state?: string;
  head: { sha: string };
  base: { sha: string };
}

/** Who may give commands: the base roles that can push (a custom role reports its base in `permission`). */
const WRITE_ROLES = new Set(["admin", "maintain", "write"]);

/**
 * The GitHub App: a check run is created at once for every pull request event, re-run request or
 * command, and the review itself waits in the queue, so GitHub gets its answer quickly.
 */
export function tollgateApp(options: AppOptions = {}): ApplicationFunction {
  return (app: Probot) => {
    const now = options.now ?? (() => new Date());
    const latest = new LatestReviews();
    const commentLock = new KeyedLock();
    let botLogin: Promise<string> | undefined;
    const analysis = options.analysis === false ? undefined : (options.analysis ?? { store: memoryAnalysisStore(), findings: memoryFindingsCache() });
    const deps: ReviewJobDeps = {
      octokit: (installationId) => app.auth(installationId) as Promise<Octokit>,
      registry: options.registry ?? ((config) => createPacoteRegistry({ registries: config.registries, env: options.env ?? process.env })),
      ...(analysis ? { analyzer: (registry: Registry) => createVersionAnalyzer({ ...analysis, registry }) } : {}),
      now,
      latest,
      // Asked once per process; asked again after a failure.
      botLogin: () =>
        (botLogin ??= fetchBotLogin(app).catch((error: unknown) => {
          botLogin = undefined;
          throw error;
        })),
      commentLock,
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

    /** Reviews again the open pull requests whose head is the check's commit. */
    async function rerunForCommit(octokit: Octokit, installationId: number, repo: RepoRef, run: { head_sha: string; pull_requests: { number: number }[] }): Promise<void> {
      // GitHub leaves pull_requests empty for pull requests from forks: ask which PRs hold the commit.
      const listed = run.pull_requests.length > 0 ? run.pull_requests.map((pull) => pull.number) : await pullsForCommit(octokit, repo, run.head_sha);
      for (const number of listed) {
        const { data: pull } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
        if (pull.state !== "open" || pull.head.sha !== run.head_sha) continue;
        await startReview(octokit, installationId, repo, pull);
      }
    }

    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened"], async (context) => {
      const installationId = context.payload.installation?.id;
      if (installationId === undefined) return;
      await startReview(context.octokit as Octokit, installationId, context.repo(), context.payload.pull_request);
    });

    app.on(["check_run.rerequested", "check_suite.rerequested"], async (context) => {
      const installationId = context.payload.installation?.id;
      if (installationId === undefined) return;
      const run = "check_run" in context.payload ? context.payload.check_run : context.payload.check_suite;
      await rerunForCommit(context.octokit as Octokit, installationId, context.repo(), run);
    });

    // The "Re-run review" button on a completed check run.
    app.on("check_run.requested_action", async (context) => {
      const installationId = context.payload.installation?.id;
      if (installationId === undefined || context.payload.requested_action?.identifier !== RERUN_ACTION.identifier) return;
      await rerunForCommit(context.octokit as Octokit, installationId, context.repo(), context.payload.check_run);
    });

    // `@tollgate …` commands in pull request comments.
    app.on("issue_comment.created", async (context) => {
      const { comment, issue } = context.payload;
      const installationId = context.payload.installation?.id;
      if (installationId === undefined || !issue.pull_request) return;
      // Never answer a bot, Tollgate included: two bots could talk to each other for ever.
      if (context.isBot || comment.user?.type === "Bot") return;
      const command = parseCommand(comment.body ?? "");
      if (command === undefined) return;
      const octokit = context.octokit as Octokit;
      const repo = context.repo();
      const login = comment.user?.login ?? context.payload.sender.login;
      const reply = (text: string) => replyOnPullRequest(octokit, repo, issue.number, `@${login} ${text}`);

      if ("error" in command) {
        await reply(`${command.error}\n\n${COMMAND_SYNTAX}`);
        return;
      }
      if (!(await canWrite(octokit, repo, login))) {
        await reply("thanks for the command. Only people with write access to this repository can give Tollgate commands, so it was not run.");
        return;
      }
      const { data: pull } = await octokit.rest.pulls.get({ ...repo, pull_number: issue.number });
      if (pull.state !== "open") {
        await reply("this pull request is closed, so Tollgate does not review it any more.");
        return;
      }
      if (command.kind === "ignore") {
        const recorded = await recordIgnore(octokit, repo, issue.number, command, login);
        if (!recorded) {
          await reply(`this pull request already has ${MAX_IGNORES} ignores, the most Tollgate keeps. Accept further alerts with \`exceptions\` in \`.github/tollgate.yml\`.`);
          return;
        }
        app.log.info({ pull: pullKey(repo.owner, repo.repo, issue.number), package: command.package, by: login }, "ignore recorded");
      }
      await startReview(octokit, installationId, repo, pull);
    });

    /** Adds an ignore to the state kept in Tollgate's comment (replacing one for the same package and rules). */
    async function recordIgnore(octokit: Octokit, repo: RepoRef, pullNumber: number, command: Extract<Command, { kind: "ignore" }>, by: string): Promise<boolean> {
      return commentLock.run(pullKey(repo.owner, repo.repo, pullNumber), async () => {
        const existing = await findTollgateComment(octokit, repo, pullNumber, await deps.botLogin());
        const sameRules = (rules: readonly string[] | undefined) => [...(rules ?? [])].sort().join() === [...(command.rules ?? [])].sort().join();
        const kept = (existing?.state.ignores ?? []).filter((ignore) => !(ignore.package === command.package && sameRules(ignore.rules)));
        if (kept.length >= MAX_IGNORES) return false;
        const ignore: PullRequestIgnore = { package: command.package, ...(command.rules ? { rules: command.rules } : {}), reason: command.reason, by };
        await writeTollgateComment(octokit, repo, pullNumber, existing, withIgnores(existing?.body, [...kept, ignore]));
        return true;
      });
    }
  };
}

async function pullsForCommit(octokit: Octokit, repo: RepoRef, sha: string): Promise<number[]> {
  const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha });
  return data.filter((pull) => pull.state === "open").map((pull) => pull.number);
}

/** Whether a user may push to the repository (admin, maintain or write, or a custom role based on them). */
async function canWrite(octokit: Octokit, repo: RepoRef, username: string): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
    return WRITE_ROLES.has(data.role_name) || WRITE_ROLES.has(data.permission);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}

/** The login of the app's bot user: `<slug>[bot]`, from the app itself (authenticated as the app). */
async function fetchBotLogin(app: Probot): Promise<string> {
  const octokit = (await app.auth()) as Octokit;
  const { data } = await octokit.rest.apps.getAuthenticated();
  if (!data?.slug) throw new Error("GitHub did not say the app's slug");
  return `${data.slug}[bot]`;
}
