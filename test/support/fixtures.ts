/**
 * Webhook payloads built from GitHub's real example payloads
 * (@octokit/webhooks-examples), retargeted at the repository, pull request
 * and commits a test needs, plus keys and signatures for tests that run a
 * real Probot app.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import { sign } from "@octokit/webhooks-methods";
import type { Probot } from "probot";

/** Any event Probot can receive: `{ id, name, payload }`. */
export type WebhookEvent = Parameters<Probot["receive"]>[0];
/** The event for one `name` and payload `action`, e.g. EventOf<"pull_request", "opened">. */
export type EventOf<N extends WebhookEvent["name"], A extends string> = Extract<WebhookEvent, { name: N; payload: { action: A } }>;

function event<N extends WebhookEvent["name"], A extends string>(name: N, payload: Json): EventOf<N, A> {
  return { id: randomUUID(), name, payload } as unknown as EventOf<N, A>;
}

interface WebhookDefinition {
  name: string;
  examples: Record<string, unknown>[];
}

let definitions: WebhookDefinition[] | undefined;

function example(name: string, action: string, wanted: (payload: Record<string, unknown>) => boolean = () => true): Record<string, unknown> {
  // Read with fs rather than `import`: the file is ~4 MB and TypeScript would
  // otherwise infer a type for all of it on every type check.
  definitions ??= JSON.parse(
    readFileSync(createRequire(import.meta.url).resolve("@octokit/webhooks-examples"), "utf8"),
  ) as WebhookDefinition[];
  const found = definitions
    .find((definition) => definition.name === name)
    ?.examples.find((payload) => payload.action === action && wanted(payload));
  if (!found) throw new Error(`@octokit/webhooks-examples has no ${name}.${action} example`);
  return structuredClone(found);
}

type Json = Record<string, unknown>;

function at(value: unknown, ...path: string[]): Json {
  let node = value;
  for (const key of path) node = (node as Json)[key];
  if (typeof node !== "object" || node === null) throw new Error(`example payload has no object at ${path.join(".")}`);
  return node as Json;
}

/** Applies `edit` to every string in the payload (URLs embed names and shas). */
function rewriteStrings(node: unknown, edit: (text: string) => string): unknown {
  if (typeof node === "string") return edit(node);
  if (Array.isArray(node)) return node.map((item) => rewriteStrings(item, edit));
  if (typeof node === "object" && node !== null) {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, rewriteStrings(value, edit)]));
  }
  return node;
}

function replaceAll(text: string, pairs: [string, string][]): string {
  return pairs.reduce((result, [from, to]) => (from === to ? result : result.split(from).join(to)), text);
}

function setRepository(repository: Json, fullName: string): void {
  const [owner = "", name = ""] = fullName.split("/");
  repository.name = name;
  repository.full_name = fullName;
  at(repository, "owner").login = owner;
}

export interface PullRequestRef {
  number: number;
  headSha: string;
  baseSha: string;
  headRef?: string;
  baseRef?: string;
}

interface RepoOptions {
  owner?: string;
  repo?: string;
  installationId?: number;
}

export type PullRequestAction = "opened" | "synchronize" | "reopened";

export interface PullRequestEventOptions<A extends PullRequestAction> extends RepoOptions {
  action?: A;
  number?: number;
  headSha?: string;
  baseSha?: string;
  headRef?: string;
  baseRef?: string;
  /** "owner/repo" of the head repository, for pull requests from forks. */
  headRepo?: string;
}

/**
 * A `pull_request` webhook event for `probot.receive()`, built from GitHub's
 * "opened" example. Defaults are the example's own values
 * (Codertocat/Hello-World #2, installation 1).
 */
