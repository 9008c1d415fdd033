import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tollgateApp } from "../../src/github/app.js";
import { RERUN_ACTION } from "../../src/github/checks.js";
import { createMemoryQueue, type JobQueue } from "../../src/github/queue.js";
import type { ReviewJob } from "../../src/github/review-job.js";
import { TarballNotFoundError, type Packument, type Registry } from "../../src/registry/registry.js";
import { COMMENT_MARKER, MAX_IGNORES, readCommentState, withIgnores } from "../../src/report/comment.js";
import { recordGitHub, type GitHubRecorder } from "../support/nock-github.js";
import { fakeRegistry, packument } from "../support/packages.js";
import { checkRunRerequestedEvent, checkSuiteRerequestedEvent, pullRequestEvent } from "../support/fixtures.js";
import { checkRunRequestedActionEvent, issueCommentCreatedEvent } from "./events.js";

const API = "https://api.github.com";
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const corpus = (side: string, file: string) =>
  readFileSync(new URL(`../../../shared/corpus/lockfile-pairs/mocha-npm2-bump-serialize-javascript/${side}/${file}`, import.meta.url), "utf8");

const OWNER = "octo-org";
const REPO = "shop";
const BASE = "b".repeat(40);
const MERGE_BASE = "m".repeat(40).replace(/m/g, "a");
const HEAD = "c".repeat(40);

let github: GitHubRecorder;
let queue: JobQueue<ReviewJob>;
let comments: FakeComments;

function startApp(
  registry: Registry = fakeRegistry([packument("serialize-javascript", { "7.0.2": {} })]),
  createQueue?: (worker: (job: ReviewJob) => Promise<void>) => JobQueue<ReviewJob>,
) {
  const probot = new Probot({
    appId: 1,
    privateKey,
    logLevel: "fatal",
    // A function, because Probot puts its own throttle settings over plain defaults: without this the
    // throttle spaces writes a second apart and the tests crawl.
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { ...(options.throttle as object), enabled: false },
    })),
  });
  probot.load(
    tollgateApp({
      registry: () => registry,
      // The code analysis is tested with the review (test/review/code-signals.test.ts).
      analysis: false,
      now: () => new Date("2026-06-15T12:00:00Z"),
      createQueue: (worker) =>
        (queue = createQueue?.(worker) ?? createMemoryQueue(worker, { concurrency: 2, onError: (error) => console.error(error) })),
    }),
  );
  return probot;
}

/** GitHub's answers for a pull request that bumps one package in package-lock.json. */
function mockPullRequest(options: { files?: { filename: string; status: string }[]; config?: string } = {}) {
  const files = options.files ?? [
    { filename: "package-lock.json", status: "modified" },
    { filename: "src/index.js", status: "modified" },
  ];
  const contents: Record<string, string> = {
    [`package-lock.json@${MERGE_BASE}`]: corpus("base", "package-lock.json"),
    [`package-lock.json@${HEAD}`]: corpus("head", "package-lock.json"),
    [`package.json@${MERGE_BASE}`]: corpus("base", "package.json"),
    [`package.json@${HEAD}`]: corpus("head", "package.json"),
  };
  const api = nock(API);
  api.post("/app/installations/2/access_tokens").reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {} });
  api
    .get(`/repos/${OWNER}/${REPO}/contents/.github%2Ftollgate.yml`)
    .reply(options.config ? 200 : 404, options.config ?? { message: "Not Found" }, { "content-type": "text/plain; charset=utf-8" });
  if (!options.config) api.get(`/repos/${OWNER}/.github/contents/.github%2Ftollgate.yml`).reply(404, { message: "Not Found" });
  api
    .get(`/repos/${OWNER}/${REPO}/pulls/1/files`)
    .query(true)
    .reply(200, files.map((file) => ({ sha: "0".repeat(40), additions: 1, deletions: 1, changes: 2, ...file })));
  api.get(`/repos/${OWNER}/${REPO}/compare/${BASE}...${HEAD}`).query(true).reply(200, { merge_base_commit: { sha: MERGE_BASE } });
  api
    .get(/\/repos\/octo-org\/shop\/contents\/.+/)
    .query(true)
    .times(6)
    .reply((request: unknown) => {
      // nock 15 hands fetch requests over as Request objects, http ones as a path.
      const uri = typeof request === "string" ? request : (request as Request).url;
      const url = new URL(uri, API);
      const path = decodeURIComponent(url.pathname.split("/contents/")[1]!);
      const text = contents[`${path}@${url.searchParams.get("ref")}`];
      if (text === undefined) return [404, { message: "Not Found" }];
      return [200, { type: "file", encoding: "base64", size: text.length, name: path, path, sha: "1".repeat(40), content: Buffer.from(text).toString("base64") }];
    });
  return api;
}

