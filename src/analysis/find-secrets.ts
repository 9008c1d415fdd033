/**
 * Credentials written into a file's text: provider tokens by their format (and checksum, where the
 * format has one), private keys, JSON Web Tokens, and generated-looking values assigned to names that
 * say "secret". Used for the `hardcoded-secret` rule and to mask secrets in every snippet Tollgate
 * writes, so the text of a match never leaves this module: a match carries its masked form.
 *
 * Speed: this runs over the full text of every file, megabytes of minified code included. One
 * regular expression of the rare prefixes (`ghp_`, `AKIA`, `eyJ`, `-----BEGIN `…) finds the few
 * places worth a look; each is then checked by a sticky expression at that place only. A second pass
 * looks for quoted values after `=` or `:` and only then reads the name before them.
 */

import { createHash } from "node:crypto";
import type { Severity } from "../review/alert.js";
import { entropy, looksGenerated, looksLikePlaceholder } from "./secret-values.js";
import { hasValidTokenChecksum } from "./token-checksum.js";

export interface SecretMatch {
  offset: number;
  length: number;
  /** What it is, to use in a sentence: "GitHub personal access token". */
  kind: string;
  severity: Severity;
  /** The text to show instead: a short recognisable prefix and the length of the rest, `ghp_…(36 chars)`. */
  masked: string;
  /** What a message may add to the kind without the value: the prefix, the checksum, the algorithm (`ghp_…, checksum valid`). */
  detail: string;
  /** Masked but reported through another match: an AWS secret key next to its key ID. */
  maskOnly?: boolean;
}

function mask(prefix: string, hidden: number): string {
  return `${prefix}…(${hidden} chars)`;
}

function match(offset: number, text: string, prefix: string, kind: string, severity: Severity, detail: string): SecretMatch {
  return { offset, length: text.length, kind, severity, masked: mask(prefix, text.length - prefix.length), detail };
}

function isAlphanumeric(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** The character before `index` does not continue a token (`xghp_…` is not a GitHub token). */
function startsToken(source: string, index: number, alsoJoining = ""): boolean {
  if (index === 0) return true;
  const code = source.charCodeAt(index - 1);
  return !isAlphanumeric(code) && !alsoJoining.includes(source[index - 1]!);
}

// ---------------------------------------------------------------------------------------------
// One detector per prefix. Each gets the source and where the prefix starts, adds what it finds to
// `found`, and returns where the prefix scan resumes (past what it read, so a long base64 run is
// not read again from every `eyJ` inside it).

type Detector = (source: string, index: number, found: SecretMatch[]) => number;

const GITHUB_KINDS: Record<string, string> = {
  p: "GitHub personal access token",
  o: "GitHub OAuth access token",
  u: "GitHub user access token",
  s: "GitHub installation access token",
  r: "GitHub refresh token",
};

const GITHUB_CLASSIC = /gh([pousr])_([A-Za-z0-9]{36})(?![A-Za-z0-9_])/y;
const GITHUB_FINE_GRAINED = /github_pat_([A-Za-z0-9]{22})_([A-Za-z0-9]{59})(?![A-Za-z0-9_])/y;
const NPM = /npm_([A-Za-z0-9]{36})(?![A-Za-z0-9_])/y;

/** GitHub and npm tokens count only with a valid checksum: a wrong one is a made-up example, not a credential. */
const checksummed: Detector = (source, index, found) => {
  const expression = source.startsWith("npm_", index) ? NPM : GITHUB_CLASSIC;
  expression.lastIndex = index;
  const token = expression.exec(source);
  if (!token || !startsToken(source, index, "_")) return index + 1;
  const body = token[token.length - 1]!;
  if (!hasValidTokenChecksum(body) || looksLikePlaceholder(body)) return index + token[0].length;
  const prefix = token[0].slice(0, 4);
  const kind = expression === NPM ? "npm access token" : GITHUB_KINDS[token[1]!]!;
  found.push(match(index, token[0], prefix, kind, "high", `${prefix}…, checksum valid`));
  return index + token[0].length;
};

/** Fine-grained tokens have no public checksum; their shape (22 and 59 random characters) is distinctive enough. */
const githubFineGrained: Detector = (source, index, found) => {
  GITHUB_FINE_GRAINED.lastIndex = index;
  const token = GITHUB_FINE_GRAINED.exec(source);
  if (!token || !startsToken(source, index, "_")) return index + 1;
  const random = token[1]! + token[2]!;
  if (looksLikePlaceholder(random) || entropy(random) < 4) return index + token[0].length;
  found.push(match(index, token[0], "github_pat_", "GitHub fine-grained personal access token", "high", "github_pat_…, format valid"));
  return index + token[0].length;
};

// AWS key IDs are base32 (A-Z, 2-7) after a four-letter prefix: AKIA for long-term keys, ASIA for temporary ones.
const AWS_KEY_ID = /A[KS]IA[A-Z2-7]{16}(?![A-Za-z0-9])/y;
const AWS_SECRET = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
/** How far from its key ID a secret access key counts as its pair: the next line or two, an object's next property. */
const AWS_PAIR_DISTANCE = 300;

function isAwsSecret(value: string): boolean {
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9/+]/.test(value) && !looksLikePlaceholder(value) && entropy(value) >= 4;
}

