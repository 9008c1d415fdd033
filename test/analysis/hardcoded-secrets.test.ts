/**
 * The `hardcoded-secret` rule and secret masking. No literal here looks like a live credential:
 * every realistic secret is built at test time from a seeded random stream (and, for GitHub and npm
 * tokens, this file's own CRC32 and base62, written independently of the product's), so the
 * repository and push protection only ever see code that makes them.
 */
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { findHardcodedSecrets, maskSecrets, secretFindings } from "../../src/analysis/hardcoded-secrets.js";
import { SourceLines } from "../../src/analysis/source-lines.js";
import { base62, hasValidTokenChecksum, tokenChecksum } from "../../src/analysis/token-checksum.js";

// ---------------------------------------------------------------------------------------------
// Test-time secrets

const DIGITS = "0123456789";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const ALNUM = DIGITS + UPPER + LOWER;
const URLSAFE = `${ALNUM}-_`;
const BASE64 = `${ALNUM}+/`;
const BASE32 = `${UPPER}234567`;
const HEX = "0123456789abcdef";

/** A deterministic random stream (mulberry32), so failures reproduce. */
function stream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomText(seed: number, alphabet: string, length: number): string {
  const next = stream(seed);
  let text = "";
  while (text.length < length) text += alphabet[Math.floor(next() * alphabet.length)];
  return text;
}

