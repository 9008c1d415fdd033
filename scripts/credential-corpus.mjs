#!/usr/bin/env node
/**
 * The labelled corpus of the credential rules (test/fixtures/credentials/): loading, labels, fake
 * secrets and scoring. Shared by test/analysis/credential-corpus.test.ts and
 * scripts/credential-precision.mjs, so both read the labels the same way.
 *
 * Layout: test/fixtures/credentials/<set>/<kind>/<file>.{js,cjs,mjs}
 *   set  = tuning (the detectors' authors may read it) | holdout (measured blind) |
 *          holdout-b (a second blind set, written after the detectors' authors had seen holdout) |
 *          holdout-c (a third blind set, written after the detectors' authors had seen holdout-b)
 *   kind = malicious (each file must make the rules it names fire) | benign (nothing may fire)
 *
 * Labels are the file's leading comment lines (after a hashbang, if any):
 *   // expect: rule-a, rule-b:critical   rules that must fire, each at least at the given severity
 *                                        (default "low": information alone is not a finding)
 *   // expect: none                      no credential rule may fire
 *   // allow: rule-c:info, rule-d        a rule that may fire without counting, up to the given
 *                                        severity (any severity when none is given)
 *   // after: …                          the incident or the real code the file imitates
 *   // path: scripts/postinstall.js      the path inside the imagined package (default lib/<file>)
 *   // package: @aws-sdk/credential-provider-ini
 *                                        the imagined package's name: the file is then measured as
 *                                        that package's only file, through the package analysis and
 *                                        the alerts the review reports (which know, say, that the
 *                                        AWS SDK reading ~/.aws/credentials is the tool reading its
 *                                        own store); without it, with analyzeJavaScript alone
 * Any other rule of CREDENTIAL_RULES that fires is a false alarm.
 *
 * Fake secrets. The repository holds no literal that looks like a live credential: a fixture writes
 * a marker such as "{{fake:npm:1}}" inside a string literal, and the loader replaces it with a
 * deterministic fake of that kind (random body from the seed, with a correct checksum where the
 * format has one) before the analysis reads the source. The analysed text therefore contains the
 * literal a real package would ship, while git, push protection and secret scanners see a marker.
 * Kinds: see FAKE_KINDS below.
 *
 * Run directly to write the expanded corpus to a folder (for `tollgate analyze DIR`):
 *   node scripts/credential-corpus.mjs --expand /tmp/credential-corpus
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const CORPUS_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures", "credentials");
export const SETS = ["tuning", "holdout", "holdout-b", "holdout-c"];
export const KINDS = ["malicious", "benign"];
export const SEVERITIES = ["info", "low", "medium", "high", "critical"];

/** Severity rank: info 0 … critical 4. */
export function rank(severity) {
  const index = SEVERITIES.indexOf(severity);
  if (index === -1) throw new Error(`unknown severity ${severity}`);
  return index;
}

// ---------------------------------------------------------------------------------------------
// Fake secrets

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ALNUM = BASE62;
const URLSAFE = `${BASE62}-_`;
const BASE64 = `${BASE62}+/`;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const DIGITS = "0123456789";
const HEX = "0123456789abcdef";

