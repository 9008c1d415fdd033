import { createPrivateKey } from "node:crypto";

import { verify } from "@octokit/webhooks-methods";
import { Probot, type Context } from "probot";
import { describe, expect, it } from "vitest";

import {
  checkRunRerequestedEvent,
  checkSuiteRerequestedEvent,
  generatePrivateKey,
  pullRequestEvent,
  signWebhook,
  webhookRequest,
} from "./fixtures.js";

const HEAD = "1111111111111111111111111111111111111111";
const BASE = "2222222222222222222222222222222222222222";

describe("pullRequestEvent", () => {
  it("retargets GitHub's opened example at the requested repository, PR and commits", () => {
    const event = pullRequestEvent({ owner: "acme", repo: "widgets", number: 7, headSha: HEAD, baseSha: BASE, headRef: "bump", installationId: 99 });
    expect(event.name).toBe("pull_request");
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    const payload = event.payload;
    expect(payload).toMatchObject({
      action: "opened",
      number: 7,
      installation: { id: 99 },
      repository: { name: "widgets", full_name: "acme/widgets", owner: { login: "acme" } },
      pull_request: {
        number: 7,
        url: "https://api.github.com/repos/acme/widgets/pulls/7",
        head: { sha: HEAD, ref: "bump", label: "acme:bump", repo: { full_name: "acme/widgets", fork: false } },
        base: { sha: BASE, repo: { full_name: "acme/widgets" } },
      },
    });
    const text = JSON.stringify(payload);
    expect(text).not.toContain("Codertocat/Hello-World");
    expect(text).not.toContain("ec26c3e57ca3a959ca5aad62de7213c562f8c821");
  });

  it("keeps the example's values by default and returns independent copies", () => {
    const first = pullRequestEvent().payload;
    first.pull_request.head.sha = "changed";
    const second = pullRequestEvent().payload;
    expect(second.repository.full_name).toBe("Codertocat/Hello-World");
    expect(second.pull_request.head.sha).toBe("ec26c3e57ca3a959ca5aad62de7213c562f8c821");
    expect(second.installation?.id).toBe(1);
  });

  it("describes forks and synchronize pushes", () => {
    const { payload } = pullRequestEvent({ action: "synchronize", owner: "acme", repo: "widgets", headRepo: "mallory/widgets", headSha: HEAD });
    expect(payload.action).toBe("synchronize");
    expect(payload.after).toBe(HEAD);
    expect(payload.before).toMatch(/^[0-9a-f]{40}$/);
    expect(payload.pull_request.head.repo).toMatchObject({ full_name: "mallory/widgets", fork: true, owner: { login: "mallory" } });
    expect(payload.pull_request.head.repo?.url).toBe("https://api.github.com/repos/mallory/widgets");
    expect(payload.pull_request.base.repo.full_name).toBe("acme/widgets");
  });

  it("is accepted by Probot, which derives the repo and pull request from it", async () => {
    const probot = new Probot({ appId: 1, privateKey: generatePrivateKey(), secret: "s", logLevel: "fatal" });
    const seen: unknown[] = [];
    await probot.load((app) => {
      app.on("pull_request.opened", async (context: Context<"pull_request.opened">) => {
        seen.push(context.pullRequest(), context.payload.installation?.id);
      });
    });
    await probot.receive(pullRequestEvent({ owner: "acme", repo: "widgets", number: 7, installationId: 5 }));
    expect(seen).toEqual([{ owner: "acme", repo: "widgets", pull_number: 7 }, 5]);
  });
});

describe("check run and check suite events", () => {
  it("builds a check_run.rerequested payload", () => {
    const { name, payload } = checkRunRerequestedEvent({
      owner: "acme",
      repo: "widgets",
      installationId: 99,
      checkRunId: 123,
      name: "Tollgate",
      headSha: HEAD,
      appId: 4242,
      pullRequests: [{ number: 7, headSha: HEAD, baseSha: BASE }],
    });
    expect(name).toBe("check_run");
    expect(payload).toMatchObject({
      action: "rerequested",
      installation: { id: 99 },
      repository: { full_name: "acme/widgets" },
      check_run: {
        id: 123,
        name: "Tollgate",
        head_sha: HEAD,
        app: { id: 4242 },
        check_suite: { head_sha: HEAD, app: { id: 4242 } },
        pull_requests: [{ number: 7, head: { sha: HEAD }, base: { sha: BASE } }],
      },
    });
  });

  it("attaches one pull request from the pullNumber/baseSha shorthand", () => {
    const { payload } = checkRunRerequestedEvent({ owner: "acme", repo: "widgets", pullNumber: 3, headSha: HEAD, baseSha: BASE });
    expect(payload.check_run.pull_requests).toEqual([
      expect.objectContaining({ number: 3, head: expect.objectContaining({ sha: HEAD }), base: expect.objectContaining({ sha: BASE }) }),
    ]);
    const suite = checkSuiteRerequestedEvent({ pullNumber: 4, headSha: HEAD }).payload.check_suite;
    expect(suite.pull_requests.map((pr) => [pr.number, pr.head.sha])).toEqual([[4, HEAD]]);
  });

  it("builds a check_suite.rerequested payload, moving the example's pull requests to the new head", () => {
    const { name, payload } = checkSuiteRerequestedEvent({ owner: "acme", repo: "widgets", headSha: HEAD, appId: 4242, checkSuiteId: 9 });
    expect(name).toBe("check_suite");
    expect(payload).toMatchObject({
      action: "rerequested",
      repository: { full_name: "acme/widgets" },
      check_suite: { id: 9, head_sha: HEAD, after: HEAD, app: { id: 4242 } },
    });
    expect(payload.check_suite.pull_requests.map((pr) => pr.head.sha)).toEqual([HEAD]);
    expect(JSON.stringify(payload)).not.toContain("Codertocat/Hello-World");
  });
});

describe("keys and signatures", () => {
  it("generates a fresh PKCS#1 RSA key each time", () => {
    const key = generatePrivateKey();
    expect(key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[\s\S]+\n-----END RSA PRIVATE KEY-----\n$/);
    expect(createPrivateKey(key).asymmetricKeyType).toBe("rsa");
    expect(generatePrivateKey()).not.toBe(key);
  });

  it("signs webhook bodies the way GitHub does", async () => {
    const event = pullRequestEvent();
    const payload = event.payload;
    const signature = await signWebhook("secret", payload);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await verify("secret", JSON.stringify(payload), signature)).toBe(true);

    const request = await webhookRequest(event, "secret");
    expect(request.headers).toMatchObject({ "x-github-event": "pull_request", "x-github-delivery": event.id, "content-type": "application/json" });
    expect(await verify("secret", request.body, request.headers["x-hub-signature-256"] ?? "")).toBe(true);
    expect(await verify("other", request.body, request.headers["x-hub-signature-256"] ?? "")).toBe(false);
  });
});
