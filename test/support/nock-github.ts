/**
 * Validates every request that nock intercepts for GitHub against GitHub's
 * OpenAPI description, whichever scope or interceptor answers it, so unit
 * tests of handlers need only `expect(github.problems).toEqual([])`.
 */
import nock from "nock";

import { findGitHubOperation, validateGitHubRequest } from "./openapi.js";

export interface InterceptedGitHubRequest {
  method: string;
  /** Absolute URL as requested. */
  url: string;
  /** Parsed JSON body, the raw text if it is not JSON, undefined if empty. */
  body: unknown;
  /** e.g. "checks/create"; undefined when GitHub has no such operation. */
  operationId: string | undefined;
}

export interface GitHubRecorder {
  /** One line per problem, across all intercepted requests. */
  problems: string[];
  requests: InterceptedGitHubRequest[];
  /** Requests to GitHub that no interceptor matched (nock answers those with an error). */
  unmatched: string[];
  /** Removes the hook; call it in afterEach. */
  stop(): void;
}

type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

let active = false;

function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Starts collecting. `origin` is the API root the code under test uses
 * (default https://api.github.com; a GHES root such as
 * https://ghe.example/api/v3 works too).
 */
export function recordGitHub(options: { origin?: string } = {}): GitHubRecorder {
  if (active) throw new Error("recordGitHub(): a recorder is already active; call stop() first");
  const origin = new URL(options.origin ?? "https://api.github.com").origin;
  const recorder: GitHubRecorder = { problems: [], requests: [], unmatched: [], stop };

  // nock emits 'request' (request, interceptor, body text) on the Scope that
  // answers, and has no global equivalent. Every Scope shares one prototype, so
  // hooking its emit sees requests from scopes the test creates later as well.
  const proto = Object.getPrototypeOf(nock(origin)) as { emit: Emit };
  const hadOwnEmit = Object.hasOwn(proto, "emit");
  const originalEmit = proto.emit;
  proto.emit = function (this: unknown, event, ...args) {
    if (event === "request") inspect(args[0], args[2]);
    return originalEmit.call(this, event, ...args);
  };

  const onNoMatch = (request: Request): void => {
    if (new URL(request.url).origin === origin) recorder.unmatched.push(`${request.method} ${request.url}`);
  };
  nock.emitter.on("no match", onNoMatch);
  active = true;

  function inspect(request: unknown, bodyText: unknown): void {
    if (!(request instanceof Request)) return;
    if (new URL(request.url).origin !== origin) return;
    const body = parseBody(typeof bodyText === "string" ? bodyText : "");
    recorder.requests.push({
      method: request.method,
      url: request.url,
      body,
      operationId: findGitHubOperation(request.method, request.url)?.operationId,
    });
    recorder.problems.push(...validateGitHubRequest(request.method, request.url, body));
  }

  function stop(): void {
    // Put back exactly what was there (normally the inherited EventEmitter emit).
    if (hadOwnEmit) proto.emit = originalEmit;
    else delete (proto as { emit?: Emit }).emit;
    nock.emitter.off("no match", onNoMatch);
    active = false;
  }

  return recorder;
}
