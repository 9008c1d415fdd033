/**
 * Webhook events test/support/fixtures.ts does not build yet: an `issue_comment.created` on a pull
 * request and a `check_run.requested_action`, from GitHub's example payloads
 * (@octokit/webhooks-examples) with the fields Tollgate reads set to what a test needs.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { EventOf } from "../support/fixtures.js";

type Json = Record<string, unknown>;

let definitions: { name: string; examples: Json[] }[] | undefined;

function example(name: string, action: string): Json {
  definitions ??= JSON.parse(readFileSync(createRequire(import.meta.url).resolve("@octokit/webhooks-examples"), "utf8")) as {
    name: string;
    examples: Json[];
  }[];
  const found = definitions
    .find((definition) => definition.name === name)
    ?.examples.find((payload) => payload.action === action && payload.installation !== undefined);
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${name}.${action} example with an installation`);
  return structuredClone(found);
}

function object(value: unknown): Json {
  if (typeof value !== "object" || value === null) throw new Error("example payload is missing an object");
  return value as Json;
}

function retarget(payload: Json, owner: string, repo: string, installationId: number): void {
  const repository = object(payload.repository);
  repository.name = repo;
  repository.full_name = `${owner}/${repo}`;
  repository.url = `https://api.github.com/repos/${owner}/${repo}`;
  repository.html_url = `https://github.com/${owner}/${repo}`;
  object(repository.owner).login = owner;
  payload.installation = { ...object(payload.installation), id: installationId };
}

export interface IssueCommentOptions {
  owner: string;
  repo: string;
  installationId: number;
  /** The pull request (or issue) number. */
  number: number;
  body: string;
  /** Who wrote the comment (default octocat, a user). */
  login?: string;
  userType?: "User" | "Bot";
  /** False for a comment on an issue rather than a pull request. */
  onPullRequest?: boolean;
}

/** An `issue_comment.created` event: a comment on a pull request (or an issue). */
export function issueCommentCreatedEvent(options: IssueCommentOptions): EventOf<"issue_comment", "created"> {
  const payload = example("issue_comment", "created");
  retarget(payload, options.owner, options.repo, options.installationId);
  const login = options.login ?? "octocat";
  const type = options.userType ?? "User";
  const issue = object(payload.issue);
  issue.number = options.number;
  const base = `https://github.com/${options.owner}/${options.repo}`;
  issue.html_url = `${base}/${options.onPullRequest === false ? "issues" : "pull"}/${options.number}`;
  if (options.onPullRequest === false) {
    delete issue.pull_request;
  } else {
    const api = `https://api.github.com/repos/${options.owner}/${options.repo}/pulls/${options.number}`;
    issue.pull_request = { url: api, html_url: `${base}/pull/${options.number}`, diff_url: `${base}/pull/${options.number}.diff`, patch_url: `${base}/pull/${options.number}.patch`, merged_at: null };
  }
  const comment = object(payload.comment);
  comment.body = options.body;
  comment.id = 9_000 + options.number;
  Object.assign(object(comment.user), { login, type });
  Object.assign(object(payload.sender), { login, type });
  return { id: randomUUID(), name: "issue_comment", payload } as unknown as EventOf<"issue_comment", "created">;
}

export interface RequestedActionOptions {
  owner: string;
  repo: string;
  installationId: number;
  headSha: string;
  baseSha: string;
  pullNumber: number;
  checkRunId?: number;
  identifier?: string;
}

/** A `check_run.requested_action` event: someone clicked a button Tollgate put on its check run. */
export function checkRunRequestedActionEvent(options: RequestedActionOptions): EventOf<"check_run", "requested_action"> {
  const payload = example("check_run", "requested_action");
  retarget(payload, options.owner, options.repo, options.installationId);
  const run = object(payload.check_run);
  run.id = options.checkRunId ?? run.id;
  run.name = "Tollgate";
  run.head_sha = options.headSha;
  run.status = "completed";
  run.conclusion = "success";
  const repoRef = { id: object(payload.repository).id, url: `https://api.github.com/repos/${options.owner}/${options.repo}`, name: options.repo };
  run.pull_requests = [
    {
      url: `https://api.github.com/repos/${options.owner}/${options.repo}/pulls/${options.pullNumber}`,
      id: options.pullNumber,
      number: options.pullNumber,
      head: { ref: "feature", sha: options.headSha, repo: repoRef },
      base: { ref: "main", sha: options.baseSha, repo: repoRef },
    },
  ];
  payload.requested_action = { identifier: options.identifier ?? "rerun" };
  return { id: randomUUID(), name: "check_run", payload } as unknown as EventOf<"check_run", "requested_action">;
}