/**
 * A key ID next to a secret access key is a working credential (high). A key ID alone is an
 * identifier that cannot sign a request (low): still worth a line, since it names a real account's
 * key and its secret may be shipped in another form.
 */
const aws: Detector = (source, index, found) => {
  AWS_KEY_ID.lastIndex = index;
  const id = AWS_KEY_ID.exec(source);
  if (!id || !startsToken(source, index)) return index + 1;
  if (looksLikePlaceholder(id[0])) return index + id[0].length;
  const from = Math.max(0, index - AWS_PAIR_DISTANCE);
  const near = source.slice(from, index + id[0].length + AWS_PAIR_DISTANCE);
  let secret: { offset: number; text: string } | undefined;
  const candidates = AWS_SECRET;
  candidates.lastIndex = 0;
  for (let candidate = candidates.exec(near); candidate; candidate = candidates.exec(near)) {
    const offset = from + candidate.index;
    if (offset <= index + id[0].length && offset + 40 >= index) continue;
    if (!isAwsSecret(candidate[0])) continue;
    if (!secret || Math.abs(offset - index) < Math.abs(secret.offset - index)) secret = { offset, text: candidate[0] };
  }
  if (secret) {
    found.push(match(index, id[0], id[0].slice(0, 4), "AWS access key", "high", `${id[0].slice(0, 4)}…, with its secret access key`));
    found.push({ ...match(secret.offset, secret.text, "", "AWS secret access key", "high", "next to its key ID"), maskOnly: true });
  } else {
    found.push(match(index, id[0], id[0].slice(0, 4), "AWS access key ID", "low", `${id[0].slice(0, 4)}…, no secret access key nearby`));
  }
  return index + id[0].length;
};

const SLACK_TOKEN = /xox([abposr])-([0-9A-Za-z-]{10,250})(?![0-9A-Za-z_-])/y;

/** Slack tokens: numeric workspace and user parts, then a random part of 24 (bots) to 64 characters. */
const slackToken: Detector = (source, index, found) => {
  SLACK_TOKEN.lastIndex = index;
  const token = SLACK_TOKEN.exec(source);
  if (!token || !startsToken(source, index)) return index + 1;
  const parts = token[2]!.split("-");
  const random = parts.at(-1)!;
  const numbers = parts.slice(0, -1).filter((part) => /^\d+$/.test(part));
  // Workspace and user IDs are not random (T0…, runs of zeros happen); only all one digit or counting is a placeholder.
  const madeUp = numbers.some((part) => /^(\d)\1*$/.test(part) || "01234567890123456789".includes(part) || "98765432109876543210".includes(part));
  if (numbers.length > 0 && !madeUp && random.length >= 16 && !looksLikePlaceholder(random) && entropy(random) >= 3.5) {
    const prefix = token[0].slice(0, 5);
    found.push(match(index, token[0], prefix, "Slack token", "high", `${prefix}…`));
  }
  return index + token[0].length;
};

