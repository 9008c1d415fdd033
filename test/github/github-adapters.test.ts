import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { completeCheckRun } from "../../src/github/checks.js";
import type { Octokit } from "../../src/github/octokit.js";
import { createPullRequestSource, readFile } from "../../src/github/pull-request-source.js";
import { unsafeSettings } from "../../src/github/settings.js";
import type { Annotation } from "../../src/report/check-run.js";
import { recordGitHub, type GitHubRecorder } from "../support/nock-github.js";

const API = "https://api.github.com";
const octokit = () =>
  new ProbotOctokit({ auth: { token: "ghs_test" }, retry: { enabled: false }, throttle: { enabled: false } }) as unknown as Octokit;

let github: GitHubRecorder;
beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
  github = recordGitHub();
});
afterEach(() => {
  github.stop();
  nock.cleanAll();
});

describe("completeCheckRun", () => {
  it("sends annotations in batches of 50, the conclusion with the last one", async () => {
    const annotations: Annotation[] = Array.from({ length: 120 }, (_, index) => ({
      path: "yarn.lock",
      start_line: index + 1,
      end_line: index + 1,
      annotation_level: "warning",
      title: `alert ${index}`,
      message: "a finding",
    }));
    nock(API).patch("/repos/o/r/check-runs/5").times(3).reply(200, { id: 5 });
    await completeCheckRun(octokit(), { owner: "o", repo: "r" }, 5, { conclusion: "success", title: "t", summary: "s", annotations }, new Date("2026-01-01T00:00:00Z"));
    const bodies = github.requests.map((request) => request.body as { status?: string; conclusion?: string; output: { annotations: Annotation[] } });
    expect(bodies.map((body) => [body.output.annotations.length, body.status, body.conclusion])).toEqual([
      [50, undefined, undefined],
      [50, undefined, undefined],
      [20, "completed", "success"],
    ]);
    expect(bodies.flatMap((body) => body.output.annotations.map((a) => a.start_line))).toEqual(annotations.map((a) => a.start_line));
    expect(github.problems).toEqual([]);
  });
});

describe("reading pull request files", () => {
  it("reads a file over 1 MB through the git blobs API", async () => {
    const big = "x".repeat(1_100_000);
    nock(API)
      .get("/repos/o/r/contents/package-lock.json")
      .query({ ref: "abc" })
      .reply(200, { type: "file", encoding: "none", content: "", size: big.length, name: "package-lock.json", path: "package-lock.json", sha: "f".repeat(40) });
    nock(API)
      .get(`/repos/o/r/git/blobs/${"f".repeat(40)}`)
      .reply(200, { sha: "f".repeat(40), size: big.length, encoding: "base64", content: Buffer.from(big).toString("base64") });
    expect(await readFile(octokit(), "o", "r", "package-lock.json", "abc")).toBe(big);
    expect(github.problems).toEqual([]);
  });

  it("answers undefined for a file that does not exist at that commit", async () => {
    nock(API).get("/repos/o/r/contents/yarn.lock").query(true).reply(404, { message: "Not Found" });
    expect(await readFile(octokit(), "o", "r", "yarn.lock", "abc")).toBeUndefined();
  });

  it("pages through the changed files, keeps the dependency files and reads a renamed one at its old path", async () => {
    const page = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => ({ filename: `src/file-${from + index}.js`, status: "modified", sha: "0".repeat(40) }));
    nock(API)
      .get("/repos/o/r/pulls/3/files")
      .query({ per_page: "100" })
      .reply(200, [...page(0, 98), { filename: "app/yarn.lock", status: "renamed", previous_filename: "yarn.lock", sha: "0".repeat(40) }, { filename: ".github/tollgate.yml", status: "added", sha: "0".repeat(40) }], {
        link: `<${API}/repos/o/r/pulls/3/files?per_page=100&page=2>; rel="next"`,
      });
    nock(API)
      .get("/repos/o/r/pulls/3/files")
      .query({ per_page: "100", page: "2" })
      .reply(200, [...page(100, 5), { filename: "packages/a/package.json", status: "modified", sha: "0".repeat(40) }]);
    nock(API).get("/repos/o/r/compare/base1...head1").query(true).reply(200, { merge_base_commit: { sha: "merge1" } });
    nock(API)
      .get("/repos/o/r/contents/yarn.lock")
      .query({ ref: "merge1" })
      .reply(200, { type: "file", encoding: "base64", content: Buffer.from("# yarn lockfile v1\n").toString("base64"), size: 19, name: "yarn.lock", path: "yarn.lock", sha: "1".repeat(40) });
    const source = await createPullRequestSource(octokit(), { owner: "o", repo: "r", pullNumber: 3, baseSha: "base1", headSha: "head1" });
    expect(source.changedPaths).toEqual(["app/yarn.lock", ".github/tollgate.yml", "packages/a/package.json"]);
    expect(source.truncated).toBe(false);
    expect(await source.read(".github/tollgate.yml", "base")).toBeUndefined();
    expect(await source.read("app/yarn.lock", "base")).toBe("# yarn lockfile v1\n");
    expect(github.problems).toEqual([]);
  });
});

describe("unsafeSettings", () => {
  it("refuses production without a webhook secret", () => {
    expect(unsafeSettings({ NODE_ENV: "production" })).toMatch(/WEBHOOK_SECRET is not set/);
    expect(unsafeSettings({ NODE_ENV: "production", WEBHOOK_SECRET: "s" })).toBeUndefined();
    expect(unsafeSettings({})).toBeUndefined();
  });
});