/** A deterministic stream of characters from an alphabet, seeded by the marker. */
function chars(seed, alphabet, length) {
  let out = "";
  let block = 0;
  while (out.length < length) {
    const bytes = createHash("sha256").update(`${seed}\0${block++}`).digest();
    for (const byte of bytes) {
      // Rejection sampling keeps every character equally likely.
      const limit = 256 - (256 % alphabet.length);
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(text) {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, "latin1")) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function base62(value, width) {
  let out = "";
  while (value > 0) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out.padStart(width, "0");
}

/** GitHub's and npm's token format: prefix, 30 random base62 characters, CRC32 of them in 6 base62 characters. */
function checksummed(prefix, seed, valid) {
  const body = chars(seed, BASE62, 30);
  let sum = base62(crc32(body), 6);
  if (!valid) sum = sum.slice(0, 5) + BASE62[(BASE62.indexOf(sum[5]) + 1) % 62];
  return `${prefix}${body}${sum}`;
}

function pem(label, seed, head, escaped) {
  const body = head + chars(seed, BASE64, 64 * 24 - head.length);
  const lines = body.match(/.{1,64}/g);
  const text = [`-----BEGIN ${label}-----`, ...lines, `-----END ${label}-----`].join("\n");
  return escaped ? text.replace(/\n/g, "\\n") : text;
}

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** Every kind a marker may name, with what it produces. */
export const FAKE_KINDS = {
  /** GitHub classic personal access token with a valid checksum. */
  ghp: (seed) => checksummed("ghp_", seed, true),
  /** The same with a wrong checksum: shaped like a token, but not one GitHub could have issued. */
  "ghp-badsum": (seed) => checksummed("ghp_", seed, false),
  /** GitHub OAuth (gho_) and Actions (ghs_) tokens. */
  gho: (seed) => checksummed("gho_", seed, true),
  ghs: (seed) => checksummed("ghs_", seed, true),
  /** npm automation/publish token with a valid checksum, and with a wrong one. */
  npm: (seed) => checksummed("npm_", seed, true),
  "npm-badsum": (seed) => checksummed("npm_", seed, false),
  /** AWS access key id and secret access key. */
  "aws-id": (seed) => `AKIA${chars(seed, BASE32, 16)}`,
  "aws-secret": (seed) => chars(seed, BASE64, 40),
  /** Slack bot and user tokens. */
  "slack-bot": (seed) => `xoxb-${chars(`${seed}a`, DIGITS, 12)}-${chars(`${seed}b`, DIGITS, 13)}-${chars(seed, ALNUM, 24)}`,
  "slack-user": (seed) => `xoxp-${chars(`${seed}a`, DIGITS, 12)}-${chars(`${seed}b`, DIGITS, 12)}-${chars(`${seed}c`, DIGITS, 13)}-${chars(seed, HEX, 32)}`,
  /** Stripe secret, restricted and publishable (public by design) live keys. */
  "stripe-live": (seed) => `sk_live_51${chars(seed, ALNUM, 96)}`,
  "stripe-restricted": (seed) => `rk_live_51${chars(seed, ALNUM, 96)}`,
  "stripe-publishable": (seed) => `pk_live_51${chars(seed, ALNUM, 96)}`,
  /** OpenAI project key and the older form. */
  openai: (seed) => `sk-proj-${chars(`${seed}a`, URLSAFE, 74)}T3BlbkFJ${chars(`${seed}b`, URLSAFE, 74)}`,
  "openai-legacy": (seed) => `sk-${chars(`${seed}a`, ALNUM, 20)}T3BlbkFJ${chars(`${seed}b`, ALNUM, 20)}`,
  /** Anthropic API key. */
  anthropic: (seed) => `sk-ant-api03-${chars(seed, URLSAFE, 93)}AA`,
  /** Google API key. */
  google: (seed) => `AIza${chars(seed, URLSAFE, 35)}`,
  /** PEM private keys, with real line breaks (for template literals) or `\n` escapes (for quoted strings). */
  "pem-rsa": (seed) => pem("RSA PRIVATE KEY", seed, "MIIEpAIBAAKCAQEA", false),
  "pem-rsa-escaped": (seed) => pem("RSA PRIVATE KEY", seed, "MIIEpAIBAAKCAQEA", true),
  "pem-pkcs8-escaped": (seed) => pem("PRIVATE KEY", seed, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", true),
  "pem-ec": (seed) => pem("EC PRIVATE KEY", seed, "MHcCAQEEI", false).split("\n").slice(0, 4).concat("-----END EC PRIVATE KEY-----").join("\n"),
  "pem-openssh": (seed) => pem("OPENSSH PRIVATE KEY", seed, "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", false),
  /** A public key: not a secret. */
  "pem-public-escaped": (seed) => pem("PUBLIC KEY", seed, "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA", true).split("\\n").slice(0, 8).concat("-----END PUBLIC KEY-----").join("\\n"),
  /** A signed service JWT (HS256) with a long lifetime, as a deploy bot would hold. */
  jwt: (seed) =>
    `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub: `svc-${chars(`${seed}s`, HEX, 8)}`, role: "service_role", iat: 1735689600, exp: 2051222400 })}.${chars(seed, URLSAFE, 43)}`,
  /** Generic high-entropy values. */
  hex32: (seed) => chars(seed, HEX, 32),
  hex40: (seed) => chars(seed, HEX, 40),
  hex64: (seed) => chars(seed, HEX, 64),
  alnum32: (seed) => chars(seed, ALNUM, 32),
  alnum40: (seed) => chars(seed, ALNUM, 40),
  b64url43: (seed) => chars(seed, URLSAFE, 43),
};

const MARKER = /\{\{fake:([a-z0-9-]+):([A-Za-z0-9_.-]+)\}\}/g;

/** The source with every `{{fake:kind:seed}}` marker replaced by its fake secret. */
export function expandFakes(source, where = "source") {
  return source.replace(MARKER, (_, kind, seed) => {
    const make = FAKE_KINDS[kind];
    if (!make) throw new Error(`${where}: unknown fake secret kind "${kind}"`);
    return make(`${kind}:${seed}`);
  });
}

// ---------------------------------------------------------------------------------------------
// Labels

function parseRuleList(text, rules, where, field) {
  if (text.trim() === "none") return [];
  return text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const [rule, severity, extra] = part.split(":");
      if (extra !== undefined || !rules.includes(rule)) throw new Error(`${where}: ${field} names "${part}", not a credential rule (${rules.join(", ")})`);
      if (severity !== undefined) rank(severity);
      return { rule, severity };
    });
}

/** The labels in a file's leading comments. */
export function parseLabels(source, rules, where) {
  const lines = source.split(/\r?\n/);
  let index = lines[0]?.startsWith("#!") ? 1 : 0;
  const labels = { expect: undefined, allow: [], after: "", path: undefined, package: undefined };
  for (; index < lines.length; index++) {
    const match = /^\/\/\s*(expect|allow|after|path|package):\s*(.*)$/.exec(lines[index].trim());
    if (!match) {
      if (lines[index].trim().startsWith("//")) continue;
      break;
    }
    const [, field, value] = match;
    if (field === "expect") labels.expect = parseRuleList(value, rules, where, "expect").map(({ rule, severity }) => ({ rule, min: severity ?? "low" }));
    else if (field === "allow") labels.allow.push(...parseRuleList(value, rules, where, "allow").map(({ rule, severity }) => ({ rule, max: severity })));
    else if (field === "after") labels.after = value.trim();
    else if (field === "path") labels.path = value.trim();
    else labels.package = value.trim();
  }
  if (!labels.expect) throw new Error(`${where}: no "// expect:" label`);
  if (!labels.after) throw new Error(`${where}: no "// after:" label`);
  return labels;
}

// ---------------------------------------------------------------------------------------------
// Loading

/**
 * Every corpus file with its labels and expanded source. `rules` is CREDENTIAL_RULES (passed in, so
 * this module imports nothing of Tollgate's and serves both the sources and the compiled build).
 */
export function loadCorpus(rules, { sets = SETS, root = CORPUS_ROOT } = {}) {
  const entries = [];
  for (const set of sets) {
    for (const kind of KINDS) {
      const folder = join(root, set, kind);
      let names;
      try {
        names = readdirSync(folder).filter((name) => /\.(c|m)?js$/.test(name)).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        const file = relative(root, join(folder, name));
        const raw = readFileSync(join(folder, name), "utf8");
        const labels = parseLabels(raw, rules, file);
        if (kind === "malicious" && labels.expect.length === 0) throw new Error(`${file}: a malicious sample must expect at least one rule`);
        if (kind === "benign" && labels.expect.length > 0) throw new Error(`${file}: a benign sample must expect none`);
        entries.push({ set, kind, file, name, path: labels.path ?? `lib/${name}`, source: expandFakes(raw, file), ...labels });
      }
    }
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Scoring

/**
 * What the analysis found in one file, held against its labels. `anomalies` are the file's findings
 * (any rule; only `rules` count). Per rule the outcome is:
 *   tp  expected, and a finding at or above the expected severity
 *   fn  expected, and none that high
 *   fp  not expected, and a finding above what `allow` permits
 *   tn  not expected, and nothing above what `allow` permits
 */
export function scoreFile(entry, anomalies, rules) {
  const found = anomalies.filter((anomaly) => rules.includes(anomaly.rule));
  const outcomes = {};
  const problems = [];
  for (const rule of rules) {
    const mine = found.filter((anomaly) => anomaly.rule === rule);
    const top = mine.reduce((best, anomaly) => (best === undefined || rank(anomaly.severity) > rank(best) ? anomaly.severity : best), undefined);
    const expected = entry.expect.find((label) => label.rule === rule);
    if (expected) {
      const hit = top !== undefined && rank(top) >= rank(expected.min);
      outcomes[rule] = hit ? "tp" : "fn";
      if (!hit) problems.push({ rule, outcome: "fn", detail: top === undefined ? `did not fire (expected at least ${expected.min})` : `fired only at ${top} (expected at least ${expected.min})` });
      continue;
    }
    const allowed = entry.allow.find((label) => label.rule === rule);
    const over = mine.filter((anomaly) => !allowed || (allowed.max !== undefined && rank(anomaly.severity) > rank(allowed.max)));
    outcomes[rule] = over.length > 0 ? "fp" : "tn";
    if (over.length > 0) {
      const limit = allowed ? ` (allowed up to ${allowed.max})` : "";
      problems.push({ rule, outcome: "fp", detail: `fired at ${over.map((anomaly) => `${anomaly.severity} line ${anomaly.line}`).join(", ")}${limit}` });
    }
  }
  return { outcomes, problems, found };
}

/** One line per finding, for messages: `rule:severity@line message`. */
export function describeFindings(found) {
  if (found.length === 0) return "(none)";
  return found.map((anomaly) => `${anomaly.rule}:${anomaly.severity}@${anomaly.line} ${anomaly.message}`).join("\n    ");
}

/** The labels as one line: `rule:min, …; allow rule:max`. */
export function describeLabels(entry) {
  const expect = entry.expect.length === 0 ? "none" : entry.expect.map((label) => `${label.rule}:${label.min}+`).join(", ");
  const allow = entry.allow.length === 0 ? "" : `; allow ${entry.allow.map((label) => `${label.rule}${label.max ? `:≤${label.max}` : ""}`).join(", ")}`;
  return `${expect}${allow}`;
}

// ---------------------------------------------------------------------------------------------
// Writing the expanded corpus (for analysing it as a package folder)

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf("--expand");
  const target = at === -1 ? undefined : process.argv[at + 1];
  if (!target) {
    console.error("usage: node scripts/credential-corpus.mjs --expand OUTDIR");
    process.exit(2);
  }
  let count = 0;
  for (const set of SETS) {
    for (const kind of KINDS) {
      const folder = join(CORPUS_ROOT, set, kind);
      let names = [];
      try {
        names = readdirSync(folder).filter((name) => /\.(c|m)?js$/.test(name));
      } catch {
        continue;
      }
      for (const name of names) {
        const out = join(target, set, kind, name);
        mkdirSync(dirname(out), { recursive: true });
        writeFileSync(out, expandFakes(readFileSync(join(folder, name), "utf8"), `${set}/${kind}/${name}`));
        count++;
      }
    }
  }
  console.log(`${count} files written to ${target}`);
}

/**
 * What the analysis finds in one corpus file: `analyzeJavaScript`, or for a file labelled with a
 * package name, the alerts the review reports for that package with this file as its only file (the
 * package's name matters to some rules). The analysis functions are passed in, so the test can use
 * the sources and the precision script the build.
 */
export async function findingsOf(entry, { analyzeJavaScript, analyzePackage, analysisAlerts }) {
  const file = analyzeJavaScript(entry.source, entry.path);
  if (!entry.package) return { parse: file.parse, problem: file.problem, anomalies: file.anomalies };
  const manifest = Buffer.from(JSON.stringify({ name: entry.package, version: "1.0.0" }));
  const code = Buffer.from(entry.source);
  const analysis = await analyzePackage({
    files: [
      { path: "package.json", size: manifest.length, mode: 0o644, data: manifest },
      { path: entry.path, size: code.length, mode: 0o644, data: code },
    ],
    skipped: [],
  });
  const anomalies = analysisAlerts(analysis)
    .filter((alert) => alert.evidence[0]?.file === entry.path)
    .map((alert) => ({ rule: alert.rule, severity: alert.severity, line: alert.evidence[0].line, message: alert.message }));
  return { parse: file.parse, problem: file.problem, anomalies };
}