const SLACK_WEBHOOK = /hooks\.slack\.com\/(services|workflows|triggers)\/([A-Za-z0-9_/-]{20,300})/y;

/** Anyone holding a Slack webhook URL can post to its channel: the URL is the credential. */
const slackWebhook: Detector = (source, index, found) => {
  SLACK_WEBHOOK.lastIndex = index;
  const hook = SLACK_WEBHOOK.exec(source);
  if (!hook) return index + 1;
  const segments = hook[2]!.split("/").filter(Boolean);
  const random = segments.at(-1) ?? "";
  if (segments.length >= 3 && random.length >= 16 && !looksLikePlaceholder(hook[2]!) && entropy(random) >= 3.5) {
    const scheme = /https?:\/\/$/.exec(source.slice(Math.max(0, index - 8), index));
    const start = index - (scheme ? scheme[0].length : 0);
    const prefix = `${source.slice(start, index)}hooks.slack.com/${hook[1]}/`;
    found.push(match(start, source.slice(start, index + hook[0].length), prefix, "Slack webhook URL", "high", "hooks.slack.com"));
  }
  return index + hook[0].length;
};

const STRIPE = /([sr]k)_(live|test)_([0-9A-Za-z]{16,247})(?![0-9A-Za-z_])/y;
/** The test keys Stripe's documentation shows to everyone (random part only). */
const STRIPE_DOCUMENTED = new Set(["4eC39HqLyjWDarjtT1zdp7dc", "BQokikJOvBiI2HlWgH4olfQ2"]);

/** Live secret and restricted keys move money (high); test-mode keys reach only the account's test data (low). */
const stripe: Detector = (source, index, found) => {
  STRIPE.lastIndex = index;
  const key = STRIPE.exec(source);
  if (!key || !startsToken(source, index)) return index + 1;
  const random = key[3]!;
  if (STRIPE_DOCUMENTED.has(random) || looksLikePlaceholder(random) || entropy(random) < 3.5) return index + key[0].length;
  const live = key[2] === "live";
  const prefix = `${key[1]}_${key[2]}_`;
  const kind = !live ? "Stripe test-mode key" : key[1] === "rk" ? "Stripe restricted key" : "Stripe secret key";
  found.push(match(index, key[0], prefix, kind, live ? "high" : "low", `${prefix}…`));
  return index + key[0].length;
};

// Anthropic: sk-ant-api03-…, sk-ant-admin01-…; OpenAI: sk-proj-…, sk-svcacct-…, sk-admin-…, sk-None-…, and the
// older sk- + 20 + T3BlbkFJ ("OpenAI" in base64) + 20.
const SK = /sk-(?:ant-([a-z]{2,8}\d{2})-[A-Za-z0-9_-]{32,300}|(proj|svcacct|admin|None)-[A-Za-z0-9_-]{40,300}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})(?![A-Za-z0-9_-])/y;

const skKey: Detector = (source, index, found) => {
  SK.lastIndex = index;
  const key = SK.exec(source);
  if (!key || !startsToken(source, index, "_-")) return index + 1;
  const prefix = key[1] ? `sk-ant-${key[1]}-` : key[2] ? `sk-${key[2]}-` : "sk-";
  const random = key[0].slice(prefix.length);
  if (looksLikePlaceholder(random) || entropy(random) < 4) return index + key[0].length;
  found.push(match(index, key[0], prefix, key[1] ? "Anthropic API key" : "OpenAI API key", "high", `${prefix}…`));
  return index + key[0].length;
};

const GOOGLE_API_KEY = /AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/y;

