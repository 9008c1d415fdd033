/**
 * A small real HTTP server that plays GitHub (Enterprise Server flavour, under
 * /api/v3) for end-to-end tests: start Probot with
 * `GHE_HOST=<fake.host> GHE_PROTOCOL=http` and it talks to this server.
 *
 * Every request is checked against GitHub's OpenAPI description; problems are
 * collected rather than thrown, so a test can assert on them at the end.
 */
import { createHash, createPublicKey, randomUUID, verify } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";

import { validateGitHubRequest } from "./openapi.js";

export type PullFileStatus = "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";

export interface FakePullFile {
  filename: string;
  status: PullFileStatus;
  /** Blob sha; computed from `files` at the head (base for removed files) when omitted. */
  sha?: string;
  previous_filename?: string;
  additions?: number;
  deletions?: number;
  patch?: string;
}

export interface FakePullRequest {
  head: { sha: string; ref: string; /** "owner/repo" of a fork; defaults to the base repo */ repo?: string };
  base: { sha: string; ref: string };
  state?: "open" | "closed";
  files?: FakePullFile[];
}

export interface FakeGitHubState {
  /** "owner/repo" → ref (branch, tag or commit sha) → file path → content. */
  files?: Record<string, Record<string, Record<string, string>>>;
  /** "owner/repo" → pull request number → pull request. */
  pulls?: Record<string, Record<number, FakePullRequest>>;
  /** Ref used when a contents request has no `ref` (Probot's config lookup). Default "main". */
  defaultBranch?: string;
  /** When set, the app JWT's `iss` claim must equal it. */
  appId?: number | string;
  /** When set, app JWTs must carry a valid RS256 signature by this key. */
  privateKey?: string;
  /** Answer 422 (as GitHub would for most schema violations) instead of only recording problems. */
  rejectInvalidBodies?: boolean;
}

export type AuthKind = "none" | "app-jwt" | "installation-token" | "invalid";

export interface RecordedRequest {
  method: string;
  /** Path and query without the /api/v3 prefix, e.g. "/repos/o/r/pulls/1/files?page=2". */
  path: string;
  auth: AuthKind;
  accept: string | undefined;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  status: number;
}

export interface CheckRunUpdate {
  method: "POST" | "PATCH";
  body: Record<string, unknown>;
}

export interface FakeCheckRun {
  id: number;
  owner: string;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  started_at: string | null;
  completed_at: string | null;
  details_url: string | null;
  external_id: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** All annotations sent so far: GitHub appends them on every update. */
  annotations: Record<string, unknown>[];
  actions: unknown[];
  /** Every body received for this check run, oldest first. */
  history: CheckRunUpdate[];
}

export interface WaitForCheckRunOptions {
  name?: string;
  headSha?: string;
  /** Status to wait for; default "completed". */
  status?: string;
  timeoutMs?: number;
}

export interface FakeGitHub {
  /** "http://127.0.0.1:<port>" */
  url: string;
  /** "http://127.0.0.1:<port>/api/v3": the baseUrl for an Octokit. */
  baseUrl: string;
  /** "127.0.0.1:<port>": the value for GHE_HOST. */
  host: string;
  /** Environment for Probot: spread it into process.env (or the child's env). */
  env: { GHE_HOST: string; GHE_PROTOCOL: "http" };
  /** The live state; tests may change it between requests. */
  state: FakeGitHubState;
  requests: RecordedRequest[];
  /** Requests no route here knows (answered 404). */
  unexpected: RecordedRequest[];
  /** Schema, auth and protocol problems, one human-readable line each. */
  problems: string[];
  /** App JWTs received, for tests that want to inspect them. Never logged. */
  appJwts: string[];
  checkRuns(): FakeCheckRun[];
  waitForCheckRun(options?: WaitForCheckRunOptions): Promise<FakeCheckRun>;
  close(): Promise<void>;
}