/** CRC32 (IEEE, reflected), bit by bit: independent of the product's zlib call. */
function referenceCrc32(text: string): number {
  let crc = 0xffffffff;
  for (let index = 0; index < text.length; index++) {
    crc ^= text.charCodeAt(index);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function referenceBase62(value: number): string {
  let text = "";
  for (let rest = value; rest > 0; rest = Math.floor(rest / 62)) text = ALNUM[rest % 62] + text;
  return text.padStart(6, "0");
}

/** A token in GitHub's and npm's format: 30 random characters and the base62 CRC32 of them; `valid: false` changes the last character. */
function checksummedToken(prefix: string, seed: number, valid = true): string {
  const random = randomText(seed, ALNUM, 30);
  let sum = referenceBase62(referenceCrc32(random));
  if (!valid) sum = sum.slice(0, 5) + ALNUM[(ALNUM.indexOf(sum[5]!) + 1) % 62];
  return prefix + random + sum;
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const jwtOf = (header: unknown, payload: unknown, seed: number) => `${b64url(header)}.${b64url(payload)}.${randomText(seed, URLSAFE, 43)}`;

const rsaPkcs1 = () => generateKeyPairSync("rsa", { modulusLength: 1024, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const ecSec1 = () => generateKeyPairSync("ec", { namedCurve: "prime256v1", privateKeyEncoding: { type: "sec1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
const ed25519Pkcs8 = () => generateKeyPairSync("ed25519", { privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

const kinds = (source: string) => findHardcodedSecrets(source).map((secret) => [secret.kind, secret.severity]);

// ---------------------------------------------------------------------------------------------

describe("token checksums", () => {
  it("agree with an independent CRC32 and base62", () => {
    expect(referenceCrc32("123456789")).toBe(0xcbf43926); // the CRC-32 check value
    expect(base62(0xcbf43926, 6)).toBe(referenceBase62(0xcbf43926));
    expect(base62(0, 6)).toBe("000000");
    expect(base62(61, 6)).toBe("00000z");
    for (let seed = 1; seed <= 50; seed++) {
      const random = randomText(seed, ALNUM, 30);
      expect(tokenChecksum(random)).toBe(referenceBase62(referenceCrc32(random)));
      expect(hasValidTokenChecksum(checksummedToken("", seed))).toBe(true);
      expect(hasValidTokenChecksum(checksummedToken("", seed, false))).toBe(false);
    }
  });
});

describe("findHardcodedSecrets", () => {
  it.each([
    ["ghp_", "GitHub personal access token"],
    ["gho_", "GitHub OAuth access token"],
    ["ghu_", "GitHub user access token"],
    ["ghs_", "GitHub installation access token"],
    ["ghr_", "GitHub refresh token"],
    ["npm_", "npm access token"],
  ])("finds a %s token with a valid checksum, and ignores one with a wrong checksum", (prefix, kind) => {
    const token = checksummedToken(prefix, 7);
    const [found] = findHardcodedSecrets(`const token = "${token}";`);
    expect(found).toEqual({ offset: 15, length: 40, kind, severity: "high", masked: `${prefix}…(36 chars)`, detail: `${prefix}…, checksum valid` });
    expect(findHardcodedSecrets(`const token = "${checksummedToken(prefix, 7, false)}";`)).toEqual([]);
  });

  it("needs the token to stand alone: no letter before it, no token character after it", () => {
    const token = checksummedToken("ghp_", 3);
    expect(findHardcodedSecrets(`x${token}`)).toEqual([]);
    expect(findHardcodedSecrets(`${token}a`)).toEqual([]);
    expect(findHardcodedSecrets(`Authorization: token ${token}\n`)).toHaveLength(1);
    expect(findHardcodedSecrets(`"${token}"`)).toHaveLength(1);
  });

  it("finds fine-grained GitHub tokens by their shape", () => {
    const token = `github_pat_${randomText(1, ALNUM, 22)}_${randomText(2, ALNUM, 59)}`;
    expect(kinds(`GH_TOKEN=${token}`)).toEqual([["GitHub fine-grained personal access token", "high"]]);
    expect(kinds(`GH_TOKEN=github_pat_${"x".repeat(22)}_${"x".repeat(59)}`)).toEqual([]);
  });

  it("pairs an AWS key ID with a secret access key near it, and rates a key ID alone low", () => {
    const id = `AKIA${randomText(4, BASE32, 16)}`;
    const secret = randomText(5, BASE64, 40);
    const source = `const s3 = new S3({\n  accessKeyId: "${id}",\n  secretAccessKey: "${secret}",\n});`;
    const found = findHardcodedSecrets(source);
    expect(found.map(({ kind, severity, maskOnly }) => [kind, severity, maskOnly ?? false])).toEqual([
      ["AWS access key", "high", false],
      ["AWS secret access key", "high", true],
    ]);
    expect(found[0]!.masked).toBe("AKIA…(16 chars)");
    expect(kinds(`const id = "${id}";`)).toEqual([["AWS access key ID", "low"]]);
    expect(kinds(`const id = "ASIA${randomText(6, BASE32, 16)}";`)).toEqual([["AWS access key ID", "low"]]);
    // Far apart, they are not a pair.
    expect(kinds(`const id = "${id}";${" ".repeat(400)}const other = "${secret}";`)).toEqual([["AWS access key ID", "low"]]);
  });

  it("ignores AWS's documented example keys", () => {
    const exampleId = ["AKIA", "IOSFODNN7", "EXAMPLE"].join("");
    const exampleSecret = ["wJalrXUtnFEMI", "K7MDENG", "bPxRfiCYEXAMPLEKEY"].join("/");
    expect(findHardcodedSecrets(`aws_access_key_id = ${exampleId}\naws_secret_access_key = ${exampleSecret}\n`)).toEqual([]);
    expect(findHardcodedSecrets(`{ accessKeyId: "${exampleId}", secretAccessKey: "${exampleSecret}" }`)).toEqual([]);
  });

  it("finds Slack tokens and webhook URLs, not their placeholders", () => {
    const bot = `xoxb-${randomText(8, DIGITS, 12)}-${randomText(9, DIGITS, 13)}-${randomText(10, ALNUM, 24)}`;
    const user = `xoxp-${randomText(11, DIGITS, 12)}-${randomText(12, DIGITS, 12)}-${randomText(13, DIGITS, 13)}-${randomText(14, HEX, 32)}`;
    expect(kinds(`token: "${bot}"`)).toEqual([["Slack token", "high"]]);
    expect(kinds(`token: "${user}"`)).toEqual([["Slack token", "high"]]);
    expect(findHardcodedSecrets(`token: "${bot}"`)[0]!.masked).toBe("xoxb-…(51 chars)");
    expect(findHardcodedSecrets('token: "xoxb-your-bot-token-here"')).toEqual([]);
    expect(findHardcodedSecrets(`token: "${["xoxb", "1234567890", "1234567890123", "AbCdEfGhIjKlMnOpQrStUvWx"].join("-")}"`)).toEqual([]);

    const hook = `https://hooks.slack.com/services/T${randomText(15, UPPER + DIGITS, 10)}/B${randomText(16, UPPER + DIGITS, 10)}/${randomText(17, ALNUM, 24)}`;
    const [found] = findHardcodedSecrets(`fetch("${hook}", { method: "POST" })`);
    expect(found).toMatchObject({ offset: 7, length: hook.length, kind: "Slack webhook URL", severity: "high", masked: `https://hooks.slack.com/services/…(${hook.length - 33} chars)` });
    const documented = ["https://hooks.slack.com/services", "T00000000", "B00000000", "X".repeat(24)].join("/");
    expect(findHardcodedSecrets(`url: "${documented}"`)).toEqual([]);
  });

  it("rates Stripe live keys high and test-mode keys low, and ignores publishable keys and Stripe's documented test key", () => {
    const random = randomText(18, ALNUM, 99);
    expect(kinds(`stripe("sk_live_${random}")`)).toEqual([["Stripe secret key", "high"]]);
    expect(kinds(`stripe("rk_live_${random}")`)).toEqual([["Stripe restricted key", "high"]]);
    expect(kinds(`stripe("sk_test_${random}")`)).toEqual([["Stripe test-mode key", "low"]]);
    expect(kinds(`stripe("pk_live_${random}")`)).toEqual([]);
    expect(kinds(`stripe("${["sk", "test", "4eC39HqLyjWDarjtT1zdp7dc"].join("_")}")`)).toEqual([]);
  });

  it("finds OpenAI and Anthropic keys", () => {
    const project = `sk-proj-${randomText(19, URLSAFE, 74)}T3BlbkFJ${randomText(20, URLSAFE, 74)}`;
    const legacy = `sk-${randomText(21, ALNUM, 20)}T3BlbkFJ${randomText(22, ALNUM, 20)}`;
    const anthropic = `sk-ant-api03-${randomText(23, URLSAFE, 93)}AA`;
    expect(kinds(`new OpenAI({ apiKey: "${project}" })`)).toEqual([["OpenAI API key", "high"]]);
    expect(kinds(`new OpenAI({ apiKey: "${legacy}" })`)).toEqual([["OpenAI API key", "high"]]);
    expect(kinds(`new Anthropic({ apiKey: "${anthropic}" })`)).toEqual([["Anthropic API key", "high"]]);
    expect(findHardcodedSecrets(`"${anthropic}"`)[0]!.masked).toBe("sk-ant-api03-…(95 chars)");
    expect(findHardcodedSecrets(`apiKey: "sk-proj-${"x".repeat(60)}"`)).toEqual([]);
    expect(findHardcodedSecrets('apiKey: "sk-ant-api03-your-key-goes-here-please-replace-it-with-yours-0000000"')).toEqual([]);
  });

  it("rates Google API keys medium", () => {
    expect(kinds(`const config = { apiKey: "AIza${randomText(24, URLSAFE, 35)}" };`)).toEqual([["Google API key", "medium"]]);
    expect(kinds(`const config = { apiKey: "AIza${"X".repeat(35)}" };`)).toEqual([]);
  });

  describe("PEM private keys", () => {
    const rsa = rsaPkcs1();
    const ec = ecSec1();
    const ed = ed25519Pkcs8();

    it("finds them as files and in template literals, with the kind from the header", () => {
      expect(kinds(rsa.privateKey)).toEqual([["RSA private key", "high"]]);
      expect(kinds(ec.privateKey)).toEqual([["EC private key", "high"]]);
      expect(kinds(`const key = \`${ed.privateKey}\`;`)).toEqual([["private key", "high"]]);
      const [found] = findHardcodedSecrets(rsa.privateKey);
      expect(found!.offset).toBe(0);
      expect(found!.length).toBe(rsa.privateKey.trimEnd().length);
      expect(found!.masked).toBe(`-----BEGIN RSA PRIVATE KEY-----…(${found!.length - 31} chars)`);
    });

    it("finds them inside escaped strings, concatenations and joined arrays", () => {
      const escaped = JSON.stringify(rsa.privateKey); // "-----BEGIN RSA PRIVATE KEY-----\nMII…"
      expect(kinds(`const key = ${escaped};`)).toEqual([["RSA private key", "high"]]);
      expect(kinds(`module.exports = ${JSON.stringify(JSON.stringify({ key: rsa.privateKey }))};`)).toEqual([["RSA private key", "high"]]);
      const lines = rsa.privateKey.trimEnd().split("\n");
      expect(kinds(`const key =\n${lines.map((line) => `  "${line}\\n"`).join(" +\n")};`)).toEqual([["RSA private key", "high"]]);
      expect(kinds(`const key = [\n${lines.map((line) => `  '${line}'`).join(",\n")}\n].join("\\n");`)).toEqual([["RSA private key", "high"]]);
      expect(kinds(`const key = "${ec.privateKey.trimEnd().replace(/\n/g, "\\r\\n")}";`)).toEqual([["EC private key", "high"]]);
    });

    it("rates an encrypted key medium", () => {
      const encrypted = generateKeyPairSync("ec", {
        namedCurve: "prime256v1",
        privateKeyEncoding: { type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "correct horse" },
        publicKeyEncoding: { type: "spki", format: "pem" },
      }).privateKey;
      expect(kinds(encrypted)).toEqual([["encrypted private key", "medium"]]);
      const legacy = `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${randomText(25, HEX, 32).toUpperCase()}\n\n${randomText(26, BASE64, 256).replace(/.{64}/g, "$&\n")}\n-----END RSA PRIVATE KEY-----\n`;
      expect(kinds(legacy)).toEqual([["encrypted private key", "medium"]]);
    });

    it("ignores public keys, certificates, placeholders and elided bodies", () => {
      expect(findHardcodedSecrets(rsa.publicKey)).toEqual([]);
      expect(findHardcodedSecrets(`-----BEGIN CERTIFICATE-----\n${randomText(27, BASE64, 512).replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----`)).toEqual([]);
      expect(findHardcodedSecrets('const key = "-----BEGIN RSA PRIVATE KEY-----\\n...\\n-----END RSA PRIVATE KEY-----";')).toEqual([]);
      expect(findHardcodedSecrets('const key = "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC...\\n-----END PRIVATE KEY-----";')).toEqual([]);
      expect(findHardcodedSecrets('const key = "-----BEGIN RSA PRIVATE KEY-----\\n" + body + "\\n-----END RSA PRIVATE KEY-----";')).toEqual([]);
      expect(findHardcodedSecrets(`const key = \`-----BEGIN PRIVATE KEY-----\n\${base64}\n-----END PRIVATE KEY-----\`;`)).toEqual([]);
      expect(findHardcodedSecrets(`-----BEGIN PRIVATE KEY-----\n${"x".repeat(64)}\n${"x".repeat(64)}\n-----END PRIVATE KEY-----`)).toEqual([]);
      expect(findHardcodedSecrets('if (text.startsWith("-----BEGIN PRIVATE KEY-----")) return "pkcs8";')).toEqual([]);
    });
  });

  describe("JSON Web Tokens", () => {
    const header = { alg: "HS256", typ: "JWT" };

    it("rates a token without expiry medium and one with an expiry low", () => {
      const forever = jwtOf(header, { sub: "deploy-bot", iat: 1735689600 }, 28);
      const expiring = jwtOf(header, { sub: "deploy-bot", iat: 1735689600, exp: 2051222400 }, 29);
      expect(findHardcodedSecrets(`const t = "${forever}";`)).toMatchObject([{ kind: "JSON Web Token", severity: "medium", detail: "HS256, no expiry", masked: `eyJ…(${forever.length - 3} chars)` }]);
      expect(findHardcodedSecrets(`const t = "${expiring}";`)).toMatchObject([{ severity: "low", detail: "HS256, expires 2035" }]);
    });

    it("rates Supabase's public anon key low and keeps its service key medium", () => {
      expect(kinds(`"${jwtOf(header, { iss: "supabase", role: "anon", exp: 2051222400 }, 30)}"`)).toEqual([["JSON Web Token", "low"]]);
      expect(kinds(`"${jwtOf(header, { iss: "supabase", role: "service_role", exp: 2051222400 }, 31)}"`)).toEqual([["JSON Web Token", "medium"]]);
    });

    it("ignores jwt.io's example token, tokens about example.com, unsigned tokens and look-alikes", () => {
      const jwtIo = `${b64url(header)}.${b64url({ sub: "1234567890", name: "John Doe", iat: 1516239022 })}.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c`;
      expect(findHardcodedSecrets(`const example = "${jwtIo}";`)).toEqual([]);
      expect(findHardcodedSecrets(`"${jwtOf(header, { iss: "https://auth.example.com", sub: "someone" }, 32)}"`)).toEqual([]);
      expect(findHardcodedSecrets(`"${b64url({ alg: "none" })}.${b64url({ sub: "x" })}.${randomText(33, URLSAFE, 20)}"`)).toEqual([]);
      expect(findHardcodedSecrets(`"${b64url({ typ: "JWT" })}.${b64url({ sub: "x" })}.${randomText(34, URLSAFE, 43)}"`)).toEqual([]);
      expect(findHardcodedSecrets(`"eyJ${randomText(35, URLSAFE, 30)}.eyJ${randomText(36, URLSAFE, 30)}.${randomText(37, URLSAFE, 43)}"`)).toEqual([]);
    });
  });

  describe("values assigned to token-like names", () => {
    const random = randomText(38, ALNUM, 40);

    it.each([
      [`const apiKey = "${random}";`, "low"],
      [`const API_KEY = '${random}';`, "low"],
      [`module.exports = { secret: "${random}" };`, "medium"],
      [`const config = { "TOKEN": "${random}" };`, "low"],
      [`this.clientSecret = \`${random}\`;`, "medium"],
      [`const dbPassword = "${random}";`, "medium"],
      [`process.env.GITHUB_TOKEN = "${random}";`, "low"],
      [`{"signing_key": "${random}"}`, "medium"],
      [`const key = { privateKey: "${randomText(39, BASE64, 64)}" };`, "medium"],
    ])("%s", (source, severity) => {
      expect(findHardcodedSecrets(source)).toMatchObject([{ kind: "secret value", severity, masked: `…(${source.includes(random) ? 40 : 64} chars)` }]);
    });

    it("reads unquoted lines of .env, YAML and shell files unless told the file is code", () => {
      expect(kinds(`# deploy\nexport API_KEY=${random}\nREGION=eu-west-1\n`)).toEqual([["secret value", "low"]]);
      expect(kinds(`service:\n  client_secret: ${random}\n`)).toEqual([["secret value", "medium"]]);
      expect(findHardcodedSecrets(`API_KEY=${random}\n`, { unquoted: false })).toEqual([]);
    });

    it.each([
      ["a placeholder", 'const apiKey = "YOUR_API_KEY_GOES_HERE_1";'],
      ["a placeholder in angle brackets", 'const token = "<your-token-1234567890>";'],
      ["a run of x", 'secret: "xxxxxxxxxxxxxxxxxxxxxxxx1"'],
      ["stars", 'password: "****************1"'],
      ["repeated characters", 'secret: "aaaaaaB1aaaaaaaaaaaaaa"'],
      ["sequential characters", 'apiKey: "abcdefghijklmnop1234"'],
      ["a SHA-1", `token: "${randomText(40, HEX, 40)}"`],
      ["a SHA-256", `secret: "${randomText(41, HEX, 64)}"`],
      ["an MD5", `apiKey: "${randomText(42, HEX, 32)}"`],
      ["an integrity string", `secret: "sha512-${randomText(43, BASE64, 86)}=="`],
      ["a UUID", 'apiKey: "0b6c3f1e-9a43-4c1f-8f5a-1d2e3f4a5b6c"'],
      ["an identifier", 'input_token: "ExclusiveStartTableName"'],
      ["an identifier with digits", 'secretKey: "sha256WithRSAEncryption"'],
      ["words joined by dashes", 'secret: "my-super-secret-value-2024"'],
      ["base64 of a sentence", `secret: "${Buffer.from("this is not a secret at all").toString("base64")}"`],
      ["a public key", `publicKey: "${random}"`],
      ["an anti-forgery token", `csrfToken: "${random}"`],
      ["a bare key", `key: "${random}"`],
      ["a key ID", `accessKeyId: "${random}"`],
      ["a comparison", `if (token === "${random}") {}`],
      ["a name that is not a secret", `const description = "${random}";`],
      ["a value too short", 'apiKey: "Ab3dE6gH9jK2"'],
    ])("ignores %s", (_what, source) => {
      expect(findHardcodedSecrets(source)).toEqual([]);
    });
  });

  it("finds a literal Authorization credential whatever its name, not one built from a variable", () => {
    const random = randomText(65, URLSAFE, 40);
    expect(findHardcodedSecrets(`fetch(url, { headers: { Authorization: "Bearer ${random}" } });`)).toMatchObject([
      { kind: "HTTP authorization credential", severity: "medium", detail: "Bearer …", masked: "…(40 chars)" },
    ]);
    expect(kinds(`request.setHeader("Authorization", 'Bearer ${random}');`)).toEqual([["HTTP authorization credential", "medium"]]);
    expect(findHardcodedSecrets('fetch(url, { headers: { Authorization: "Bearer " + token } });')).toEqual([]);
    expect(findHardcodedSecrets("fetch(url, { headers: { Authorization: `Bearer ${token}` } });")).toEqual([]);
    expect(findHardcodedSecrets('log("Bearer tokens are accepted", "Bearer");')).toEqual([]);
  });

  it("finds a literal registry token in .npmrc form but not one read from the environment or set in code", () => {
    expect(kinds(`//registry.npmjs.org/:_authToken=${randomText(44, HEX, 8)}-${randomText(45, HEX, 4)}-4${randomText(46, HEX, 3)}-a${randomText(47, HEX, 3)}-${randomText(48, HEX, 12)}\n`)).toEqual([
      ["npm registry auth token", "high"],
    ]);
    expect(findHardcodedSecrets("//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n")).toEqual([]);
    expect(findHardcodedSecrets(`this._authToken=${randomText(49, ALNUM, 24)};`)).toEqual([]);
  });

  it("reports one match for a secret two detectors would both see", () => {
    const token = checksummedToken("ghp_", 50);
    expect(kinds(`const GITHUB_TOKEN = "${token}";`)).toEqual([["GitHub personal access token", "high"]]);
  });

  it("finds nothing in ordinary code", () => {
    const code = [
      'const integrity = "sha512-' + randomText(51, BASE64, 86) + '==";',
      'const id = "0b6c3f1e-9a43-4c1f-8f5a-1d2e3f4a5b6c";',
      'import { getAccessTokenFromHeader } from "./auth.js";',
      "const token = request.headers.authorization;",
      'const apiKey = process.env.API_KEY ?? "";',
      "const secret = await readSecret(path);",
      'const npm_config_registry = "https://registry.npmjs.org/";',
      'throw new Error("-----BEGIN PRIVATE KEY----- is missing");',
      'const tasks = ["disk-usage", "risk-level", "task-runner"];',
    ].join("\n");
    expect(findHardcodedSecrets(code)).toEqual([]);
  });
});

describe("maskSecrets", () => {
  it("replaces every secret with its prefix and length, and leaves other text alone", () => {
    const ghp = checksummedToken("ghp_", 52);
    const npm = checksummedToken("npm_", 53);
    expect(maskSecrets(`git clone https://${ghp}@github.com/o/r && echo ${npm}`)).toBe("git clone https://ghp_…(36 chars)@github.com/o/r && echo npm_…(36 chars)");
    const plain = "const x = 1; // nothing here";
    expect(maskSecrets(plain)).toBe(plain);
  });

  it("masks a whole PEM key, however it is written", () => {
    const { privateKey } = rsaPkcs1();
    const masked = maskSecrets(`const key = ${JSON.stringify(privateKey)};`);
    expect(masked).toMatch(/^const key = "-----BEGIN RSA PRIVATE KEY-----…\(\d+ chars\)\\n";$/);
  });
});

describe("secretFindings", () => {
  it("names the kind, never the value, with line, column and a masked snippet", () => {
    const token = checksummedToken("ghp_", 54);
    const source = `"use strict";\nconst GITHUB_TOKEN = "${token}";\n`;
    expect(secretFindings(source, "lib/index.js")).toEqual([
      {
        rule: "hardcoded-secret",
        severity: "high",
        message: "Ships a GitHub personal access token (ghp_…, checksum valid).",
        line: 2,
        column: 22,
        snippet: 'const GITHUB_TOKEN = "ghp_…(36 chars)";',
      },
    ]);
  });

  it("says how many more of a kind a file holds", () => {
    const tokens = [55, 56, 57].map((seed) => checksummedToken("npm_", seed));
    const [finding, ...rest] = secretFindings(tokens.map((token, index) => `const t${index} = "${token}";`).join("\n"), "lib/tokens.js");
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ line: 1, message: "Ships an npm access token (npm_…, checksum valid); 2 more in this file." });
  });

  it.each(["test/auth.test.js", "tests/x.js", "lib/__tests__/x.js", "fixtures/key.pem", "examples/basic.js", "spec/helper.js", "src/auth.spec.ts", "apis/service.examples.json"])(
    "lowers the severity one step in test and example code: %s",
    (path) => {
      const token = checksummedToken("ghp_", 58);
      expect(secretFindings(`const t = "${token}";`, path)).toMatchObject([
        { severity: "medium", message: "Ships a GitHub personal access token (ghp_…, checksum valid) in test or example code." },
      ]);
    },
  );

  it("does not read unquoted lines in code", () => {
    const random = randomText(59, ALNUM, 40);
    expect(secretFindings(`API_KEY=${random}\n`, "lib/x.js")).toEqual([]);
    expect(secretFindings(`API_KEY=${random}\n`, ".env")).toMatchObject([{ severity: "low", message: "Ships a generated-looking secret value (assigned to API_KEY)." }]);
  });

  it("reports the pair, not the AWS secret on its own", () => {
    const source = `module.exports = {\n  accessKeyId: "AKIA${randomText(60, BASE32, 16)}",\n  secretAccessKey: "${randomText(61, BASE64, 40)}",\n};\n`;
    const findings = secretFindings(source, "lib/aws.js");
    expect(findings.map(({ severity, message, line }) => ({ severity, message, line }))).toEqual([
      { severity: "high", message: "Ships an AWS access key (AKIA…, with its secret access key).", line: 2 },
    ]);
    // The secret's own line is masked wherever a snippet shows it.
    expect(new SourceLines(source).snippet(source.indexOf("secretAccessKey"))).toBe('secretAccessKey: "…(40 chars)",');
  });
});

describe("snippets", () => {
  it("mask a token the window only partly shows", () => {
    const token = checksummedToken("ghp_", 62);
    const source = `${"a".repeat(200)} "${token}" ${"b".repeat(200)}`;
    const lines = new SourceLines(source);
    const start = source.indexOf(token);
    for (const offset of [start - 60, start - 45, start + 10, start + 39, start + 100]) {
      const snippet = lines.snippet(offset);
      expect(snippet).not.toContain(token.slice(4, 16));
      expect(snippet).not.toContain(token.slice(-12));
      if (offset > start - 60 && offset < start + 100) expect(snippet).toContain("ghp_…(36 chars)");
    }
  });

  it("mask every line of a PEM body and of an escaped key on a long line", () => {
    const { privateKey } = rsaPkcs1();
    const body = privateKey.split("\n").slice(1, -2).join("");
    const chunks = Array.from({ length: Math.floor(body.length / 12) }, (_, index) => body.slice(index * 12, index * 12 + 12));
    const sources = [
      `const key = \`${privateKey}\`;\nmodule.exports = key;\n`,
      `${"x=1;".repeat(500)}const key = ${JSON.stringify(privateKey)};${"y=2;".repeat(500)}`,
      `module.exports = {\n  key: ${JSON.stringify(JSON.stringify({ private_key: privateKey }))},\n};\n`,
    ];
    for (const source of sources) {
      const lines = new SourceLines(source);
      const start = source.indexOf("-----BEGIN");
      const end = source.lastIndexOf("-----");
      for (let offset = Math.max(0, start - 20); offset < end + 40; offset += 7) {
        const snippet = lines.snippet(offset);
        const leaked = chunks.find((chunk) => snippet.includes(chunk));
        expect(leaked, `snippet at ${offset - start} shows key material: ${snippet}`).toBeUndefined();
      }
    }
  });

  it("mask a JWT and a generic secret", () => {
    const token = jwtOf({ alg: "HS256", typ: "JWT" }, { sub: "deploy-bot" }, 63);
    const random = randomText(64, ALNUM, 40);
    const source = `const auth = "Bearer ${token}";\nconst apiSecret = "${random}";\n`;
    const lines = new SourceLines(source);
    expect(lines.snippet(source.indexOf("eyJ") + 50)).toBe(`const auth = "Bearer eyJ…(${token.length - 3} chars)";`);
    expect(lines.snippet(source.indexOf(random) + 20)).toBe('const apiSecret = "…(40 chars)";');
  });
});