/**
 * Medium, not high: Google API keys identify a project and are routinely embedded in browser code
 * (Maps, Firebase configuration), where they are public by design and limited by referrer and API
 * restrictions. An unrestricted one still lets anyone spend the owner's quota.
 */
const googleApiKey: Detector = (source, index, found) => {
  GOOGLE_API_KEY.lastIndex = index;
  const key = GOOGLE_API_KEY.exec(source);
  if (!key || !startsToken(source, index, "_-")) return index + 1;
  const random = key[0].slice(4);
  if (!looksLikePlaceholder(random) && entropy(random) >= 3.8) found.push(match(index, key[0], "AIza", "Google API key", "medium", "AIza…"));
  return index + key[0].length;
};

/**
 * Private keys that are public by design, by the SHA-256 of their body: keys libraries ship to test
 * what the platform supports (ssh2 signs with a fixed Ed25519 key to see whether Ed25519 works).
 */
const PUBLISHED_TEST_KEYS = new Set([
  "0739020d3a2d8f666ad29cc2a2255d10c719f498a888e09104f51c88fbb06156", // ssh2 lib/protocol/constants.js, eddsaSupported
]);

const PEM_HEADER = /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY( BLOCK)?-----/y;
const PEM_FOOTER = /-----END [A-Z0-9 ]{0,40}-----/y;
/** The largest PEM private key body considered (an 8192-bit RSA key is about 6.4 KB; escaping adds a few percent). */
const PEM_MAX_BODY = 16_384;

const PEM_KINDS: Record<string, string> = {
  RSA: "RSA private key",
  EC: "EC private key",
  DSA: "DSA private key",
  OPENSSH: "OpenSSH private key",
  PGP: "PGP private key",
};

/**
 * The body between the header and the footer, as base64 once the string syntax around it is taken
 * away: `\n` escapes (`\\n` in JSON inside JavaScript), quotes and commas of concatenated or joined
 * strings, whitespace, and the `Proc-Type:`/`DEK-Info:`/`Version:` header lines. Undefined when what
 * is left is not base64 (an expression, `${key}`, `MII…` elided).
 */
