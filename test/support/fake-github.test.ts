import { sign } from "node:crypto";

import { Octokit } from "@octokit/rest";
import { ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { CONTENTS_INLINE_LIMIT, gitBlobSha, startFakeGitHub, type FakeGitHub, type FakeGitHubState } from "./fake-github.js";
import { generatePrivateKey } from "./fixtures.js";
import { validateGitHubResponse } from "./openapi.js";

const APP_ID = 4242;
const PRIVATE_KEY = generatePrivateKey();
const HEAD = "1111111111111111111111111111111111111111";
const BASE = "2222222222222222222222222222222222222222";
const LOCKFILE = JSON.stringify({ name: "widgets", lockfileVersion: 3, packages: {} }, null, 2);
const BIG = "x".repeat(CONTENTS_INLINE_LIMIT + 1);
// Octokit logs every failed request; several tests fail requests on purpose.
const log = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function appJwt(privateKey: string, appId: number): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${encode({ alg: "RS256", typ: "JWT" })}.${encode({ iat: now - 30, exp: now + 540, iss: appId })}`;
  return `${input}.${sign("RSA-SHA256", Buffer.from(input), privateKey).toString("base64url")}`;
}

function state(): FakeGitHubState {
  return {
    appId: APP_ID,
    privateKey: PRIVATE_KEY,
    defaultBranch: "main",
    files: {
      "acme/widgets": {
        main: { ".github/tollgate.yml": "failOn: high\n", "package-lock.json": "{}" },
        [BASE]: { "package-lock.json": "{}", "old.txt": "gone" },
        [HEAD]: { "package-lock.json": LOCKFILE, "packages/app/package.json": "{}", "big.json": BIG },
      },
    },
    pulls: {
      "acme/widgets": {
        7: {
          head: { sha: HEAD, ref: "bump-deps" },
          base: { sha: BASE, ref: "main" },
          files: [
            { filename: "package-lock.json", status: "modified", additions: 3, deletions: 1 },
            { filename: "old.txt", status: "removed" },
            { filename: "packages/app/package.json", status: "renamed", previous_filename: "app/package.json" },
            ...Array.from({ length: 4 }, (_, i) => ({ filename: `src/file${i}.ts`, status: "added" as const })),
          ],
        },
      },
    },
  };
}

let fake: FakeGitHub;

beforeEach(async () => {
  fake = await startFakeGitHub(state());
});

afterEach(async () => {
  await fake.close();
});

async function installationOctokit(): Promise<Octokit> {
  const app = new Octokit({ baseUrl: fake.baseUrl, auth: appJwt(PRIVATE_KEY, APP_ID), log });
  const { data } = await app.rest.apps.createInstallationAccessToken({ installation_id: 99 });
  return new Octokit({ baseUrl: fake.baseUrl, auth: data.token, log });
}

describe("fake GitHub: authentication", () => {
  it("issues installation tokens for a valid app JWT and serves repos to them", async () => {
    const octokit = await installationOctokit();
    const { data } = await octokit.rest.repos.get({ owner: "acme", repo: "widgets" });
    expect(data).toMatchObject({ full_name: "acme/widgets", default_branch: "main" });
    expect(fake.requests.map((r) => [r.method, r.path, r.auth, r.status])).toEqual([
      ["POST", "/app/installations/99/access_tokens", "app-jwt", 201],
      ["GET", "/repos/acme/widgets", "installation-token", 200],
    ]);
    expect(fake.appJwts).toHaveLength(1);
    expect(fake.problems).toEqual([]);
  });

  it("refuses a JWT signed by another key, and repo calls without a token", async () => {
    const stranger = new Octokit({ baseUrl: fake.baseUrl, auth: appJwt(generatePrivateKey(), APP_ID), log });
    await expect(stranger.rest.apps.createInstallationAccessToken({ installation_id: 99 })).rejects.toMatchObject({ status: 401 });
    const anonymous = new Octokit({ baseUrl: fake.baseUrl, log });
    await expect(anonymous.rest.repos.get({ owner: "acme", repo: "widgets" })).rejects.toMatchObject({ status: 401 });
    expect(fake.problems).toEqual([
      "POST /app/installations/99/access_tokens: app JWT signature does not verify with the app's key",
      "GET /repos/acme/widgets: sent with none auth, GitHub requires an installation token",
    ]);
  });

  it("works with Probot's own Octokit (app auth, then installation auth)", async () => {
    const octokit = new ProbotOctokit({
      baseUrl: fake.baseUrl,
      auth: { appId: APP_ID, privateKey: PRIVATE_KEY, installationId: 99 },
      throttle: { enabled: false },
    });
    const { data } = await octokit.rest.pulls.get({ owner: "acme", repo: "widgets", pull_number: 7 });
    expect(data.head.sha).toBe(HEAD);
    expect(fake.problems).toEqual([]);
  });
});

describe("fake GitHub: contents and blobs", () => {
  it("serves a file in GitHub's JSON form, with a git blob sha and wrapped base64", async () => {
    const octokit = await installationOctokit();
    const { data } = await octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: "package-lock.json", ref: HEAD });
    if (Array.isArray(data) || data.type !== "file") throw new Error("expected a file");
    expect(data).toMatchObject({ encoding: "base64", size: Buffer.byteLength(LOCKFILE), sha: gitBlobSha(LOCKFILE), path: "package-lock.json" });
    expect(data.content).toMatch(/^([A-Za-z0-9+/=]{1,60}\n)+$/);
    expect(Buffer.from(data.content, "base64").toString("utf8")).toBe(LOCKFILE);
    expect(validateGitHubResponse("GET", `/repos/acme/widgets/contents/package-lock.json`, 200, data)).toEqual([]);
  });

  it("serves raw content for the raw media types and nested paths", async () => {
    const octokit = await installationOctokit();
    const viaFormat = await octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: "package-lock.json", ref: HEAD, mediaType: { format: "raw" } });
    expect(viaFormat.data).toBe(LOCKFILE);
    const viaHeader = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner: "acme",
      repo: "widgets",
      path: "packages/app/package.json",
      ref: HEAD,
      headers: { accept: "application/vnd.github.raw+json" },
    });
    expect(viaHeader.data).toBe("{}");
    expect(fake.requests.at(-1)?.path).toBe(`/repos/acme/widgets/contents/packages%2Fapp%2Fpackage.json?ref=${HEAD}`);
  });

  it("uses the default branch without a ref, 404s like GitHub, and stops inlining above 1 MB", async () => {
    const octokit = await installationOctokit();
    const config = await octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: ".github/tollgate.yml", mediaType: { format: "raw" } });
    expect(config.data).toBe("failOn: high\n");

    const missing = octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: "nope.json", ref: HEAD });
    await expect(missing).rejects.toMatchObject({ status: 404, response: { data: { message: "Not Found", status: "404" } } });
    const badRef = octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: "package-lock.json", ref: "no-such-branch" });
    await expect(badRef).rejects.toMatchObject({ status: 404, response: { data: { message: "No commit found for the ref no-such-branch" } } });

    const big = await octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: "big.json", ref: HEAD });
    expect(big.data).toMatchObject({ content: "", encoding: "none", size: BIG.length, sha: gitBlobSha(BIG) });
    const bigRaw = await octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: "big.json", ref: HEAD, mediaType: { format: "raw" } });
    expect(bigRaw.data).toBe(BIG);
    const blob = await octokit.rest.git.getBlob({ owner: "acme", repo: "widgets", file_sha: gitBlobSha(BIG) });
    expect(Buffer.from(blob.data.content, "base64").toString("utf8")).toBe(BIG);
    expect(validateGitHubResponse("GET", `/repos/acme/widgets/git/blobs/${blob.data.sha}`, 200, blob.data)).toEqual([]);
    expect(fake.problems).toEqual([]);
  });

  it("lists directories", async () => {
    const octokit = await installationOctokit();
    const { data } = await octokit.rest.repos.getContent({ owner: "acme", repo: "widgets", path: "packages", ref: HEAD });
    expect(data).toEqual([expect.objectContaining({ type: "dir", name: "app", path: "packages/app" })]);
  });

  it("answers Probot's config lookup (default branch, then the owner's .github repo)", async () => {
    const octokit = new ProbotOctokit({ baseUrl: fake.baseUrl, auth: { appId: APP_ID, privateKey: PRIVATE_KEY, installationId: 99 }, throttle: { enabled: false } });
    const found = await octokit.config.get({ owner: "acme", repo: "widgets", path: ".github/tollgate.yml" });
    expect(found.config).toEqual({ failOn: "high" });

    delete fake.state.files?.["acme/widgets"]?.main?.[".github/tollgate.yml"];
    const fallback = await octokit.config.get({ owner: "acme", repo: "widgets", path: ".github/tollgate.yml", defaults: { failOn: "critical" } });
    expect(fallback.config).toEqual({ failOn: "critical" });
    expect(fake.requests.slice(-2).map((r) => [r.path, r.status])).toEqual([
      ["/repos/acme/widgets/contents/.github%2Ftollgate.yml", 404],
      ["/repos/acme/.github/contents/.github%2Ftollgate.yml", 404],
    ]);
    expect(fake.problems).toEqual([]);
  });
});

describe("fake GitHub: pull requests", () => {
  it("paginates pull request files with Link headers", async () => {
    const octokit = await installationOctokit();
    const first = await octokit.rest.pulls.listFiles({ owner: "acme", repo: "widgets", pull_number: 7, per_page: 3 });
    expect(first.headers.link).toContain(`page=2>; rel="next"`);
    expect(first.headers.link).toContain(`page=3>; rel="last"`);

    const files = await octokit.paginate(octokit.rest.pulls.listFiles, { owner: "acme", repo: "widgets", pull_number: 7, per_page: 3 });
    expect(files.map((f) => f.filename)).toEqual([
      "package-lock.json",
      "old.txt",
      "packages/app/package.json",
      "src/file0.ts",
      "src/file1.ts",
      "src/file2.ts",
      "src/file3.ts",
    ]);
    expect(files[0]).toMatchObject({ status: "modified", sha: gitBlobSha(LOCKFILE), additions: 3, deletions: 1, changes: 4 });
    expect(files[1]).toMatchObject({ status: "removed", sha: gitBlobSha("gone") });
    expect(files[2]).toMatchObject({ status: "renamed", previous_filename: "app/package.json" });
    expect(files[3]?.sha).toBeNull();
    expect(fake.requests.filter((r) => r.path.includes("/files")).map((r) => r.path)).toEqual([
      "/repos/acme/widgets/pulls/7/files?per_page=3",
      "/repos/acme/widgets/pulls/7/files?per_page=3",
      "/repos/acme/widgets/pulls/7/files?per_page=3&page=2",
      "/repos/acme/widgets/pulls/7/files?per_page=3&page=3",
    ]);
    expect(validateGitHubResponse("GET", "/repos/acme/widgets/pulls/7/files", 200, first.data)).toEqual([]);
    expect(fake.problems).toEqual([]);
  });

  it("serves the pull request itself", async () => {
    const octokit = await installationOctokit();
    const { data } = await octokit.rest.pulls.get({ owner: "acme", repo: "widgets", pull_number: 7 });
    expect(data).toMatchObject({ number: 7, state: "open", head: { sha: HEAD, ref: "bump-deps" }, base: { sha: BASE, ref: "main" } });
    await expect(octokit.rest.pulls.get({ owner: "acme", repo: "widgets", pull_number: 8 })).rejects.toMatchObject({ status: 404 });
  });
});

describe("fake GitHub: check runs", () => {
  it("keeps every body per check run and reports the run as completed", async () => {
    const octokit = await installationOctokit();
    const annotation = { path: "package-lock.json", start_line: 1, end_line: 1, annotation_level: "warning" as const, message: "m" };
    const created = await octokit.rest.checks.create({
      owner: "acme",
      repo: "widgets",
      name: "Tollgate",
      head_sha: HEAD,
      status: "in_progress",
      output: { title: "Reviewing", summary: "…" },
    });
    expect(created.status).toBe(201);
    const second = await octokit.rest.checks.create({ owner: "acme", repo: "widgets", name: "Other", head_sha: HEAD });
    expect(second.data.id).toBe(created.data.id + 1);

    const update = { owner: "acme", repo: "widgets", check_run_id: created.data.id };
    await octokit.rest.checks.update({ ...update, output: { title: "Reviewing", summary: "…", annotations: [annotation] } });
    await octokit.rest.checks.update({ ...update, conclusion: "failure", output: { title: "1 finding", summary: "done", annotations: [annotation] } });

    const run = await fake.waitForCheckRun({ name: "Tollgate", timeoutMs: 1000 });
    expect(run).toMatchObject({ id: created.data.id, head_sha: HEAD, status: "completed", conclusion: "failure", output: { title: "1 finding", summary: "done" } });
    expect(run.history.map((h) => [h.method, h.body.status ?? h.body.conclusion])).toEqual([
      ["POST", "in_progress"],
      ["PATCH", undefined],
      ["PATCH", "failure"],
    ]);
    expect(run.annotations).toHaveLength(2);
    expect(run.completed_at).not.toBeNull();
    expect(fake.problems).toEqual([]);
  });

  it("records invalid bodies as problems, or rejects them with 422 when asked", async () => {
    const octokit = await installationOctokit();
    const created = await octokit.rest.checks.create({ owner: "acme", repo: "widgets", name: "Tollgate", head_sha: HEAD });
    const bad = { owner: "acme", repo: "widgets", check_run_id: created.data.id, conclusion: "passed" } as unknown as Parameters<typeof octokit.rest.checks.update>[0];
    await octokit.rest.checks.update(bad);
    expect(fake.problems).toEqual([expect.stringContaining('body.conclusion: "passed" is not one of')]);

    fake.state.rejectInvalidBodies = true;
    await expect(octokit.rest.checks.update(bad)).rejects.toMatchObject({ status: 422 });
  });

  it("times out with a report when no check run completes", async () => {
    await expect(fake.waitForCheckRun({ timeoutMs: 50 })).rejects.toThrow(/No check run reached "completed" within 50 ms\.\nCheck runs: none/);
  });
});

describe("fake GitHub: everything else", () => {
  it("answers 404 and records the request as unexpected", async () => {
    const octokit = await installationOctokit();
    await expect(octokit.rest.issues.listForRepo({ owner: "acme", repo: "widgets" })).rejects.toMatchObject({ status: 404 });
    // Without the /api/v3 prefix: the client was not pointed at GHE_HOST's API root.
    const response = await fetch(`${fake.url}/repos/acme/widgets`);
    expect(response.status).toBe(404);
    expect(fake.unexpected.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /repos/acme/widgets/issues", "GET /repos/acme/widgets"]);
  });

  it("exposes what Probot needs to reach it", () => {
    expect(fake.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(fake.env).toEqual({ GHE_HOST: fake.host, GHE_PROTOCOL: "http" });
    expect(fake.baseUrl).toBe(`http://${fake.host}/api/v3`);
  });
});
