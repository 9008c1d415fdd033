import { describe, expect, it } from "vitest";

import { expectValidGitHubRequest, findGitHubOperation, validateGitHubRequest, validateGitHubResponse } from "./openapi.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const CREATE = "https://api.github.com/repos/acme/widgets/check-runs";
const UPDATE = "https://api.github.com/repos/acme/widgets/check-runs/42";

const annotation = {
  path: "package-lock.json",
  start_line: 12,
  end_line: 12,
  annotation_level: "warning",
  message: "left-pad@1.3.0 gained an install script",
  title: "New install script",
};

const completed = {
  status: "completed",
  conclusion: "neutral",
  completed_at: "2025-01-02T03:04:05.678Z",
  output: { title: "1 finding", summary: "One dependency needs a look.", text: "details", annotations: [annotation] },
};

describe("validateGitHubRequest: check runs", () => {
  it("accepts the create and update bodies Tollgate sends", () => {
    const create = {
      name: "Tollgate",
      head_sha: SHA,
      status: "in_progress",
      started_at: new Date().toISOString(),
      external_id: "pr-7",
      output: { title: "Reviewing dependencies", summary: "Started." },
    };
    expect(validateGitHubRequest("POST", CREATE, create)).toEqual([]);
    expect(validateGitHubRequest("PATCH", UPDATE, completed)).toEqual([]);
    // Creating an already completed run is also legal.
    expect(validateGitHubRequest("POST", CREATE, { name: "Tollgate", head_sha: SHA, ...completed })).toEqual([]);
  });

  it("accepts JSON text and ignores undefined members, as they never reach the wire", () => {
    expect(validateGitHubRequest("PATCH", UPDATE, JSON.stringify(completed))).toEqual([]);
    expect(validateGitHubRequest("PATCH", UPDATE, { ...completed, details_url: undefined })).toEqual([]);
  });

  it("reports a conclusion outside the enum", () => {
    const problems = validateGitHubRequest("PATCH", UPDATE, { ...completed, conclusion: "passed" });
    expect(problems).toEqual([expect.stringMatching(/body\.conclusion: "passed" is not one of .*"success"/)]);
    expect(problems[0]).toMatch(/^PATCH \/repos\/\{owner\}\/\{repo\}\/check-runs\/\{check_run_id\}: /);
  });

  it("reports an annotation without annotation_level", () => {
    const { annotation_level: _dropped, ...incomplete } = annotation;
    const problems = validateGitHubRequest("PATCH", UPDATE, { ...completed, output: { ...completed.output, annotations: [incomplete] } });
    expect(problems).toEqual([expect.stringContaining('body.output.annotations[0]: missing required property "annotation_level"')]);
  });

  it("reports unknown properties although GitHub's schema leaves additionalProperties open", () => {
    const problems = validateGitHubRequest("PATCH", UPDATE, {
      ...completed,
      conclusoin: "success",
      output: { ...completed.output, sumary: "typo", annotations: [{ ...annotation, level: "warning" }] },
    });
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toContain("body.conclusoin: unknown property");
    expect(problems.join("\n")).toContain("body.output.sumary: unknown property");
    expect(problems.join("\n")).toContain("body.output.annotations[0].level: unknown property");
  });

  it("enforces GitHub's documented size limits", () => {
    const long = "x".repeat(65536);
    const many = Array.from({ length: 51 }, () => annotation);
    const problems = validateGitHubRequest("PATCH", UPDATE, {
      ...completed,
      output: { title: long, summary: long, text: long, annotations: many },
    });
    expect(problems).toEqual([
      expect.stringContaining("body.output.title: string of 65536 characters is longer than maxLength 65535"),
      expect.stringContaining("body.output.summary: string of 65536 characters is longer than maxLength 65535"),
      expect.stringContaining("body.output.text: string of 65536 characters is longer than maxLength 65535"),
      expect.stringContaining("body.output.annotations: has 51 items, more than maxItems 50"),
    ]);
    const atLimit = { ...completed, output: { title: "t", summary: "s".repeat(65535), annotations: many.slice(0, 50) } };
    expect(validateGitHubRequest("PATCH", UPDATE, atLimit)).toEqual([]);
  });

  it("requires a conclusion once the run is completed", () => {
    expect(validateGitHubRequest("POST", CREATE, { name: "Tollgate", head_sha: SHA, status: "completed" })).toEqual([
      expect.stringContaining('status "completed" requires a conclusion'),
    ]);
    expect(validateGitHubRequest("PATCH", UPDATE, { status: "completed" })).toEqual([
      expect.stringMatching(/matches none of the 2 allowed forms \(anyOf\): #1: body: missing required property "conclusion"/),
    ]);
  });

  it("checks annotation line rules from GitHub's docs", () => {
    const bad = [
      { ...annotation, start_line: 0, end_line: 0 },
      { ...annotation, start_line: 5, end_line: 3 },
      { ...annotation, start_line: 1, end_line: 2, start_column: 1, end_column: 4 },
    ];
    const problems = validateGitHubRequest("PATCH", UPDATE, { ...completed, output: { ...completed.output, annotations: bad } });
    expect(problems).toEqual([
      expect.stringContaining("annotations[0].start_line: line numbers start at 1"),
      expect.stringContaining("annotations[1].end_line: 3 is before start_line 5"),
      expect.stringContaining("annotations[2]: start_column/end_column are only allowed when start_line equals end_line"),
    ]);
  });

  it("reports wrong types and malformed timestamps", () => {
    const problems = validateGitHubRequest("PATCH", UPDATE, {
      ...completed,
      completed_at: "yesterday",
      output: { ...completed.output, annotations: [{ ...annotation, start_line: "12" }] },
    });
    expect(problems).toEqual([
      expect.stringContaining('body.completed_at: "yesterday" is not an RFC 3339 date-time'),
      expect.stringContaining('body.output.annotations[0].start_line: expected integer, got string "12"'),
    ]);
  });
});

describe("validateGitHubRequest: routing and parameters", () => {
  it("reports a path GitHub does not have", () => {
    expect(validateGitHubRequest("GET", "/repos/acme/widgets/check-run/1", undefined)).toEqual([
      "GET /repos/acme/widgets/check-run/1: no path in GitHub's REST API description matches /repos/acme/widgets/check-run/1",
    ]);
  });

  it("reports a method the path does not support", () => {
    expect(validateGitHubRequest("PUT", UPDATE, completed)).toEqual([
      expect.stringContaining("GitHub has no PUT operation for /repos/{owner}/{repo}/check-runs/{check_run_id} (only GET, PATCH)"),
    ]);
  });

  it("strips the GHES /api/v3 prefix and the query string", () => {
    expect(validateGitHubRequest("GET", "http://127.0.0.1:9/api/v3/repos/acme/widgets/contents/.github%2Ftollgate.yml?ref=main", undefined)).toEqual([]);
    expect(validateGitHubRequest("PATCH", "/api/v3/repos/acme/widgets/check-runs/42", completed)).toEqual([]);
  });

  it("lets multi-segment parameters span slashes and prefers the most specific template", () => {
    expect(findGitHubOperation("GET", "/repos/acme/widgets/contents/packages/app/package.json")).toMatchObject({
      operationId: "repos/get-content",
      pathParams: { owner: "acme", repo: "widgets", path: "packages/app/package.json" },
    });
    expect(findGitHubOperation("GET", "/repos/acme/widgets/commits/feature/x/check-runs")).toMatchObject({
      operationId: "checks/list-for-ref",
      pathParams: { ref: "feature/x" },
    });
    expect(findGitHubOperation("GET", "/repos/acme/widgets/pulls/comments")?.operationId).toBe("pulls/list-review-comments-for-repo");
    expect(findGitHubOperation("GET", "/repos/acme/widgets/pulls/7")?.operationId).toBe("pulls/get");
    expect(findGitHubOperation("GET", "/nowhere")).toBeUndefined();
  });

  it("checks path and query parameters", () => {
    expect(validateGitHubRequest("GET", "/repos/acme/widgets/pulls/7/files?per_page=100&page=2", undefined)).toEqual([]);
    expect(validateGitHubRequest("GET", "/repos/acme/widgets/pulls/undefined/files?perPage=100", undefined)).toEqual([
      expect.stringContaining('path parameter pull_number: expected integer, got string "undefined"'),
      expect.stringContaining('query parameter "perPage": unknown to this operation'),
    ]);
  });

  it("rejects a body on an operation that takes none, and a missing required body", () => {
    expect(validateGitHubRequest("GET", "/repos/acme/widgets", { name: "x" })).toEqual([
      expect.stringContaining("this operation takes no request body"),
    ]);
    expect(validateGitHubRequest("POST", CREATE, undefined)).toEqual([expect.stringContaining("this operation requires a request body")]);
  });
});

describe("validateGitHubRequest: OpenAPI 3.0 details", () => {
  const ISSUES = "/repos/acme/widgets/issues";

  it("allows null only where the schema is nullable", () => {
    // assignee is `type: string, nullable: true`; milestone is a nullable oneOf without a type.
    expect(validateGitHubRequest("POST", ISSUES, { title: "t", assignee: null, milestone: null })).toEqual([]);
    expect(validateGitHubRequest("POST", ISSUES, { title: "t", body: null })).toEqual([
      expect.stringContaining("body.body: is null but the schema is not nullable (expected string)"),
    ]);
  });

  it("resolves $refs into #/components and checks oneOf members, closing them too", () => {
    // permissions is a $ref to #/components/schemas/app-permissions.
    expect(validateGitHubRequest("POST", "/app/installations/1/access_tokens", { permissions: { checks: "write" } })).toEqual([]);
    expect(validateGitHubRequest("POST", "/app/installations/1/access_tokens", { permissions: { checks: "admin" } })).toEqual([
      expect.stringMatching(/body\.permissions\.checks: "admin" is not one of "read", "write"/),
    ]);
    expect(validateGitHubRequest("POST", ISSUES, { title: 12, labels: ["bug", { name: "x", colour: "red" }] })).toEqual([
      expect.stringContaining("body.labels[1].colour: unknown property"),
    ]);
    expect(validateGitHubRequest("POST", ISSUES, { title: true })).toEqual([
      expect.stringContaining("body.title: matches none of the 2 allowed forms (oneOf)"),
    ]);
  });
});

describe("expectValidGitHubRequest", () => {
  it("passes silently for a valid request and throws listing every problem otherwise", () => {
    expect(() => expectValidGitHubRequest("PATCH", UPDATE, completed)).not.toThrow();
    expect(() => expectValidGitHubRequest("PATCH", UPDATE, { ...completed, conclusion: "ok", extra: 1 })).toThrow(
      /does not match GitHub's REST API description:\n {2}- .*body\.conclusion.*\n {2}- .*body\.extra: unknown property/,
    );
  });
});

describe("validateGitHubResponse", () => {
  it("checks a response against the documented schema without closing objects", () => {
    const blob = { sha: SHA, node_id: "B_1", size: 3, url: "https://api.github.com/repos/a/b/git/blobs/x", content: "YWJj\n", encoding: "base64", extra: true };
    expect(validateGitHubResponse("GET", "/repos/a/b/git/blobs/x", 200, blob)).toEqual([]);
    expect(validateGitHubResponse("GET", "/repos/a/b/git/blobs/x", 200, { ...blob, node_id: undefined, size: "3" })).toEqual([
      expect.stringContaining('response: missing required property "node_id"'),
      expect.stringContaining('response.size: expected integer, got string "3"'),
    ]);
  });
});