function checkRunCalls() {
  return github.requests.filter((request) => request.url.includes("/check-runs"));
}

const BOT = { login: "tollgate[bot]", id: 1001, type: "Bot" };

interface StoredComment {
  id: number;
  body: string;
  user: { login: string; id: number; type: string };
}

interface FakeComments {
  /** The pull request's comments, oldest first, as GitHub would list them. */
  store: StoredComment[];
  /** What the permission endpoint says of every user. */
  permission: { permission: string; role_name: string };
  /** GitHub refuses to create or edit comments (HTTP 403). */
  refuseWrites: boolean;
  /** GitHub refuses to list comments (HTTP 403), as for an installation that has not accepted the permission. */
  refuseReads: boolean;
}

/** The URL of a nock reply function's request: nock 15 passes fetch requests as Request objects. */
function urlOf(request: unknown): URL {
  return new URL(typeof request === "string" ? request : (request as Request).url, API);
}

/** The `body` field of a comment request (nock 15 hands a reply function the fetch Request, body unread). */
async function bodyOf(request: Request): Promise<string> {
  return ((await request.clone().json()) as { body: string }).body;
}

/**
 * GitHub's answers about the app and pull request #1's comments, kept in memory for the whole test:
 * the app's slug, the comments (listed in pages of the size asked for), creating and editing them,
 * and the commenter's permission.
 */
function fakeComments(): FakeComments {
  const fake: FakeComments = { store: [], permission: { permission: "write", role_name: "write" }, refuseWrites: false, refuseReads: false };
  let nextId = 500;
  const api = nock(API).persist();
  api.get("/app").reply(200, { id: 1, slug: "tollgate", name: "Tollgate", owner: { login: OWNER }, permissions: {}, events: [] });
  api
    .get(`/repos/${OWNER}/${REPO}/issues/1/comments`)
    .query(true)
    .reply((request: unknown) => {
      if (fake.refuseReads) return [403, { message: "Resource not accessible by integration" }];
      const url = urlOf(request);
      const perPage = Number(url.searchParams.get("per_page") ?? 30);
      const page = Number(url.searchParams.get("page") ?? 1);
      const pages = Math.max(1, Math.ceil(fake.store.length / perPage));
      const link = page < pages ? { link: `<${API}/repos/${OWNER}/${REPO}/issues/1/comments?per_page=${perPage}&page=${page + 1}>; rel="next"` } : undefined;
      return [200, fake.store.slice((page - 1) * perPage, page * perPage), link];
    });
  api.post(`/repos/${OWNER}/${REPO}/issues/1/comments`).reply(async (request: Request) => {
    if (fake.refuseWrites) return [403, { message: "Resource not accessible by integration" }];
    const comment = { id: nextId++, body: await bodyOf(request), user: BOT };
    fake.store.push(comment);
    return [201, comment];
  });
  api.patch(/\/repos\/octo-org\/shop\/issues\/comments\/\d+$/).reply(async (request: Request) => {
    if (fake.refuseWrites) return [403, { message: "Resource not accessible by integration" }];
    const id = Number(urlOf(request).pathname.split("/").pop());
    const comment = fake.store.find((item) => item.id === id);
    if (!comment) return [404, { message: "Not Found" }];
    comment.body = await bodyOf(request);
    return [200, comment];
  });
  api
    .get(/\/repos\/octo-org\/shop\/collaborators\/[^/]+\/permission$/)
    .reply(() => [200, { ...fake.permission, user: { login: "octocat", id: 1, type: "User" } }]);
  return fake;
}

/** Requests that create or edit comments on the pull request. */
function commentWrites() {
  return github.requests
    .filter((request) => /\/issues\/(1\/)?comments/.test(request.url) && request.method !== "GET")
    .map((request) => ({ method: request.method, body: (request.body as { body: string }).body }));
}

