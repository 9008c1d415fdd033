import { Octokit } from "@octokit/rest";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { recordGitHub, type GitHubRecorder } from "./nock-github.js";

const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const octokit = new Octokit({ auth: "ghs_test", log });
const repo = { owner: "acme", repo: "widgets" };
const SHA = "0123456789abcdef0123456789abcdef01234567";

let github: GitHubRecorder;

beforeEach(() => {
  nock.disableNetConnect();
  github = recordGitHub();
});

afterEach(() => {
  github.stop();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("recordGitHub", () => {
  it("validates bodies intercepted by any scope, including scopes created later", async () => {
    nock("https://api.github.com").post("/repos/acme/widgets/check-runs").reply(201, { id: 5 });
    nock("https://api.github.com")
      .patch("/repos/acme/widgets/check-runs/5")
      .reply(200, { id: 5 })
      .get("/repos/acme/widgets/pulls/7/files")
      .query({ per_page: 100 })
      .reply(200, []);

    await octokit.rest.checks.create({ ...repo, name: "Tollgate", head_sha: SHA, status: "in_progress" });
    await octokit.rest.checks.update({ ...repo, check_run_id: 5, conclusion: "success", output: { title: "ok", summary: "No findings." } });
    await octokit.rest.pulls.listFiles({ ...repo, pull_number: 7, per_page: 100 });

    expect(github.problems).toEqual([]);
    expect(github.requests.map((r) => r.operationId)).toEqual(["checks/create", "checks/update", "pulls/list-files"]);
    expect(github.requests[1]?.body).toMatchObject({ conclusion: "success" });
  });

  it("collects problems GitHub's description finds", async () => {
    nock("https://api.github.com").patch("/repos/acme/widgets/check-runs/5").reply(200, { id: 5 });
    const output = { title: "x", summary: "y", annotations: [{ path: "package-lock.json", start_line: 1, end_line: 1, message: "m" }] };
    // A plain string route opts out of Octokit's parameter types, which would reject this body.
    const route: string = "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}";
    await octokit.request(route, { ...repo, check_run_id: 5, conclusion: "success", output });
    expect(github.problems).toEqual([expect.stringContaining('body.output.annotations[0]: missing required property "annotation_level"')]);
  });

  it("reports requests no interceptor matched", async () => {
    nock("https://api.github.com").get("/repos/acme/widgets").reply(200, {});
    await expect(octokit.rest.pulls.get({ ...repo, pull_number: 1 })).rejects.toThrow();
    expect(github.unmatched).toEqual(["GET https://api.github.com/repos/acme/widgets/pulls/1"]);
  });

  it("stops validating after stop() and can be started again", async () => {
    github.stop();
    nock("https://api.github.com").post("/repos/acme/widgets/check-runs").reply(201, { id: 5 });
    await octokit.request("POST /repos/{owner}/{repo}/check-runs", { ...repo, name: "x", head_sha: SHA, bogus: 1 });
    expect(github.requests).toEqual([]);

    github = recordGitHub();
    expect(() => recordGitHub()).toThrow(/already active/);
    nock("https://api.github.com").post("/repos/acme/widgets/check-runs").reply(201, { id: 6 });
    await octokit.request("POST /repos/{owner}/{repo}/check-runs", { ...repo, name: "x", head_sha: SHA, bogus: 1 });
    expect(github.problems).toEqual([expect.stringContaining("body.bogus: unknown property")]);
  });

  it("ignores other hosts", async () => {
    nock("https://registry.npmjs.org").get("/left-pad").reply(200, { name: "left-pad" });
    const response = await fetch("https://registry.npmjs.org/left-pad");
    expect(await response.json()).toEqual({ name: "left-pad" });
    expect(github.requests).toEqual([]);
  });
});
