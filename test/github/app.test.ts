import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tollgateApp } from "../../src/github/app.js";
import { createMemoryQueue, type JobQueue } from "../../src/github/queue.js";
import type { ReviewJob } from "../../src/github/review-job.js";
import { recordGitHub, type GitHubRecorder } from "../support/nock-github.js";
import { fakeRegistry, packument } from "../support/packages.js";
import { checkRunRerequestedEvent, checkSuiteRerequestedEvent, pullRequestEvent } from "../support/fixtures.js";

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

function startApp(
  registry = fakeRegistry([packument("serialize-javascript", { "7.0.2": {} })]),
  createQueue?: (worker: (job: ReviewJob) => Promise<void>) => JobQueue<ReviewJob>,
) {
  const probot = new Probot({
    appId: 1,
    privateKey,
    logLevel: "fatal",
    Octokit: ProbotOctokit.defaults({ retry: { enabled: false }, throttle: { enabled: false } }),
  });
  probot.load(
    tollgateApp({
      registry: () => registry,
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
    .times(4)
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

beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  github = recordGitHub();
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
    const completed = calls[1]!.body as { status: string; conclusion: string; output: { title: string; summary: string } };
    expect(completed.status).toBe("completed");
    expect(completed.conclusion).toBe("success");
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
    api.patch(`/repos/${OWNER}/${REPO}/check-runs/101`).reply(200, { id: 101 });
    // A queue that holds jobs until the test lets them run, oldest first.
    const held: ReviewJob[] = [];
    const probot = startApp(undefined, (worker) => ({
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
    expect(github.problems).toEqual([]);
  });

});
