/**
 * Proves the test support fits together the way the end-to-end test needs:
 * a real Probot server, configured only through environment variables, talks
 * to the fake GitHub and answers a signed webhook with a check run. The app
 * here is a stand-in that makes the same kinds of calls Tollgate does.
 */
import { run, type ApplicationFunction, type Context } from "probot";
import { afterEach, beforeEach, expect, it } from "vitest";

import { getFreePort, startFakeGitHub, type FakeGitHub } from "./fake-github.js";
import { generatePrivateKey, pullRequestEvent, webhookRequest } from "./fixtures.js";

const APP_ID = 4242;
const SECRET = "webhook-secret";
const PRIVATE_KEY = generatePrivateKey();
const HEAD = "1111111111111111111111111111111111111111";
const BASE = "2222222222222222222222222222222222222222";

const standIn: ApplicationFunction = (app) => {
  app.on("pull_request.opened", async (context: Context<"pull_request.opened">) => {
    const config = await context.config<{ failOn?: string }>("tollgate.yml", { failOn: "critical" });
    const head_sha = context.payload.pull_request.head.sha;
    const created = await context.octokit.rest.checks.create(context.repo({ name: "Tollgate", head_sha, status: "in_progress" }));
    const files = await context.octokit.paginate(context.octokit.rest.pulls.listFiles, context.pullRequest({ per_page: 100 }));
    await context.octokit.rest.checks.update(
      context.repo({
        check_run_id: created.data.id,
        conclusion: "success",
        output: { title: `failOn ${config?.failOn}`, summary: `${files.length} files` },
      }),
    );
  });
};

let fake: FakeGitHub;
let stop: (() => Promise<void>) | undefined;

beforeEach(async () => {
  fake = await startFakeGitHub({
    appId: APP_ID,
    privateKey: PRIVATE_KEY,
    files: { "acme/widgets": { main: { ".github/tollgate.yml": "failOn: high\n" } } },
    pulls: {
      "acme/widgets": {
        7: { head: { sha: HEAD, ref: "bump" }, base: { sha: BASE, ref: "main" }, files: [{ filename: "package-lock.json", status: "modified" }] },
      },
    },
  });
});

afterEach(async () => {
  await stop?.();
  await fake.close();
});

it("a real Probot server configured by env talks to the fake GitHub", async () => {
  const port = await getFreePort();
  const server = await run(standIn, {
    env: {
      ...fake.env,
      APP_ID: String(APP_ID),
      PRIVATE_KEY,
      WEBHOOK_SECRET: SECRET,
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "error",
    },
  });
  stop = () => server.stop();

  const event = pullRequestEvent({ owner: "acme", repo: "widgets", number: 7, headSha: HEAD, baseSha: BASE, installationId: 99 });
  const { headers, body } = await webhookRequest(event, SECRET);
  const response = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, { method: "POST", headers, body });
  expect(response.status).toBe(200);

  const run_ = await fake.waitForCheckRun({ headSha: HEAD, timeoutMs: 15_000 });
  expect(run_).toMatchObject({ name: "Tollgate", conclusion: "success", output: { title: "failOn high", summary: "1 files" } });
  expect(run_.history.map((h) => h.method)).toEqual(["POST", "PATCH"]);
  expect(fake.requests.map((r) => `${r.method} ${r.path.replace(/\?.*/, "")} ${r.auth}`)).toEqual([
    "POST /app/installations/99/access_tokens app-jwt",
    "GET /repos/acme/widgets/contents/.github%2Ftollgate.yml installation-token",
    "POST /repos/acme/widgets/check-runs installation-token",
    "GET /repos/acme/widgets/pulls/7/files installation-token",
    "PATCH /repos/acme/widgets/check-runs/1 installation-token",
  ]);
  expect(fake.problems).toEqual([]);
  expect(fake.unexpected).toEqual([]);
});