export function pullRequestEvent<A extends PullRequestAction = "opened">(options: PullRequestEventOptions<A> = {}): EventOf<"pull_request", A> {
  const original = example("pull_request", "opened", (payload) => payload.installation !== undefined);
  const pr = at(original, "pull_request");
  const head = at(pr, "head");
  const base = at(pr, "base");
  const oldFullName = String(at(original, "repository").full_name);
  const oldNumber = Number(original.number);
  const oldHeadSha = String(head.sha);
  const oldBaseSha = String(base.sha);

  const owner = options.owner ?? oldFullName.split("/")[0] ?? "";
  const repo = options.repo ?? oldFullName.split("/")[1] ?? "";
  const fullName = `${owner}/${repo}`;
  const number = options.number ?? oldNumber;
  const headSha = options.headSha ?? oldHeadSha;
  const baseSha = options.baseSha ?? oldBaseSha;
  const headRef = options.headRef ?? String(head.ref);
  const baseRef = options.baseRef ?? String(base.ref);
  const headRepo = options.headRepo ?? fullName;

  const numberInUrl = new RegExp(`/(pulls|issues|pull)/${oldNumber}(?=$|[/?#])`, "g");
  const payload = rewriteStrings(original, (text) =>
    replaceAll(text, [
      [oldFullName, fullName],
      [oldHeadSha, headSha],
      [oldBaseSha, baseSha],
    ]).replace(numberInUrl, `/$1/${number}`),
  ) as Json;

  const newPr = at(payload, "pull_request");
  const newHead = at(newPr, "head");
  const newBase = at(newPr, "base");
  payload.action = options.action ?? "opened";
  payload.number = number;
  newPr.number = number;
  setRepository(at(payload, "repository"), fullName);
  setRepository(at(newBase, "repo"), fullName);
  newBase.ref = baseRef;
  newBase.label = `${owner}:${baseRef}`;
  at(newBase, "user").login = owner;
  // Anchored on "/" so that a short name such as "o/r" cannot hit the middle of another word.
  const headRepository = rewriteStrings(at(newHead, "repo"), (text) => replaceAll(text, [[`/${fullName}`, `/${headRepo}`]])) as Json;
  setRepository(headRepository, headRepo);
  headRepository.fork = headRepo !== fullName;
  newHead.repo = headRepository;
  newHead.ref = headRef;
  newHead.label = `${headRepo.split("/")[0]}:${headRef}`;
  at(newHead, "user").login = headRepo.split("/")[0];
  if (payload.action === "synchronize") {
    // synchronize events say which head the push replaced.
    payload.before = oldHeadSha === headSha ? "0000000000000000000000000000000000000000" : oldHeadSha;
    payload.after = headSha;
  }
  if (options.installationId !== undefined || !payload.installation) {
    payload.installation = { id: options.installationId ?? 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
  }
  return event("pull_request", payload);
}

function pullRequestsJson(refs: PullRequestRef[], fullName: string, apiUrl: string, repoId: unknown): Json[] {
  const repoRef = { id: repoId, url: `${apiUrl}/repos/${fullName}`, name: fullName.split("/")[1] };
  return refs.map((ref) => ({
    url: `${apiUrl}/repos/${fullName}/pulls/${ref.number}`,
    id: ref.number,
    number: ref.number,
    head: { ref: ref.headRef ?? "feature", sha: ref.headSha, repo: repoRef },
    base: { ref: ref.baseRef ?? "main", sha: ref.baseSha, repo: repoRef },
  }));
}

export interface CheckEventOptions extends RepoOptions {
  headSha?: string;
  /** Id of the GitHub App that owns the check run/suite (compare with APP_ID). */
  appId?: number;
  /** Pull requests attached to the run/suite; default: the example's. */
  pullRequests?: PullRequestRef[];
  /** Shorthand for one attached pull request at `headSha`/`baseSha`. */
  pullNumber?: number;
  baseSha?: string;
}

function attachedPullRequests(options: CheckEventOptions, headSha: string): PullRequestRef[] | undefined {
  if (options.pullRequests) return options.pullRequests;
  if (options.pullNumber === undefined) return undefined;
  return [{ number: options.pullNumber, headSha, baseSha: options.baseSha ?? "0".repeat(40) }];
}

export interface CheckRunEventOptions extends CheckEventOptions {
  checkRunId?: number;
  name?: string;
}

export interface CheckSuiteEventOptions extends CheckEventOptions {
  checkSuiteId?: number;
  headBranch?: string;
}

function retargetCheckEvent(name: "check_run" | "check_suite", options: CheckEventOptions): Json {
  const original = example(name, "rerequested");
  const subject = at(original, name);
  const oldFullName = String(at(original, "repository").full_name);
  const oldHeadSha = String(subject.head_sha);
  const owner = options.owner ?? oldFullName.split("/")[0] ?? "";
  const repo = options.repo ?? oldFullName.split("/")[1] ?? "";
  const fullName = `${owner}/${repo}`;
  const headSha = options.headSha ?? oldHeadSha;
  const payload = rewriteStrings(original, (text) =>
    replaceAll(text, [
      [oldFullName, fullName],
      [oldHeadSha, headSha],
    ]),
  ) as Json;
  setRepository(at(payload, "repository"), fullName);
  if (options.installationId !== undefined) {
    payload.installation = { ...at(payload, "installation"), id: options.installationId };
  }
  return payload;
}

/** A `check_run.rerequested` event (the "Re-run" button on one check run). */
export function checkRunRerequestedEvent(options: CheckRunEventOptions = {}): EventOf<"check_run", "rerequested"> {
  const payload = retargetCheckEvent("check_run", options);
  const run = at(payload, "check_run");
  const suite = at(run, "check_suite");
  const repository = at(payload, "repository");
  if (options.checkRunId !== undefined) run.id = options.checkRunId;
  if (options.name !== undefined) run.name = options.name;
  if (options.appId !== undefined) {
    at(run, "app").id = options.appId;
    at(suite, "app").id = options.appId;
  }
  const attached = attachedPullRequests(options, String(run.head_sha));
  if (attached) {
    const pulls = pullRequestsJson(attached, String(repository.full_name), "https://api.github.com", repository.id);
    run.pull_requests = pulls;
    suite.pull_requests = pulls;
  }
  return event("check_run", payload);
}

/** A `check_suite.rerequested` event (the "Re-run all checks" button). */
export function checkSuiteRerequestedEvent(options: CheckSuiteEventOptions = {}): EventOf<"check_suite", "rerequested"> {
  const payload = retargetCheckEvent("check_suite", options);
  const suite = at(payload, "check_suite");
  const repository = at(payload, "repository");
  if (options.checkSuiteId !== undefined) suite.id = options.checkSuiteId;
  if (options.headBranch !== undefined) suite.head_branch = options.headBranch;
  if (options.appId !== undefined) at(suite, "app").id = options.appId;
  const attached = attachedPullRequests(options, String(suite.head_sha));
  if (attached) suite.pull_requests = pullRequestsJson(attached, String(repository.full_name), "https://api.github.com", repository.id);
  return event("check_suite", payload);
}

/** A fresh 2048-bit RSA key in PKCS#1 PEM, the format GitHub issues and Probot reads. */
export function generatePrivateKey(): string {
  return generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs1", format: "pem" },
  }).privateKey;
}

/**
 * The `X-Hub-Signature-256` value ("sha256=…") for a webhook body. Sign the
 * exact text you send: an object is serialised with JSON.stringify here.
 */
export function signWebhook(secret: string, payload: string | object): Promise<string> {
  return sign(secret, typeof payload === "string" ? payload : JSON.stringify(payload));
}

/** Headers and body for POSTing a signed webhook delivery to a running app. */
export async function webhookRequest(
  delivery: { id: string; name: string; payload: object },
  secret: string,
): Promise<{ headers: Record<string, string>; body: string }> {
  const body = JSON.stringify(delivery.payload);
  return {
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/tollgate-test",
      "x-github-event": delivery.name,
      "x-github-delivery": delivery.id,
      "x-hub-signature-256": await signWebhook(secret, body),
    },
  };
}