/** A registry whose answer about serialize-javascript@7.0.2 (deprecated or not) the test can change. */
function switchableRegistry(): Registry & { deprecated: string | undefined } {
  const registry = {
    deprecated: undefined as string | undefined,
    urlFor: () => "https://registry.npmjs.org/",
    async packument(name: string): Promise<Packument | undefined> {
      if (name !== "serialize-javascript") return undefined;
      return packument(name, { "7.0.2": registry.deprecated ? { deprecated: registry.deprecated } : {} });
    },
    async tarball(name: string, version: string): Promise<Buffer> {
      throw new TarballNotFoundError(`${name}@${version} is not on the registry`);
    },
  };
  return registry;
}

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  github = recordGitHub();
  comments = fakeComments();
});
afterEach(() => {
  github.stop();
  nock.cleanAll();
});

describe("pull_request webhook", () => {
  it("starts a check run at once and completes it with the review", async () => {
    const api = mockPullRequest();
    api.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id: 77 });
    api.patch(`/repos/${OWNER}/${REPO}/check-runs/77`).reply(200, { id: 77 });
    const probot = startApp();
    await probot.receive(pullRequestEvent({ owner: OWNER, repo: REPO, number: 1, baseSha: BASE, headSha: HEAD, installationId: 2 }));
    // The webhook has been answered: the check run exists and is in progress, the review is queued.
    expect(checkRunCalls().map((call) => [call.method, (call.body as { status?: string }).status])).toEqual([["POST", "in_progress"]]);
    await queue.drain();
    const calls = checkRunCalls();
    expect(calls).toHaveLength(2);
    const completed = calls[1]!.body as { status: string; conclusion: string; output: { title: string; summary: string }; actions: unknown };
    expect(completed.status).toBe("completed");
    expect(completed.conclusion).toBe("success");
    // The "Re-run review" button, within GitHub's limits for actions.
    expect(completed.actions).toEqual([RERUN_ACTION]);
    expect(RERUN_ACTION.label.length).toBeLessThanOrEqual(20);
    expect(RERUN_ACTION.description.length).toBeLessThanOrEqual(40);
    expect(RERUN_ACTION.identifier.length).toBeLessThanOrEqual(20);
    expect(completed.output.summary).toContain("serialize-javascript");
    expect(completed.output.summary).toContain("`package-lock.json`");
    expect(github.problems).toEqual([]);
    expect(github.unmatched).toEqual([]);
  });

  it("completes with success and says so when no dependency file changed", async () => {
    const api = mockPullRequest({ files: [{ filename: "README.md", status: "modified" }] });
    api.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id: 78 });
    api.patch(`/repos/${OWNER}/${REPO}/check-runs/78`).reply(200, { id: 78 });
    const probot = startApp();
    await probot.receive(pullRequestEvent({ owner: OWNER, repo: REPO, number: 1, baseSha: BASE, headSha: HEAD, installationId: 2 }));
    await queue.drain();
    const completed = checkRunCalls()[1]!.body as { conclusion: string; output: { title: string } };
    expect(completed).toMatchObject({ conclusion: "success", output: { title: "No dependency changes" } });
    expect(github.problems).toEqual([]);
  });

  it("fails the check and names the field when the policy file is invalid", async () => {
    const api = mockPullRequest({ config: "rules:\n  git-dependency: fatal\n" });
    api.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id: 79 });
    api.patch(`/repos/${OWNER}/${REPO}/check-runs/79`).reply(200, { id: 79 });
    const probot = startApp();
    await probot.receive(pullRequestEvent({ owner: OWNER, repo: REPO, number: 1, baseSha: BASE, headSha: HEAD, installationId: 2 }));
    await queue.drain();
    const completed = checkRunCalls()[1]!.body as { conclusion: string; output: { title: string; summary: string } };
    expect(completed.conclusion).toBe("failure");
    expect(completed.output.title).toBe("Invalid Tollgate policy");
    expect(completed.output.summary).toContain("`rules.git-dependency`");
    expect(github.problems).toEqual([]);
  });

  it("completes as neutral and names the packages when the registry cannot be reached", async () => {
    const api = mockPullRequest();
    api.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id: 80 });
    api.patch(`/repos/${OWNER}/${REPO}/check-runs/80`).reply(200, { id: 80 });
    const probot = startApp(fakeRegistry([], ["serialize-javascript"]));
    await probot.receive(pullRequestEvent({ owner: OWNER, repo: REPO, number: 1, baseSha: BASE, headSha: HEAD, installationId: 2 }));
    await queue.drain();
    const completed = checkRunCalls()[1]!.body as { conclusion: string; output: { summary: string } };
    expect(completed.conclusion).toBe("neutral");
    expect(completed.output.summary).toContain("serialize-javascript@7.0.2");
    expect(completed.output.summary).toContain("could not be reached");
  });

  it("completes every started check run even when GitHub fails mid-review", async () => {
    const api = nock(API);
    api.post("/app/installations/2/access_tokens").reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z" });
    api.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id: 81 });
    api.get(`/repos/${OWNER}/${REPO}/contents/.github%2Ftollgate.yml`).reply(404, { message: "Not Found" });
    api.get(`/repos/${OWNER}/.github/contents/.github%2Ftollgate.yml`).reply(404, { message: "Not Found" });
    api.get(`/repos/${OWNER}/${REPO}/pulls/1/files`).query(true).reply(502, { message: "Bad gateway" });
    api.patch(`/repos/${OWNER}/${REPO}/check-runs/81`).reply(200, { id: 81 });
    const probot = startApp();
    await probot.receive(pullRequestEvent({ owner: OWNER, repo: REPO, number: 1, baseSha: BASE, headSha: HEAD, installationId: 2 }));
    await queue.drain();
    const completed = checkRunCalls()[1]!.body as { status: string; conclusion: string; output: { summary: string } };
    expect(completed).toMatchObject({ status: "completed", conclusion: "neutral" });
    expect(completed.output.summary).toContain("GitHub answered HTTP 502");
    expect(github.problems).toEqual([]);
  });
});

