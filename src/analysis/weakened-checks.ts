import type { AnyNode, Node } from "acorn";
import type { CredentialFinding } from "./token-flow.js";
import type { FunctionNode, ModuleFacts } from "./module-facts.js";

const TLS_OFF_KEYS = new Set(["rejectUnauthorized", "strictSSL", "strict-ssl", "strict_ssl"]);

/**
 * TLS certificate checks switched off: `rejectUnauthorized: false` and its relatives, the
 * `NODE_TLS_REJECT_UNAUTHORIZED=0` switch for the whole process, a `checkServerIdentity` that accepts
 * any certificate. Only constants count: a value taken from the caller's options is the caller's
 * choice. Behind a condition it is an opt-in, which matters far less than a default.
 */
export function findTlsDisabled(facts: ModuleFacts): CredentialFinding[] {
  const findings: CredentialFinding[] = [];
  for (const { key, value, at, conditional } of facts.keyed) {
    let message: string | undefined;
    if (TLS_OFF_KEYS.has(key) && isFalse(value)) message = `Turns off TLS certificate checks (${key}: false)`;
    else if (key === "NODE_TLS_REJECT_UNAUTHORIZED" && isZero(facts, value)) message = "Turns off TLS certificate checks for the whole process (NODE_TLS_REJECT_UNAUTHORIZED=0)";
    else if (key === "checkServerIdentity" && acceptsAnything(facts, value)) message = "Accepts any server certificate (checkServerIdentity returns nothing)";
    if (!message) continue;
    findings.push({
      rule: "tls-verification-disabled",
      // Behind a condition it is the caller's opt-in (`--insecure`, `skipTLSVerify`): information.
      severity: conditional ? "info" : key === "NODE_TLS_REJECT_UNAUTHORIZED" ? "high" : "medium",
      message: `${message}${conditional ? ", when a condition holds" : ""}.`,
      offset: at,
      related: [],
    });
  }
  return findings;
}

function isFalse(node: Node): boolean {
  const n = node as AnyNode;
  if (n.type === "Literal") return n.value === false || n.value === 0;
  // `!1`, the minified `false`.
  return n.type === "UnaryExpression" && n.operator === "!" && n.argument.type === "Literal" && n.argument.value === 1;
}

function isZero(facts: ModuleFacts, node: Node): boolean {
  const value = facts.constant(node);
  return value === "0" || isFalse(node);
}

/** A function that returns nothing (or `undefined`) on every path: accepts whatever it is given. */
function acceptsAnything(facts: ModuleFacts, node: Node): boolean {
  const n = node as AnyNode;
  if (n.type !== "FunctionExpression" && n.type !== "ArrowFunctionExpression") return false;
  const fn = n as FunctionNode;
  if (fn.type === "ArrowFunctionExpression" && fn.expression) {
    const body = fn.body as AnyNode;
    return (body.type === "Identifier" && body.name === "undefined") || (body.type === "Literal" && body.value === null) || (body.type === "UnaryExpression" && body.operator === "void");
  }
  const returns = facts.returns.get(fn) ?? [];
  const body = fn.body as AnyNode;
  return returns.length === 0 && body.type === "BlockStatement" && body.body.every((statement) => statement.type === "ReturnStatement" || statement.type === "EmptyStatement");
}

const JWT_DECODERS = new Map<string, string>([
  ["jsonwebtoken.decode", "jsonwebtoken's decode"],
  ["jwt-decode.default", "jwt-decode"],
  ["jwt-decode.jwtDecode", "jwt-decode"],
  ["jwt-decode", "jwt-decode"],
  ["jose.decodeJwt", "jose's decodeJwt"],
  ["jws.decode", "jws's decode"],
]);
const JWT_VERIFIERS = new Set(["jsonwebtoken.verify", "jose.jwtVerify", "jose.compactVerify", "jose.flattenedVerify", "jws.verify", "jose.JWT.verify"]);
/**
 * Code that reads an incoming request's credentials: where a decoded token decides who someone is.
 * A client setting its own Authorization header is not that.
 */