function pemBody(text: string): string | undefined {
  // `"…9WcD" + "/q2D…"`: the operator between concatenated strings is not part of the key.
  const lines = text.replace(/(["'`])\s*\+\s*(["'`])/g, "$1$2").replace(/\\+[nr]/g, "\n").replace(/^[\s"'`+,]*[A-Za-z][A-Za-z-]*: [^\n]*$/gm, "");
  const body = lines.replace(/[\s"'`,]+/g, "");
  return /^[A-Za-z0-9+/=]+$/.test(body) ? body : undefined;
}

/**
 * Private keys in PEM form (PKCS #1, SEC 1, PKCS #8, OpenSSH, PGP), also inside escaped JavaScript
 * strings (`"-----BEGIN RSA PRIVATE KEY-----\nMII…"`). Public keys and certificates have other
 * headers and are never matched. An encrypted key needs its passphrase too: medium.
 */
const privateKey: Detector = (source, index, found) => {
  PEM_HEADER.lastIndex = index;
  const header = PEM_HEADER.exec(source);
  if (!header) return index + 1;
  const bodyStart = index + header[0].length;
  const window = source.slice(bodyStart, bodyStart + PEM_MAX_BODY);
  const footerAt = window.indexOf("-----END");
  let end: number;
  let body: string | undefined;
  if (footerAt !== -1) {
    body = pemBody(window.slice(0, footerAt));
    PEM_FOOTER.lastIndex = bodyStart + footerAt;
    end = PEM_FOOTER.test(source) ? PEM_FOOTER.lastIndex : bodyStart + footerAt;
  } else {
    const run = /^[A-Za-z0-9+/=\s\\"'`,]*/.exec(window)![0];
    body = pemBody(run);
    end = bodyStart + run.length;
  }
  // The smallest real body is an Ed25519 PKCS #8 key: 64 base64 characters.
  if (!body || body.length < 60 || /x{6,}/i.test(body) || entropy(body) < 4.5) return bodyStart;
  if (PUBLISHED_TEST_KEYS.has(createHash("sha256").update(body).digest("hex"))) return end;
  const words = header[1]!.trim();
  const encrypted = /ENCRYPTED/.test(words) || /Proc-Type:\s*4,ENCRYPTED/.test(window.slice(0, footerAt === -1 ? 200 : footerAt));
  const kind = encrypted ? "encrypted private key" : (PEM_KINDS[words] ?? "private key");
  const prefix = header[0];
  found.push(match(index, source.slice(index, end), prefix, kind, encrypted ? "medium" : "high", "PEM"));
  return end;
};

const JWT = /eyJ[A-Za-z0-9_-]{5,2000}\.eyJ[A-Za-z0-9_-]{5,8000}\.[A-Za-z0-9_-]{16,1000}(?![A-Za-z0-9_.-])/y;
const BASE64_RUN = /[A-Za-z0-9_+/-]*/y;

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The example token of jwt.io and of most JWT documentation (John Doe, subject 1234567890), and tokens about example.com. */
function isJwtExample(payload: Record<string, unknown>): boolean {
  return payload.sub === "1234567890" || payload.name === "John Doe" || /example\.(?:com|org|net)/i.test(JSON.stringify(payload));
}

/**
 * JSON Web Tokens: three base64url parts whose first decodes to a JSON header with an `alg`. They
 * are bearer credentials, but most shipped in packages are examples or long expired, and whether one
 * is still accepted cannot be told from the text, so never high. Medium without an expiry (valid
 * forever unless its key is rotated); low with one; low for Supabase's `anon` key, which is public by
 * design (its `service_role` key is not, and stays medium).
 */
const jwt: Detector = (source, index, found) => {
  JWT.lastIndex = index;
  const token = JWT.exec(source);
  if (!token || !startsToken(source, index, "_-+/")) {
    BASE64_RUN.lastIndex = index;
    BASE64_RUN.test(source);
    return Math.max(index + 1, BASE64_RUN.lastIndex);
  }
  const [headerPart, payloadPart, signature] = token[0].split(".") as [string, string, string];
  const header = decodeJson(headerPart);
  const payload = decodeJson(payloadPart);
  if (!header || typeof header.alg !== "string" || header.alg.toLowerCase() === "none" || !payload) return index + token[0].length;
  if (isJwtExample(payload) || looksLikePlaceholder(signature)) return index + token[0].length;
  const expires = typeof payload.exp === "number" && Number.isFinite(payload.exp) ? new Date(payload.exp * 1000).getUTCFullYear() : undefined;
  const severity: Severity = payload.role === "service_role" || (expires === undefined && payload.role !== "anon") ? "medium" : "low";
  const detail = `${header.alg.slice(0, 10)}, ${expires === undefined ? "no expiry" : `expires ${expires}`}`;
  found.push(match(index, token[0], "eyJ", "JSON Web Token", severity, detail));
  return index + token[0].length;
};

// `//registry.npmjs.org/:_authToken=…` or a top-level `_authToken=…` line; `this._authToken = x` in code is neither.
const NPMRC_TOKEN = /_authToken[ \t]*=[ \t]*["']?([A-Za-z0-9+/=_.-]{16,512})(?=["']?[ \t]*(?:\r?\n|$))/y;

/** An `.npmrc` line with a literal registry token (legacy tokens are UUIDs, so the UUID rule does not apply here). */
const npmrcToken: Detector = (source, index, found) => {
  const before = source[index - 1];
  if (before !== ":" && before !== "\n" && before !== undefined) return index + 1;
  NPMRC_TOKEN.lastIndex = index;
  const line = NPMRC_TOKEN.exec(source);
  if (!line) return index + 1;
  const value = line[1]!;
  const offset = index + line[0].length - value.length;
  // An npm_ token is the npm detector's, with its checksum: the scan goes on from it.
  if (value.startsWith("npm_")) return offset;
  if (looksLikePlaceholder(value) || entropy(value) < 3) return index + line[0].length;
  found.push(match(offset, value, "", "npm registry auth token", "high", "_authToken=…"));
  return index + line[0].length;
};

/**
 * Where a credential may start. Each alternative begins with a character that is rare in code
 * (`_`, `-`, `A`, `J`, `k`) and checks the prefix behind or ahead of it, so the engine tests few
 * positions: a plain alternation of the prefixes tries every `g`, `n`, `s`, `e` and `h` of the text
 * and was four to five times slower on typescript.js and next's bundles.
 */
const PREFIXES = /[_-](?:(?<=(gh[pousr]_|github_pat_|npm_|[sr]k_(?:live|test)_|xox[abposr]-|sk-))|(?=----BEGIN |authToken))|A(?=[KS]IA|Iza)|J(?<=eyJ)|k\.com\/(?<=hooks\.slack\.com\/)/g;

/** The prefix a hit of PREFIXES stands for, and where it starts. */
function prefixAt(source: string, hit: RegExpExecArray): { start: number; prefix: string } {
  const behind = hit[1];
  if (behind !== undefined) return { start: hit.index + 1 - behind.length, prefix: behind };
  switch (hit[0]) {
    case "_":
      return { start: hit.index, prefix: "_authToken" };
    case "-":
      return { start: hit.index, prefix: "-----BEGIN " };
    case "A":
      return { start: hit.index, prefix: source.slice(hit.index, hit.index + 4) };
    case "J":
      return { start: hit.index - 2, prefix: "eyJ" };
    default:
      return { start: hit.index - "hooks.slac".length, prefix: "hooks.slack.com/" };
  }
}

function detectorFor(prefix: string): Detector {
  switch (prefix) {
    case "github_pat_":
      return githubFineGrained;
    case "npm_":
      return checksummed;
    case "AKIA":
    case "ASIA":
      return aws;
    case "hooks.slack.com/":
      return slackWebhook;
    case "sk-":
      return skKey;
    case "AIza":
      return googleApiKey;
    case "-----BEGIN ":
      return privateKey;
    case "eyJ":
      return jwt;
    case "_authToken":
      return npmrcToken;
  }
  if (prefix.startsWith("gh")) return checksummed;
  if (prefix.startsWith("xox")) return slackToken;
  return stripe;
}

// ---------------------------------------------------------------------------------------------
// Generated-looking values assigned to names that say they are secret: `apiKey = "…"`,
// `{ secret: "…" }`, `"TOKEN": "…"`, `API_KEY=…` on a line of its own (.env, YAML).

const VALUE = "[A-Za-z0-9+/=_~!@#%^&*-]";
// Anchored on the opening quote, with the `=` or `:` checked behind it: quotes are rarer than `=` and `:`.
// An HTTP credential (`"Bearer …"`, `"Basic …"`) counts whatever its name, also as an argument
// (`setHeader("Authorization", "Bearer …")`): the scheme says what it is.
const QUOTED_ASSIGNMENT = new RegExp(
  `(["'\`])(?:(?<=[:=][ \\t]*["'\`])|(?<=[,(][ \\t]*["'\`])(?=(?:Bearer|Basic) ))(?:(Bearer|Basic) )?(${VALUE}{16,200})\\1`,
  "g",
);
// Anchored on the `=` or `:` followed by a long value, with the line's start checked behind it: twice as
// fast as trying every line start.
const LINE_ASSIGNMENT = new RegExp(
  `[=:](?=[ \\t]*${VALUE}{16})(?<=^[ \\t]*(?:export[ \\t]+)?([A-Za-z_][\\w.-]{0,63})[ \\t]*[=:])[ \\t]*(${VALUE}{16,200})[ \\t]*\\r?$`,
  "gm",
);

/** Names whose last word says the value is secret, and what a value there is: medium for what is meant to stay private, low for keys and tokens (often public client keys). */
const SECRET_WORDS: Record<string, Severity> = {
  secret: "medium",
  password: "medium",
  passwd: "medium",
  pwd: "medium",
  token: "low",
  apikey: "low",
  credential: "low",
  credentials: "low",
};
const SECRET_KEYS: Record<string, Severity> = {
  secret: "medium",
  private: "medium",
  signing: "medium",
  encryption: "medium",
  master: "medium",
  api: "low",
  access: "low",
  auth: "low",
  session: "low",
};
/** Tokens that are not credentials: anti-forgery tokens, paging cursors, cancellation handles. */
const NOT_SECRET_QUALIFIERS = new Set(["csrf", "xsrf", "page", "next", "cancel", "cancellation", "continuation", "pagination", "sync", "public", "publishable"]);

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z])([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** How secret a name says its value is, or undefined when it does not. */
function secretName(name: string): Severity | undefined {
  const words = nameWords(name);
  const last = words.at(-1);
  const before = words.at(-2);
  if (last === undefined || (before !== undefined && NOT_SECRET_QUALIFIERS.has(before))) return undefined;
  if (last === "key") return before === undefined ? undefined : SECRET_KEYS[before];
  return Object.hasOwn(SECRET_WORDS, last) ? SECRET_WORDS[last] : undefined;
}

/** The name before an assignment at `at` (the `=` or `:`): an identifier, a quoted key, or the last part of a member (`process.env.API_KEY`). */
function nameBefore(source: string, at: number): string | undefined {
  let end = at;
  while (end > 0 && (source[end - 1] === " " || source[end - 1] === "\t")) end--;
  const before = source[end - 1];
  // `==`, `!=`, `<=`, `+=`: comparisons and arithmetic, not an assignment of a literal.
  if (before === undefined || (source[at] === "=" && "=!<>+-*/%&|^?".includes(before))) return undefined;
  const quoted = before === '"' || before === "'";
  if (quoted) end--;
  let start = end;
  while (start > 0 && end - start < 64 && /[\w$-]/.test(source[start - 1]!)) start--;
  if (quoted && source[start - 1] !== before) return undefined;
  return start < end ? source.slice(start, end) : undefined;
}

function overlapsAny(found: readonly SecretMatch[], offset: number, length: number): boolean {
  return found.some((other) => offset < other.offset + other.length && other.offset < offset + length);
}

/** A provider's format: its own detector decides (a GitHub-shaped token with a wrong checksum is made up, not a generic secret). */
const PROVIDER_FORMAT = /^(?:gh[pousr]_|github_pat_|npm_|xox[abposr]-|[srp]k_(?:live|test)_|sk-|AIza|A[KS]IA|eyJ)/;

function assignment(name: string | undefined, offset: number, value: string, found: SecretMatch[], scheme?: string): void {
  if ((name === undefined && scheme === undefined) || PROVIDER_FORMAT.test(value) || overlapsAny(found, offset, value.length)) return;
  // A literal Authorization credential is one by construction: medium, like a name that says "secret".
  const severity = scheme !== undefined ? "medium" : secretName(name!);
  if (severity === undefined || !looksGenerated(value)) return;
  const kind = scheme !== undefined ? "HTTP authorization credential" : "secret value";
  const detail = scheme !== undefined ? `${scheme} …` : `assigned to ${name}`;
  found.push({ offset, length: value.length, kind, severity, masked: mask("", value.length), detail });
}

export interface SecretScanOptions {
  /**
   * Also read unquoted `NAME=value` and `name: value` lines (.env, YAML, INI, shell). Off for
   * JavaScript and JSON, where a credential is always a string literal and the pass finds nothing
   * (it costs about as much as the prefix scan). On by default.
   */
  unquoted?: boolean;
}

/** Every credential in a text, in order of offset. */
export function findHardcodedSecrets(source: string, options: SecretScanOptions = {}): SecretMatch[] {
  const found: SecretMatch[] = [];
  // The expressions are shared: this function runs to completion and never calls itself.
  const prefixes = PREFIXES;
  prefixes.lastIndex = 0;
  for (let hit = prefixes.exec(source); hit; hit = prefixes.exec(source)) {
    const { start, prefix } = prefixAt(source, hit);
    prefixes.lastIndex = Math.max(hit.index + 1, detectorFor(prefix)(source, start, found));
  }
  const quoted = QUOTED_ASSIGNMENT;
  quoted.lastIndex = 0;
  for (let hit = quoted.exec(source); hit; hit = quoted.exec(source)) {
    quoted.lastIndex = hit.index + hit[0].length - 1; // the closing quote may open the next string
    const scheme = hit[2];
    const value = hit[3]!;
    let operator = hit.index - 1;
    while (source[operator] === " " || source[operator] === "\t") operator--;
    assignment(nameBefore(source, operator), hit.index + hit[0].length - 1 - value.length, value, found, scheme);
  }
  if (options.unquoted !== false) {
    const lines = LINE_ASSIGNMENT;
    lines.lastIndex = 0;
    for (let hit = lines.exec(source); hit; hit = lines.exec(source)) {
      const value = hit[2]!;
      assignment(hit[1], hit.index + hit[0].search(/\S+[ \t]*\r?$/), value, found);
    }
  }
  return found.sort((a, b) => a.offset - b.offset);
}

/** A text with every credential in it replaced by its masked form (`ghp_…(36 chars)`). */
export function maskSecrets(text: string): string {
  const found = findHardcodedSecrets(text);
  if (found.length === 0) return text;
  let masked = "";
  let cursor = 0;
  for (const secret of found) {
    if (secret.offset < cursor) continue;
    masked += text.slice(cursor, secret.offset) + secret.masked;
    cursor = secret.offset + secret.length;
  }
  return masked + text.slice(cursor);
}

// ---------------------------------------------------------------------------------------------
// Secrets around a short range of a large text (a snippet's window), without scanning the whole text.

/** Enough context for a name before its value and for an AWS key ID and its secret. */
const CONTEXT = 512;
/** The furthest back a window may still be inside one token or key (a long JWT, a PEM body). */
const LONG_TOKEN = 16_384;
const TOKEN_CHARACTER = /[A-Za-z0-9+/=_.\\-]/;
/** Text that can be part of a PEM body: base64, whitespace, `\n` escapes, quotes and `+` of concatenated strings, a cut-off footer. */
const PEM_BODY_TEXT = /^[\sA-Za-z0-9+/=\\"'`,;-]*$/;

/** The secrets that overlap `[from, to)` of `source`, with offsets in `source`. */
export function secretsAround(source: string, from: number, to: number): SecretMatch[] {
  let start = Math.max(0, from - CONTEXT);
  const floor = Math.max(0, from - LONG_TOKEN);
  while (start > floor && TOKEN_CHARACTER.test(source[start - 1]!)) start--;
  let end = Math.min(source.length, to + CONTEXT);
  const ceiling = Math.min(source.length, to + LONG_TOKEN);
  while (end < ceiling && TOKEN_CHARACTER.test(source[end]!)) end++;
  // Inside a PEM body the window shows base64 and string syntax only: look back for the header it belongs to.
  const shown = source.slice(from, to);
  if (PEM_BODY_TEXT.test(shown) || shown.includes("-----END")) {
    const header = source.slice(floor, from).lastIndexOf("-----BEGIN ");
    if (header !== -1) start = Math.min(start, floor + header);
  }
  // A key that starts in the region is read to its footer.
  if (source.slice(start, end).includes("-----BEGIN ")) end = Math.min(source.length, end + PEM_MAX_BODY + 64);
  const region = source.slice(start, end);
  return findHardcodedSecrets(region)
    .map((secret) => ({ ...secret, offset: secret.offset + start }))
    .filter((secret) => secret.offset < to && secret.offset + secret.length > from);
}