describe("re-runs and newer pushes", () => {
  it("reviews again when the check run is re-requested", async () => {
    const api = mockPullRequest();
    api.get(`/repos/${OWNER}/${REPO}/pulls/1`).reply(200, { number: 1, state: "open", head: { sha: HEAD }, base: { sha: BASE } });
    api.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id: 90 });
    api.patch(`/repos/${OWNER}/${REPO}/check-runs/90`).reply(200, { id: 90 });
    const probot = startApp();
    await probot.receive(checkRunRerequestedEvent({ owner: OWNER, repo: REPO, pullNumber: 1, headSha: HEAD, baseSha: BASE, installationId: 2 }));
    await queue.drain();
    expect(checkRunCalls().map((call) => call.method)).toEqual(["POST", "PATCH"]);
    expect((checkRunCalls()[1]!.body as { conclusion: string }).conclusion).toBe("success");
    expect(github.problems).toEqual([]);
  });

  it("reviews again on a check suite re-run from a fork, finding the PR by its commit", async () => {
    const api = mockPullRequest();
    // GitHub leaves pull_requests empty for forks; the app asks which open PRs hold the commit.
    api.get(`/repos/${OWNER}/${REPO}/commits/${HEAD}/pulls`).reply(200, [{ number: 1, state: "open" }]);
    api.get(`/repos/${OWNER}/${REPO}/pulls/1`).reply(200, { number: 1, state: "open", head: { sha: HEAD }, base: { sha: BASE } });
    api.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id: 95 });
    api.patch(`/repos/${OWNER}/${REPO}/check-runs/95`).reply(200, { id: 95 });
    const probot = startApp();
    await probot.receive(checkSuiteRerequestedEvent({ owner: OWNER, repo: REPO, headSha: HEAD, installationId: 2, pullRequests: [] }));
    await queue.drain();
    expect(checkRunCalls().map((call) => call.method)).toEqual(["POST", "PATCH"]);
    expect(github.problems).toEqual([]);
    expect(github.unmatched).toEqual([]);
  });

  it("never lets an older review overwrite a newer one", async () => {
    // Two pushes in a row: both check runs start before either review runs.
    const api = mockPullRequest();
    api.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id: 100 });
    api.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id: 101 });
    api.patch(`/repos/${OWNER}/${REPO}/check-runs/100`).reply(200, { id: 100 });
    api.patch(`/repos/${OWNER}/${REPO}/check-runs/101`).reply(200, { id: 101, html_url: `https://github.com/${OWNER}/${REPO}/runs/101` });
    const registry = switchableRegistry();
    registry.deprecated = "no longer maintained";
    // A queue that holds jobs until the test lets them run, oldest first.
    const held: ReviewJob[] = [];
    const probot = startApp(registry, (worker) => ({
      enqueue: async (job) => void held.push(job),
      drain: async () => {
        for (const job of held.splice(0)) await worker(job);
      },
    }));
    await probot.receive(pullRequestEvent({ owner: OWNER, repo: REPO, number: 1, baseSha: BASE, headSha: "d".repeat(40), installationId: 2, action: "opened" }));
    await probot.receive(pullRequestEvent({ owner: OWNER, repo: REPO, number: 1, baseSha: BASE, headSha: HEAD, installationId: 2, action: "synchronize" }));
    await queue.drain();
    const completions = checkRunCalls().filter((call) => call.method === "PATCH");
    const byId = Object.fromEntries(completions.map((call) => [call.url.split("/").pop(), call.body as { conclusion: string; output: { title: string } }]));
    expect(byId["100"]).toMatchObject({ conclusion: "cancelled", output: { title: "Superseded by a newer review" } });
    expect(byId["101"]!.conclusion).toBe("success");
    // Only the newest review writes the comment.
    expect(commentWrites().map((write) => write.method)).toEqual(["POST"]);
    expect(comments.store[0]!.body).toContain(`(https://github.com/${OWNER}/${REPO}/runs/101)`);
    expect(github.problems).toEqual([]);
  });

});