/** GitHub's contents API stops inlining file content above 1 MB. */
export const CONTENTS_INLINE_LIMIT = 1024 * 1024;
// GitHub's pull request files endpoint lists at most 3000 files.
const PULL_FILES_LIMIT = 3000;
const DOCS = "https://docs.github.com/rest";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function notFound(message = "Not Found"): HttpError {
  return new HttpError(404, message);
}

/** Git's blob id, which is what GitHub reports as a file's `sha`. */
export function gitBlobSha(content: string | Buffer): string {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

// GitHub wraps base64 content at 60 characters; clients must cope with that.
function wrappedBase64(bytes: Buffer): string {
  return (bytes.toString("base64").match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join("");
}

function isRawAccept(accept: string | undefined): boolean {
  // application/vnd.github.raw, .raw+json, and Octokit's mediaType format "raw"
  // (application/vnd.github.v3.raw).
  return /application\/vnd\.github(?:\.v3)?\.raw\b/.test(accept ?? "");
}

function base64UrlJson(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part ?? "", "base64url").toString("utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export async function startFakeGitHub(state: FakeGitHubState = {}): Promise<FakeGitHub> {
  const requests: RecordedRequest[] = [];
  const unexpected: RecordedRequest[] = [];
  const problems: string[] = [];
  const appJwts: string[] = [];
  const tokens = new Map<string, number>(); // installation token → installation id
  const runs = new Map<number, FakeCheckRun>();
  let nextCheckRunId = 1;
  const APP_SLUG = "tollgate";
  // Issue comments by "owner/repo#number", as GitHub keeps them for pull requests.
  const comments = new Map<string, { id: number; body: string; user: { login: string; type: string } }[]>();
  let nextCommentId = 1;
  let origin = "";

  const defaultBranch = (): string => state.defaultBranch ?? "main";

  // GitHub treats owner and repo names case-insensitively.
  function repoKey(owner: string, repo: string): string | undefined {
    const wanted = `${owner}/${repo}`.toLowerCase();
    const keys = [...Object.keys(state.files ?? {}), ...Object.keys(state.pulls ?? {})];
    return keys.find((key) => key.toLowerCase() === wanted);
  }

  function requireRepo(owner: string, repo: string): string {
    const key = repoKey(owner, repo);
    if (!key) throw notFound();
    return key;
  }

  function treeAt(key: string, ref: string | null): Record<string, string> {
    const wanted = (ref ?? defaultBranch()).replace(/^refs\/(heads|tags)\//, "");
    const tree = state.files?.[key]?.[wanted];
    if (!tree) throw notFound(`No commit found for the ref ${wanted}`);
    return tree;
  }

  function checkAuth(header: string | undefined, path: string): { kind: AuthKind; problem?: string } {
    if (!header) return { kind: "none" };
    const match = /^(?:bearer|token)\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return { kind: "invalid", problem: "malformed Authorization header" };
    const credential = match[1];
    if (tokens.has(credential)) return { kind: "installation-token" };
    const parts = credential.split(".");
    if (parts.length !== 3) return { kind: "invalid", problem: `unknown token used for ${path}` };
    const [rawHeader, rawPayload, signature] = parts as [string, string, string];
    const head = base64UrlJson(rawHeader);
    const claims = base64UrlJson(rawPayload);
    if (!head || !claims) return { kind: "invalid", problem: "app JWT is not decodable" };
    appJwts.push(credential);
    const now = Math.floor(Date.now() / 1000);
    const { iat, exp, iss } = claims;
    if (head.alg !== "RS256") return { kind: "invalid", problem: `app JWT uses ${String(head.alg)}, GitHub requires RS256` };
    if (typeof iat !== "number" || typeof exp !== "number") return { kind: "invalid", problem: "app JWT lacks iat/exp" };
    if (exp <= now) return { kind: "invalid", problem: "app JWT has expired" };
    if (exp - iat > 600) return { kind: "invalid", problem: "app JWT lives longer than GitHub's 10 minute limit" };
    if (state.appId !== undefined && String(iss) !== String(state.appId)) {
      return { kind: "invalid", problem: `app JWT iss ${String(iss)} is not app id ${String(state.appId)}` };
    }
    if (state.privateKey) {
      const valid = verify(
        "RSA-SHA256",
        Buffer.from(`${rawHeader}.${rawPayload}`),
        createPublicKey(state.privateKey),
        Buffer.from(signature, "base64url"),
      );
      if (!valid) return { kind: "invalid", problem: "app JWT signature does not verify with the app's key" };
    }
    return { kind: "app-jwt" };
  }

  function fileEntry(key: string, path: string, content: string, ref: string | null, inline: boolean) {
    const bytes = Buffer.from(content, "utf8");
    const sha = gitBlobSha(bytes);
    const refQuery = `?ref=${encodeURIComponent(ref ?? defaultBranch())}`;
    const self = `${origin}/api/v3/repos/${key}/contents/${path}${refQuery}`;
    const git = `${origin}/api/v3/repos/${key}/git/blobs/${sha}`;
    const html = `${origin}/${key}/blob/${ref ?? defaultBranch()}/${path}`;
    const tooLarge = bytes.length > CONTENTS_INLINE_LIMIT;
    return {
      type: "file",
      // Above 1 MB GitHub returns the metadata with empty content and encoding "none".
      encoding: !inline ? undefined : tooLarge ? "none" : "base64",
      size: bytes.length,
      name: path.split("/").pop() ?? path,
      path,
      content: !inline ? undefined : tooLarge ? "" : wrappedBase64(bytes),
      sha,
      url: self,
      git_url: git,
      html_url: html,
      download_url: `${origin}/raw/${key}/${ref ?? defaultBranch()}/${path}`,
      _links: { self, git, html },
    };
  }

  function getContents(owner: string, repo: string, rawPath: string, query: URLSearchParams, accept: string | undefined, res: ServerResponse): void {
    const key = requireRepo(owner, repo);
    const ref = query.get("ref");
    const tree = treeAt(key, ref);
    const path = rawPath.replace(/^\/+|\/+$/g, "");
    const content = tree[path];
    if (content !== undefined) {
      if (isRawAccept(accept)) {
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
        res.end(content);
        return;
      }
      sendJson(res, 200, fileEntry(key, path, content, ref, true));
      return;
    }
    // A directory: list its direct children (also in raw mode, like GitHub).
    const prefix = path === "" ? "" : `${path}/`;
    const children = new Map<string, unknown>();
    for (const [filePath, fileContent] of Object.entries(tree)) {
      if (!filePath.startsWith(prefix)) continue;
      const [name, ...rest] = filePath.slice(prefix.length).split("/");
      if (!name) continue;
      const childPath = `${prefix}${name}`;
      if (rest.length === 0) children.set(name, fileEntry(key, childPath, fileContent, ref, false));
      else if (!children.has(name)) {
        const self = `${origin}/api/v3/repos/${key}/contents/${childPath}`;
        const sha = createHash("sha1").update(`tree ${childPath}`).digest("hex");
        const git = `${origin}/api/v3/repos/${key}/git/trees/${sha}`;
        const html = `${origin}/${key}/tree/${ref ?? defaultBranch()}/${childPath}`;
        children.set(name, { type: "dir", size: 0, name, path: childPath, sha, url: self, git_url: git, html_url: html, download_url: null, _links: { self, git, html } });
      }
    }
    if (children.size === 0) throw notFound();
    sendJson(res, 200, [...children.values()]);
  }

  function getBlob(owner: string, repo: string, sha: string, accept: string | undefined, res: ServerResponse): void {
    const key = requireRepo(owner, repo);
    for (const tree of Object.values(state.files?.[key] ?? {})) {
      for (const content of Object.values(tree)) {
        const bytes = Buffer.from(content, "utf8");
        if (gitBlobSha(bytes) !== sha) continue;
        if (isRawAccept(accept)) {
          res.writeHead(200, { "content-type": "application/octet-stream" });
          res.end(bytes);
          return;
        }
        sendJson(res, 200, {
          sha,
          node_id: Buffer.from(`blob:${sha}`).toString("base64"),
          size: bytes.length,
          url: `${origin}/api/v3/repos/${key}/git/blobs/${sha}`,
          content: wrappedBase64(bytes),
          encoding: "base64",
        });
        return;
      }
    }
    throw notFound();
  }

  function pullOf(owner: string, repo: string, number: number): { key: string; pull: FakePullRequest } {
    const key = requireRepo(owner, repo);
    const pull = state.pulls?.[key]?.[number];
    if (!pull) throw notFound();
    return { key, pull };
  }

  function blobShaAt(key: string, ref: string, path: string): string | null {
    const content = state.files?.[key]?.[ref]?.[path];
    return content === undefined ? null : gitBlobSha(content);
  }

  function listPullFiles(owner: string, repo: string, number: number, query: URLSearchParams, pathname: string, res: ServerResponse): void {
    const { key, pull } = pullOf(owner, repo, number);
    // GitHub clamps per_page to 100 and defaults to 30.
    const perPage = Math.min(Math.max(Number(query.get("per_page") ?? 30) || 30, 1), 100);
    const page = Math.max(Number(query.get("page") ?? 1) || 1, 1);
    const all = (pull.files ?? []).slice(0, PULL_FILES_LIMIT);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const headKey = pull.head.repo ?? key;
    const body = slice.map((file) => {
      const sha = file.sha ?? (file.status === "removed" ? blobShaAt(key, pull.base.sha, file.filename) : blobShaAt(headKey, pull.head.sha, file.filename));
      const ref = file.status === "removed" ? pull.base.sha : pull.head.sha;
      const additions = file.additions ?? 0;
      const deletions = file.deletions ?? 0;
      return {
        sha,
        filename: file.filename,
        status: file.status,
        additions,
        deletions,
        changes: additions + deletions,
        blob_url: `${origin}/${key}/blob/${ref}/${file.filename}`,
        raw_url: `${origin}/${key}/raw/${ref}/${file.filename}`,
        contents_url: `${origin}/api/v3/repos/${key}/contents/${file.filename}?ref=${ref}`,
        ...(file.patch !== undefined ? { patch: file.patch } : {}),
        ...(file.previous_filename !== undefined ? { previous_filename: file.previous_filename } : {}),
      };
    });
    const lastPage = Math.max(Math.ceil(all.length / perPage), 1);
    const link = (target: number, rel: string): string => {
      const params = new URLSearchParams(query);
      params.set("per_page", String(perPage));
      params.set("page", String(target));
      return `<${origin}/api/v3${pathname}?${params.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, "prev"));
    if (page < lastPage) links.push(link(page + 1, "next"), link(lastPage, "last"));
    if (page > 1) links.push(link(1, "first"));
    sendJson(res, 200, body, links.length > 0 ? { link: links.join(", ") } : {});
  }

  function repoJson(key: string) {
    const [owner = "", name = ""] = key.split("/");
    return { id: 1, node_id: "R_fake", name, full_name: key, owner: { login: owner, type: "User" }, private: false, url: `${origin}/api/v3/repos/${key}`, html_url: `${origin}/${key}`, default_branch: defaultBranch() };
  }

  function getPull(owner: string, repo: string, number: number, res: ServerResponse): void {
    const { key, pull } = pullOf(owner, repo, number);
    const headKey = pull.head.repo ?? key;
    const side = (ref: string, sha: string, repoFullName: string) => ({
      label: `${repoFullName.split("/")[0]}:${ref}`,
      ref,
      sha,
      repo: repoJson(repoFullName),
    });
    sendJson(res, 200, {
      url: `${origin}/api/v3/repos/${key}/pulls/${number}`,
      id: number,
      node_id: `PR_fake${number}`,
      html_url: `${origin}/${key}/pull/${number}`,
      number,
      state: pull.state ?? "open",
      title: `Pull request #${number}`,
      draft: false,
      merged: false,
      head: side(pull.head.ref, pull.head.sha, headKey),
      base: side(pull.base.ref, pull.base.sha, key),
    });
  }

  function checkRunJson(run: FakeCheckRun) {
    const key = `${run.owner}/${run.repo}`;
    return {
      id: run.id,
      node_id: `CR_fake${run.id}`,
      head_sha: run.head_sha,
      external_id: run.external_id,
      url: `${origin}/api/v3/repos/${key}/check-runs/${run.id}`,
      html_url: `${origin}/${key}/runs/${run.id}`,
      details_url: run.details_url,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.started_at,
      completed_at: run.completed_at,
      output: { ...run.output, annotations_count: run.annotations.length, annotations_url: `${origin}/api/v3/repos/${key}/check-runs/${run.id}/annotations` },
      name: run.name,
      check_suite: { id: 1 },
      app: { id: Number(state.appId ?? 1), slug: "tollgate", name: "Tollgate" },
      pull_requests: [],
    };
  }

  function applyCheckRunBody(run: FakeCheckRun, body: Record<string, unknown>, method: "POST" | "PATCH"): void {
    run.history.push({ method, body: structuredClone(body) });
    const text = (value: unknown, fallback: string | null): string | null => (typeof value === "string" ? value : fallback);
    run.name = text(body.name, run.name) ?? run.name;
    run.details_url = text(body.details_url, run.details_url);
    run.external_id = text(body.external_id, run.external_id);
    run.started_at = text(body.started_at, run.started_at);
    run.completed_at = text(body.completed_at, run.completed_at);
    if (typeof body.status === "string") run.status = body.status;
    // GitHub: providing a conclusion sets the status to completed.
    if (typeof body.conclusion === "string") {
      run.conclusion = body.conclusion;
      run.status = "completed";
    }
    if (run.status === "completed") run.completed_at ??= new Date().toISOString();
    const output = body.output;
    if (typeof output === "object" && output !== null) {
      const o = output as Record<string, unknown>;
      run.output = { title: text(o.title, run.output.title), summary: text(o.summary, run.output.summary), text: text(o.text, run.output.text) };
      if (Array.isArray(o.annotations)) run.annotations.push(...structuredClone(o.annotations as Record<string, unknown>[]));
    }
    if (Array.isArray(body.actions)) run.actions = structuredClone(body.actions);
  }

  function createCheckRun(owner: string, repo: string, body: unknown, res: ServerResponse): void {
    const key = requireRepo(owner, repo);
    const fields = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
    const [runOwner = owner, runRepo = repo] = key.split("/");
    const run: FakeCheckRun = {
      id: nextCheckRunId++,
      owner: runOwner,
      repo: runRepo,
      name: "",
      head_sha: typeof fields.head_sha === "string" ? fields.head_sha : "",
      status: "queued",
      conclusion: null,
      started_at: new Date().toISOString(),
      completed_at: null,
      details_url: null,
      external_id: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      actions: [],
      history: [],
    };
    applyCheckRunBody(run, fields, "POST");
    runs.set(run.id, run);
    sendJson(res, 201, checkRunJson(run));
  }

  function checkRunOf(owner: string, repo: string, id: number): FakeCheckRun {
    const key = requireRepo(owner, repo);
    const run = runs.get(id);
    if (!run || `${run.owner}/${run.repo}` !== key) throw notFound();
    return run;
  }

  function issueToken(installationId: number, res: ServerResponse): void {
    const token = `ghs_fake${installationId}x${randomUUID().replace(/-/g, "")}`;
    tokens.set(token, installationId);
    sendJson(res, 201, {
      token,
      expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      permissions: { checks: "write", contents: "read", pull_requests: "read", metadata: "read" },
      repository_selection: "all",
    });
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-github-media-type": "github.v3; format=json",
      "x-github-request-id": randomUUID(),
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      ...headers,
    });
    res.end(JSON.stringify(body));
  }

  async function readBody(req: IncomingMessage, path: string): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (text === "") return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      problems.push(`${req.method} ${path}: body is not JSON`);
      return text;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, record: RecordedRequest): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    const method = record.method;
    if (!url.pathname.startsWith("/api/v3/")) {
      // Real GHES serves the REST API only under /api/v3: a request elsewhere means a wrong baseUrl.
      unexpected.push(record);
      throw notFound();
    }
    const pathname = url.pathname.slice("/api/v3".length);
    const body = await readBody(req, record.path);
    record.body = body;

    const found = validateGitHubRequest(method, record.path, body);
    problems.push(...found);
    if (found.length > 0 && state.rejectInvalidBodies && body !== undefined) {
      throw new HttpError(422, `Invalid request.\n\n${found.join("\n")}`);
    }

    const auth = checkAuth(req.headers.authorization, record.path);
    record.auth = auth.kind;
    if (auth.problem) problems.push(`${method} ${record.path}: ${auth.problem}`);
    const isAppRoute = pathname.startsWith("/app/") || pathname === "/app";
    const wanted: AuthKind = isAppRoute ? "app-jwt" : "installation-token";
    if (auth.kind !== wanted) {
      if (!auth.problem) problems.push(`${method} ${record.path}: sent with ${auth.kind} auth, GitHub requires ${wanted === "app-jwt" ? "an app JWT" : "an installation token"}`);
      throw new HttpError(401, auth.kind === "none" ? "Requires authentication" : "Bad credentials");
    }

    const seg = (value: string | undefined): string => decodeURIComponent(value ?? "");
    let m: RegExpExecArray | null;
    if (method === "POST" && (m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(pathname))) {
      return issueToken(Number(m[1]), res);
    }
    if (method === "GET" && pathname === "/app") {
      return sendJson(res, 200, { id: Number(state.appId ?? 1), slug: APP_SLUG, name: "Tollgate", owner: { login: "tollgate" } });
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(pathname)) && (method === "GET" || method === "POST")) {
      const key = `${requireRepo(seg(m[1]), seg(m[2]))}#${m[3]}`;
      const list = comments.get(key) ?? [];
      comments.set(key, list);
      if (method === "POST") {
        const comment = { id: nextCommentId++, body: String((body as { body?: unknown }).body ?? ""), user: { login: `${APP_SLUG}[bot]`, type: "Bot" } };
        list.push(comment);
        return sendJson(res, 201, comment);
      }
      // One page is enough for the fake: tests never write a hundred comments.
      return sendJson(res, 200, list);
    }
    if (method === "PATCH" && (m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(pathname))) {
      requireRepo(seg(m[1]), seg(m[2]));
      const comment = [...comments.values()].flat().find((entry) => entry.id === Number(m![3]));
      if (!comment) throw notFound();
      comment.body = String((body as { body?: unknown }).body ?? comment.body);
      return sendJson(res, 200, comment);
    }
    if (method === "GET" && (m = /^\/repos\/([^/]+)\/([^/]+)$/.exec(pathname))) {
      return sendJson(res, 200, repoJson(requireRepo(seg(m[1]), seg(m[2]))));
    }
    if (method === "GET" && (m = /^\/repos\/([^/]+)\/([^/]+)\/contents(?:\/(.*))?$/.exec(pathname))) {
      // Octokit sends "/" inside {path} as %2F; others send it literally. Decode both.
      return getContents(seg(m[1]), seg(m[2]), seg(m[3]), url.searchParams, req.headers.accept, res);
    }
    if (method === "GET" && (m = /^\/repos\/([^/]+)\/([^/]+)\/git\/blobs\/([^/]+)$/.exec(pathname))) {
      return getBlob(seg(m[1]), seg(m[2]), seg(m[3]), req.headers.accept, res);
    }
    if (method === "GET" && (m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(pathname))) {
      return getPull(seg(m[1]), seg(m[2]), Number(m[3]), res);
    }
    if (method === "GET" && (m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/files$/.exec(pathname))) {
      return listPullFiles(seg(m[1]), seg(m[2]), Number(m[3]), url.searchParams, pathname, res);
    }
    if (method === "GET" && (m = /^\/repos\/([^/]+)\/([^/]+)\/compare\/([^/]+?)\.\.\.(.+)$/.exec(pathname))) {
      // The fake has no commit graph: the base named is the merge base.
      requireRepo(seg(m[1]), seg(m[2]));
      return sendJson(res, 200, { status: "ahead", merge_base_commit: { sha: seg(m[3]) }, base_commit: { sha: seg(m[3]) }, files: [] });
    }
    if (method === "GET" && (m = /^\/repos\/([^/]+)\/([^/]+)\/commits\/([^/]+)\/pulls$/.exec(pathname))) {
      const key = `${seg(m[1])}/${seg(m[2])}`;
      const sha = seg(m[3]);
      const pulls = Object.entries(state.pulls?.[key] ?? {}).filter(([, pull]) => pull.head.sha === sha);
      return sendJson(res, 200, pulls.map(([number, pull]) => ({ number: Number(number), state: pull.state ?? "open", head: pull.head, base: pull.base })));
    }
    if (method === "POST" && (m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs$/.exec(pathname))) {
      return createCheckRun(seg(m[1]), seg(m[2]), body, res);
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/check-runs\/(\d+)$/.exec(pathname)) && (method === "GET" || method === "PATCH")) {
      const run = checkRunOf(seg(m[1]), seg(m[2]), Number(m[3]));
      if (method === "PATCH") applyCheckRunBody(run, (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>, "PATCH");
      return sendJson(res, 200, checkRunJson(run));
    }
    unexpected.push(record);
    throw notFound();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", origin);
    const prefixless = url.pathname.startsWith("/api/v3/") ? url.pathname.slice("/api/v3".length) : url.pathname;
    const record: RecordedRequest = {
      method: (req.method ?? "GET").toUpperCase(),
      path: `${prefixless}${url.search}`,
      auth: "none",
      accept: req.headers.accept,
      body: undefined,
      status: 0,
    };
    requests.push(record);
    handle(req, res, record)
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        if (!(error instanceof HttpError)) problems.push(`${record.method} ${record.path}: fake GitHub crashed: ${String(error)}`);
        const message = error instanceof Error ? error.message : String(error);
        if (!res.headersSent) sendJson(res, status, { message, documentation_url: DOCS, status: String(status) });
      })
      .finally(() => {
        record.status = res.statusCode;
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  origin = `http://${host}`;

  const snapshot = (): FakeCheckRun[] => [...runs.values()].map((run) => structuredClone(run));

  return {
    url: origin,
    baseUrl: `${origin}/api/v3`,
    host,
    env: { GHE_HOST: host, GHE_PROTOCOL: "http" },
    state,
    requests,
    unexpected,
    problems,
    appJwts,
    checkRuns: snapshot,
    async waitForCheckRun(options: WaitForCheckRunOptions = {}): Promise<FakeCheckRun> {
      const { name, headSha, status = "completed", timeoutMs = 10_000 } = options;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = snapshot().find((run) => run.status === status && (name === undefined || run.name === name) && (headSha === undefined || run.head_sha === headSha));
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = snapshot().map((run) => `#${run.id} ${run.name} ${run.head_sha.slice(0, 7)} ${run.status}`);
          throw new Error(
            `No check run reached "${status}" within ${timeoutMs} ms.\n` +
              `Check runs: ${seen.join("; ") || "none"}\n` +
              `Requests: ${requests.map((r) => `${r.method} ${r.path} → ${r.status}`).join("; ") || "none"}\n` +
              `Problems: ${problems.join("; ") || "none"}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close(): Promise<void> {
      // Clients keep connections alive; drop them so close() does not wait.
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/**
 * A port that was free a moment ago. Probot's Server treats port 0 as "use
 * 3000" (`port || 3000`), so an app under test needs a concrete free port.
 */
export async function getFreePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