export const REQUEST_HANDLING = /\b(?:req|request|ctx|event)(?:\.raw)?\.headers(?:\.authorization|\[\s*["'`]authorization["'`]\s*\])|\.(?:get|header)\(\s*["'`]authorization["'`]\s*\)|\b(?:req|request|ctx)\.(?:user|auth|cookies)\b/i;
/** Code for emulators, mocks and tests, where skipping a check is the point. */
const NOT_PRODUCTION = /emulat|mock|fake|stub|test|insecure|unsafe|development/i;

const HAND_SPLIT = /\.split\(\s*["'`]\.["'`]\s*\)/g;
/**
 * Where a JWT is decoded by hand: `token.split(".")` with a base64 decode and `JSON.parse` close by,
 * in a file with no signature check anywhere. -1 when there is none.
 */
function decodedByHandAt(source: string): number {
  if (/verify|createHmac|timingSafeEqual|subtle\./i.test(source)) return -1;
  HAND_SPLIT.lastIndex = 0;
  for (let match = HAND_SPLIT.exec(source); match; match = HAND_SPLIT.exec(source)) {
    const near = source.slice(Math.max(0, match.index - 300), match.index + 400);
    if (/base64|atob\(/.test(near) && /JSON\.parse/.test(near)) return match.index;
  }
  return -1;
}

/**
 * JWTs trusted without a signature check: a module that decodes tokens where it handles requests and
 * never verifies one, or a verification that accepts the `none` algorithm (no signature at all).
 * Decoding in a browser to show a user's name is not authorisation and is left alone.
 */
export function findJwtUnverified(facts: ModuleFacts): CredentialFinding[] {
  const findings: CredentialFinding[] = [];
  const decodes: { offset: number; label: string }[] = [];
  let verifies = false;
  for (const { node } of facts.calls) {
    const ref = facts.ref(node.callee);
    if (ref?.kind !== "module") continue;
    const path = ref.path.length === 0 ? ref.name : `${ref.name}.${ref.path.join(".")}`;
    const decoder = JWT_DECODERS.get(path);
    if (decoder) decodes.push({ offset: node.start, label: decoder });
    if (JWT_VERIFIERS.has(path)) verifies = true;
  }
  if (decodes.length > 0 && !verifies && REQUEST_HANDLING.test(facts.source)) {
    const first = decodes[0]!;
    findings.push({
      rule: "jwt-unverified",
      severity: "medium",
      message: `Reads JWT claims with ${first.label} where it handles requests, and never verifies a signature.`,
      offset: first.offset,
      related: [],
    });
  }
  const handSplit = decodes.length === 0 && !verifies ? decodedByHandAt(facts.source) : -1;
  if (handSplit >= 0 && REQUEST_HANDLING.test(facts.source)) {
    const offset = handSplit;
    findings.push({
      rule: "jwt-unverified",
      severity: "medium",
      message: "Decodes a JWT's payload by hand (split on dots, base64) where it handles requests, and never verifies a signature.",
      offset,
      related: [],
    });
  }
  for (const { key, value, at } of facts.keyed) {
    if (key !== "algorithms") continue;
    const n = (value.type === "Identifier" ? (facts.bindingsAt((value as AnyNode & { type: "Identifier" }).name, value.start)?.find((binding) => binding.kind === "init") as { init: Node } | undefined)?.init : value) as AnyNode | undefined;
    if (n?.type !== "ArrayExpression") continue;
    const none = n.elements.some((element) => element && element.type !== "SpreadElement" && /^none$/i.test(facts.constant(element) ?? ""));
    if (!none) continue;
    // An emulator's verifier accepting unsigned tokens is by design; say so, quietly.
    // The names around it, not the comments: `class EmulatorSignatureVerifier`, `function mockVerify`.
    const context = facts.source.slice(Math.max(0, at - 400), at).replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, "");
    const quiet = NOT_PRODUCTION.test(context.match(/[A-Za-z_$][\w$]*/g)?.filter((word) => /^[A-Z]|^(?:class|function)$/.test(word) || /[a-z][A-Z]/.test(word)).join(" ") ?? "");
    findings.push({
      rule: "jwt-unverified",
      severity: quiet ? "info" : "high",
      message: `Accepts JWTs signed with the "none" algorithm, that is, not signed at all${quiet ? " (in code for emulators or tests)" : ""}.`,
      offset: at,
      related: [],
    });
  }
  return findings;
}