/** Mocks for one review that completes check run `id` (with its page on GitHub). */
function mockReview(id: number, options: { config?: string } = {}) {
  const api = mockPullRequest(options);
  api.post(`/repos/${OWNER}/${REPO}/check-runs`).reply(201, { id });
  api.patch(`/repos/${OWNER}/${REPO}/check-runs/${id}`).reply(200, { id, html_url: `https://github.com/${OWNER}/${REPO}/runs/${id}` });
  return api;
}

function completion(id: number) {
  const call = checkRunCalls().find((request) => request.method === "PATCH" && request.url.endsWith(`/check-runs/${id}`));
  return call?.body as { status: string; conclusion: string; output: { title: string; summary: string }; actions?: unknown } | undefined;
}

const openPull = { number: 1, state: "open", head: { sha: HEAD }, base: { sha: BASE } };
const prEvent = (action: "opened" | "synchronize") => pullRequestEvent({ owner: OWNER, repo: REPO, number: 1, baseSha: BASE, headSha: HEAD, installationId: 2, action });
const commentEvent = (body: string, options: { login?: string; userType?: "User" | "Bot"; onPullRequest?: boolean } = {}) =>
  issueCommentCreatedEvent({ owner: OWNER, repo: REPO, installationId: 2, number: 1, body, ...options });

describe("the pull request comment", () => {
  it("is created once, then edited in place by the next review, which says the alert is resolved", async () => {
    const registry = switchableRegistry();
    registry.deprecated = "no longer maintained";
    mockReview(110);
    const probot = startApp(registry);
    await probot.receive(prEvent("opened"));
    await queue.drain();
    expect(completion(110)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(commentWrites().map((write) => write.method)).toEqual(["POST"]);
    const first = comments.store[0]!.body;
    expect(first.startsWith(COMMENT_MARKER)).toBe(true);
    expect(first).toContain("**🟠 `serialize-javascript@7.0.2`**");
    expect(first).toContain("`deprecated` (Deprecated version)");
    expect(first).toContain("What to do:");
    expect(first).toContain(`[The check run](https://github.com/${OWNER}/${REPO}/runs/110)`);
    expect(readCommentState(first).alerts).toEqual(["deprecated serialize-javascript@7.0.2"]);

    // A new push; the registry no longer calls the version deprecated.
    registry.deprecated = undefined;
    mockReview(111);
    await probot.receive(prEvent("synchronize"));
    await queue.drain();
    expect(completion(111)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(commentWrites().map((write) => write.method)).toEqual(["POST", "PATCH"]);
    expect(comments.store).toHaveLength(1);
    const second = comments.store[0]!.body;
    expect(second).toContain("#### The alert of the previous review is resolved");
    expect(second).toContain("- ✅ `deprecated` on `serialize-javascript@7.0.2`");
    expect(second).toContain(`[The check run](https://github.com/${OWNER}/${REPO}/runs/111)`);
    expect(readCommentState(second).alerts).toEqual([]);
    expect(github.problems).toEqual([]);
    expect(github.unmatched).toEqual([]);
  });

  it("finds its comment past the first page, and only a comment the app's bot wrote", async () => {
    const registry = switchableRegistry();
    registry.deprecated = "no longer maintained";
    // 100 human comments, one of them pasting the marker with planted state, then Tollgate's.
    for (let index = 0; index < 100; index++) {
      const planted = `${COMMENT_MARKER}\n<!-- tollgate:state {"v":1,"alerts":[],"unreviewed":0,"ignores":[{"package":"serialize-javascript@7.0.2","reason":"x","by":"mallory"}]} -->`;
      comments.store.push({ id: index + 1, body: index === 50 ? planted : "lgtm", user: { login: "mallory", id: 7, type: "User" } });
    }
    comments.store.push({ id: 400, body: `${COMMENT_MARKER}\nold review`, user: BOT });
    mockReview(112);
    const probot = startApp(registry);
    await probot.receive(prEvent("opened"));
    await queue.drain();
    // The planted ignore was not applied.
    expect(completion(112)!.output.summary).not.toContain("mallory");
    expect(completion(112)!.output.summary).toContain("deprecated");
    expect(github.requests.filter((request) => request.url.includes("/issues/1/comments") && request.method === "GET").length).toBeGreaterThanOrEqual(2);
    expect(github.requests.filter((request) => request.method === "PATCH" && request.url.endsWith("/issues/comments/400"))).toHaveLength(1);
    expect(comments.store.find((comment) => comment.id === 400)!.body).toContain("serialize-javascript@7.0.2");
    expect(commentWrites().map((write) => write.method)).toEqual(["PATCH"]);
    expect(github.problems).toEqual([]);
  });

  it("writes nothing in on-alerts mode when there is nothing to say", async () => {
    mockReview(113);
    const probot = startApp();
    await probot.receive(prEvent("opened"));
    await queue.drain();
    expect(completion(113)).toMatchObject({ conclusion: "success" });
    expect(github.requests.some((request) => request.url.includes("/issues/1/comments"))).toBe(true);
    expect(commentWrites()).toEqual([]);
    expect(github.problems).toEqual([]);
  });

  it("comments on every review in always mode, and never in off mode", async () => {
    mockReview(114, { config: "comment: always\n" });
    const probot = startApp();
    await probot.receive(prEvent("opened"));
    await queue.drain();
    expect(commentWrites().map((write) => write.method)).toEqual(["POST"]);
    expect(comments.store[0]!.body).toContain("**Passes the policy:** no alerts.");

    const registry = switchableRegistry();
    registry.deprecated = "no longer maintained";
    comments.store.length = 0;
    mockReview(115, { config: "comment: \"off\"\n" });
    const quiet = startApp(registry);
    await quiet.receive(prEvent("opened"));
    await queue.drain();
    expect(completion(115)).toMatchObject({ conclusion: "success" });
    expect(completion(115)!.output.summary).toContain("deprecated");
    expect(commentWrites().map((write) => write.method)).toEqual(["POST"]);
    expect(comments.store).toEqual([]);
    expect(github.problems).toEqual([]);
  });

  it("completes the check run first; a comment GitHub refuses is logged, not fatal", async () => {
    const registry = switchableRegistry();
    registry.deprecated = "no longer maintained";
    comments.refuseWrites = true;
    mockReview(116);
    const errors: unknown[] = [];
    const probot = startApp(registry, (worker) => createMemoryQueue(worker, { concurrency: 1, onError: (error) => errors.push(error) }));
    await probot.receive(prEvent("opened"));
    await queue.drain();
    expect(checkRunCalls().map((call) => call.method)).toEqual(["POST", "PATCH"]);
    expect(completion(116)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(commentWrites().map((write) => write.method)).toEqual(["POST"]);
    expect(comments.store).toEqual([]);
    expect(errors).toEqual([]);
    expect(github.problems).toEqual([]);
  });

  it("says in the check run when the ignores could not be read, and then leaves the comment alone", async () => {
    const registry = switchableRegistry();
    registry.deprecated = "no longer maintained";
    comments.refuseReads = true;
    mockReview(117);
    const probot = startApp(registry);
    await probot.receive(prEvent("opened"));
    await queue.drain();
    const completed = completion(117)!;
    expect(completed.conclusion).toBe("neutral");
    expect(completed.output.summary).toContain("**ignores given on this pull request**");
    expect(completed.output.summary).toContain("could not read this pull request's comments (GitHub answered HTTP 403)");
    expect(commentWrites()).toEqual([]);
    expect(github.problems).toEqual([]);
  });
});

describe("commands in pull request comments", () => {
  const IGNORE = "@tollgate ignore serialize-javascript@7.0.2 deprecated -- we vendor a patched copy";

  it("records an ignore from a user with write access and reviews again with it", async () => {
    const registry = switchableRegistry();
    registry.deprecated = "no longer maintained";
    const api = mockReview(120);
    api.get(`/repos/${OWNER}/${REPO}/pulls/1`).reply(200, openPull);
    const probot = startApp(registry);
    await probot.receive(commentEvent(IGNORE, { login: "octocat" }));
    expect(github.requests.some((request) => request.url.endsWith("/collaborators/octocat/permission"))).toBe(true);
    // The ignore is kept in Tollgate's comment before the review runs again.
    expect(comments.store).toHaveLength(1);
    const recorded = readCommentState(comments.store[0]!.body);
    expect(recorded.ignores).toEqual([{ package: "serialize-javascript@7.0.2", rules: ["deprecated"], reason: "we vendor a patched copy", by: "octocat" }]);
    expect(checkRunCalls().map((call) => [call.method, (call.body as { head_sha?: string }).head_sha])).toEqual([["POST", HEAD]]);

    await queue.drain();
    const completed = completion(120)!;
    expect(completed.conclusion).toBe("success");
    expect(completed.output.summary).toContain(
      "Accepted by exception, 1 alert: `serialize-javascript@7.0.2` (deprecated): we vendor a patched copy (ignored on this pull request by @octocat)",
    );
    expect(completed.output.title).not.toContain("warning");
    // The review rewrote the same comment: no alerts left, the ignore listed.
    expect(commentWrites().map((write) => write.method)).toEqual(["POST", "PATCH"]);
    const body = comments.store[0]!.body;
    expect(body).toContain("**Passes the policy:** no alerts.");
    expect(body).toContain("- `serialize-javascript@7.0.2` (`deprecated`) by @octocat: we vendor a patched copy");
    expect(readCommentState(body).ignores).toEqual(recorded.ignores);
    expect(github.problems).toEqual([]);
    expect(github.unmatched).toEqual([]);
  });

  it("refuses an ignore past the most a pull request keeps, and says where to put it instead", async () => {
    const ignores = Array.from({ length: MAX_IGNORES }, (_, index) => ({ package: `p${index}@1.0.0`, reason: "ok", by: "octocat" }));
    comments.store.push({ id: 400, body: withIgnores(undefined, ignores), user: BOT });
    const api = nock(API);
    api.post("/app/installations/2/access_tokens").reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z" });
    api.get(`/repos/${OWNER}/${REPO}/pulls/1`).reply(200, openPull);
    const probot = startApp();
    await probot.receive(commentEvent(IGNORE));
    expect(commentWrites()).toEqual([{ method: "POST", body: expect.stringContaining(`already has ${MAX_IGNORES} ignores`) }]);
    expect(readCommentState(comments.store[0]!.body).ignores).toEqual(ignores);
    expect(checkRunCalls()).toEqual([]);
    expect(github.problems).toEqual([]);
  });

  it("answers a user without write access politely, and neither records nor reviews", async () => {
    comments.permission = { permission: "read", role_name: "triage" };
    nock(API).post("/app/installations/2/access_tokens").reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z" });
    const probot = startApp();
    await probot.receive(commentEvent(IGNORE, { login: "visitor" }));
    expect(github.requests.some((request) => request.url.endsWith("/collaborators/visitor/permission"))).toBe(true);
    expect(commentWrites()).toEqual([
      { method: "POST", body: "@visitor thanks for the command. Only people with write access to this repository can give Tollgate commands, so it was not run." },
    ]);
    expect(comments.store.some((comment) => comment.body.startsWith(COMMENT_MARKER))).toBe(false);
    expect(checkRunCalls()).toEqual([]);
    expect(github.problems).toEqual([]);
  });

  it("also refuses a rerun from a user without write access", async () => {
    comments.permission = { permission: "none", role_name: "" };
    nock(API).post("/app/installations/2/access_tokens").reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z" });
    const probot = startApp();
    await probot.receive(commentEvent("@tollgate rerun", { login: "visitor" }));
    expect(commentWrites().map((write) => write.body)).toEqual([expect.stringContaining("Only people with write access")]);
    expect(checkRunCalls()).toEqual([]);
    expect(github.problems).toEqual([]);
  });

  it("answers an unknown or malformed command with the syntax", async () => {
    nock(API).post("/app/installations/2/access_tokens").reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z" });
    const probot = startApp();
    await probot.receive(commentEvent("@tollgate ignroe serialize-javascript@7.0.2 -- ok"));
    await probot.receive(commentEvent("@tollgate ignore serialize-javascript@7.0.2 deprecated"));
    const replies = commentWrites();
    expect(replies.map((reply) => reply.method)).toEqual(["POST", "POST"]);
    expect(replies[0]!.body).toMatch(/^@octocat Tollgate has no command `ignroe`\.\n\n/);
    expect(replies[1]!.body).toMatch(/^@octocat An ignore needs a reason/);
    for (const reply of replies) expect(reply.body).toContain("`@tollgate ignore <name>@<version> [rule …] -- <reason>`");
    // Nothing else: no permission look-up, no review.
    expect(github.requests.some((request) => request.url.includes("/permission"))).toBe(false);
    expect(checkRunCalls()).toEqual([]);
    expect(github.problems).toEqual([]);
  });

  it("re-runs the review on @tollgate rerun", async () => {
    const api = mockReview(121);
    api.get(`/repos/${OWNER}/${REPO}/pulls/1`).reply(200, openPull);
    const probot = startApp();
    await probot.receive(commentEvent("@tollgate rerun"));
    await queue.drain();
    expect(checkRunCalls().map((call) => call.method)).toEqual(["POST", "PATCH"]);
    expect(completion(121)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(github.problems).toEqual([]);
  });

  it("does nothing for bots, for comments on issues, and for comments not addressed to it", async () => {
    const probot = startApp();
    await probot.receive(commentEvent("@tollgate rerun", { login: "tollgate[bot]", userType: "Bot" }));
    await probot.receive(commentEvent("@tollgate rerun", { login: "renovate[bot]", userType: "Bot" }));
    await probot.receive(commentEvent("@tollgate rerun", { onPullRequest: false }));
    await probot.receive(commentEvent("Thanks! cc @tollgate"));
    expect(github.requests).toEqual([]);
  });
});

describe("the Re-run review button", () => {
  it("reviews again when the rerun action is requested", async () => {
    const api = mockReview(130);
    api.get(`/repos/${OWNER}/${REPO}/pulls/1`).reply(200, openPull);
    const probot = startApp();
    await probot.receive(checkRunRequestedActionEvent({ owner: OWNER, repo: REPO, installationId: 2, headSha: HEAD, baseSha: BASE, pullNumber: 1, checkRunId: 129 }));
    await queue.drain();
    expect(checkRunCalls().map((call) => [call.method, call.url.split("/").pop()])).toEqual([
      ["POST", "check-runs"],
      ["PATCH", "130"],
    ]);
    expect(completion(130)).toMatchObject({ status: "completed", conclusion: "success", actions: [RERUN_ACTION] });
    expect(github.problems).toEqual([]);
  });

  it("ignores other actions", async () => {
    const probot = startApp();
    await probot.receive(checkRunRequestedActionEvent({ owner: OWNER, repo: REPO, installationId: 2, headSha: HEAD, baseSha: BASE, pullNumber: 1, identifier: "something-else" }));
    expect(github.requests).toEqual([]);
  });
});
