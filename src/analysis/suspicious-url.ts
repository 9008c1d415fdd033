/**
 * Addresses that legitimate packages rarely name and malicious ones often do: where stolen data goes
 * (request collectors, Discord webhooks, Telegram bots, out-of-band DNS servers), where a second
 * stage comes from (paste sites, tunnels), and raw public IP addresses.
 *
 * Precision first. A service's own name (a list of paste sites, a Discord client's API prefix) is
 * rated low; a particular endpoint (a webhook id, a paste, a tunnel subdomain) is what rates high.
 * Private, loopback, link-local and documentation addresses are never reported, nor the well-known
 * public DNS resolvers and the `1.2.3.4` placeholder. A dotted quad counts as an IP only in a URL
 * (`http://1.2.3.4`, `//1.2.3.4:8080`), or as a whole string with a port, or with a part of 100 or
 * more and a first part above 2: `"1.2.3.4"`, `"2.5.4.3"` and `"1.3.101.112"` are versions and
 * object identifiers far more often than hosts. A link in a comment is documentation unless it
 * names an endpoint, and then it is rated low; a bare IP in a comment is an example, not reported.
 */

import type { Severity } from "../review/alert.js";
import type { AnomalyFinding, InFile } from "./model.js";
import { SourceLines } from "./source-lines.js";

/** What an address is: where stolen data goes, where a second stage comes from, or a bare IP. */
export type SuspiciousUrlKind = "raw-ip" | "paste-site" | "webhook-collector" | "discord-webhook" | "telegram-bot" | "tunnel" | "oob-interaction";

/** A readable name for each kind, to use in a sentence. */
export const URL_KIND_LABELS: Record<SuspiciousUrlKind, string> = {
  "raw-ip": "raw public IP",
  "paste-site": "paste or file-drop site",
  "webhook-collector": "request collector",
  "discord-webhook": "Discord webhook",
  "telegram-bot": "Telegram bot API",
  tunnel: "tunnel",
  "oob-interaction": "out-of-band interaction server",
};

/** A suspicious address as classified. */
export interface SuspiciousUrl {
  kind: SuspiciousUrlKind;
  /** Lowercase, without port; an IPv6 address in brackets. */
  host: string;
  /** The URL or host as found (at most 200 characters), with webhook and bot tokens masked. */
  url: string;
  /** It names a particular endpoint (a webhook id, a paste, a tunnel or collector subdomain, an IP address), not only the service. */
  endpoint: boolean;
}

const SERVICES: Record<Exclude<SuspiciousUrlKind, "raw-ip" | "discord-webhook" | "telegram-bot">, string[]> = {
  "paste-site": [
    "pastebin.com",
    "pastebin.pl",
    "paste.ee",
    "hastebin.com",
    "hastebin.skyra.pw",
    "ghostbin.com",
    "ghostbin.co",
    "rentry.co",
    "rentry.org",
    "paste.rs",
    "dpaste.com",
    "dpaste.org",
    "controlc.com",
    "justpaste.it",
    "pastes.io",
    "pastie.org",
    "paste2.org",
    "textbin.net",
    "privatebin.net",
    "termbin.com",
    "sprunge.us",
    "ix.io",
    "hst.sh",
    "pastefy.app",
    "0x0.st",
    "transfer.sh",
    "temp.sh",
    "file.io",
    "bashupload.com",
  ],
  "webhook-collector": [
    "webhook.site",
    "requestbin.com",
    "requestbin.net",
    "pipedream.net",
    "beeceptor.com",
    "hookbin.com",
    "hookb.in",
    "requestcatcher.com",
    "requestinspector.com",
    "postb.in",
    "ptsv2.com",
    "ptsv3.com",
    "webhook.cool",
    "typedwebhook.tools",
    "canarytokens.com",
    "canarytokens.org",
  ],
  "oob-interaction": [
    "dnslog.cn",
    "dnslog.link",
    "ceye.io",
    "oastify.com",
    "burpcollaborator.net",
    "interact.sh",
    "interactsh.com",
    "oast.pro",
    "oast.live",
    "oast.site",
    "oast.online",
    "oast.fun",
    "oast.me",
    "requestrepo.com",
    "pingb.in",
  ],
  tunnel: [
    "ngrok.io",
    "ngrok.app",
    "ngrok.dev",
    "ngrok-free.app",
    "ngrok-free.dev",
    "trycloudflare.com",
    "serveo.net",
    "serveousercontent.com",
    "localtunnel.me",
    "loca.lt",
    "localhost.run",
    "lhr.life",
    "pinggy.link",
    "pinggy.online",
    "bore.pub",
    "loclx.io",
    "tunnelmole.net",
  ],
};
const DISCORD_HOSTS = ["discord.com", "discordapp.com"];
const TELEGRAM_HOST = "api.telegram.org";

const KIND_OF_DOMAIN = new Map<string, SuspiciousUrlKind>([
  ...Object.entries(SERVICES).flatMap(([kind, domains]) => domains.map((domain) => [domain, kind as SuspiciousUrlKind] as const)),
  ...DISCORD_HOSTS.map((domain) => [domain, "discord-webhook"] as const),
  [TELEGRAM_HOST, "telegram-bot"],
]);

/** Path segments of a service's own pages, which name no endpoint. */
const SERVICE_PAGES = new Set(["", "#", "docs", "doc", "doc_api", "help", "about", "faq", "terms", "tos", "privacy", "pricing", "login", "signup", "register", "blog", "contact", "tools", "archive", "languages", "trends"]);

/** Public addresses that are not an attacker's server: placeholders, the DNS resolvers connectivity checks use, cloud platform endpoints. */
const WELL_KNOWN_IPS = new Set([
  "1.2.3.4",
  "5.6.7.8",
  "168.63.129.16", // Azure's platform endpoint
  "1.1.1.1",
  "1.0.0.1",
  "8.8.8.8",
  "8.8.4.4",
  "9.9.9.9",
  "149.112.112.112",
  "208.67.222.222",
  "208.67.220.220",
  "114.114.114.114",
  "223.5.5.5",
  "223.6.6.6",
  "119.29.29.29",
]);

// [first octet, second from, second to]: ranges that are no one's public server.
const PRIVATE_V4: readonly [number, number, number][] = [
  [0, 0, 255],
  [10, 0, 255],
  [100, 64, 127], // carrier-grade NAT
  [127, 0, 255],
  [169, 254, 254], // link-local (and cloud metadata)
  [172, 16, 31],
  [192, 168, 168],
  [198, 18, 19], // benchmarking
];
const DOCUMENTATION_V4 = ["192.0.0.", "192.0.2.", "198.51.100.", "203.0.113."];

function ipv4Octets(host: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) return undefined;
  const parts = match.slice(1);
  if (parts.some((part) => part.length > 1 && part.startsWith("0"))) return undefined;
  const octets = parts.map(Number);
  return octets.every((octet) => octet <= 255) ? octets : undefined;
}

function publicIpv4(octets: readonly number[]): boolean {
  const [a, b] = octets as [number, number];
  if (a >= 224) return false; // multicast, reserved, broadcast
  if (PRIVATE_V4.some(([first, from, to]) => a === first && b >= from && b <= to)) return false;
  const text = octets.join(".");
  return !DOCUMENTATION_V4.some((prefix) => text.startsWith(prefix)) && !WELL_KNOWN_IPS.has(text);
}

/** The eight groups of an IPv6 address, or undefined when it is not one. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address;
  const v4 = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  let tail: number[] = [];
  if (v4) {
    const octets = ipv4Octets(v4[1]!);
    if (!octets) return undefined;
    tail = [(octets[0]! << 8) | octets[1]!, (octets[2]! << 8) | octets[3]!];
    text = `${text.slice(0, v4.index)}0:0`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const parse = (half: string) => (half === "" ? [] : half.split(":").map((group) => (/^[0-9a-f]{1,4}$/i.test(group) ? parseInt(group, 16) : NaN)));
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - rest.length;
  if ((halves.length === 2 ? missing < 1 : missing !== 0) || [...head, ...rest].some(Number.isNaN)) return undefined;
  const groups = [...head, ...new Array<number>(missing).fill(0), ...rest];
  if (v4) groups.splice(6, 2, ...tail);
  return groups;
}

function publicIpv6(groups: readonly number[]): boolean {
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return publicIpv4([groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff]);
  }
  const [first, second] = groups as [number, number];
  // Global unicast is 2000::/3; 2001:db8::/32 is for documentation.
  return first >= 0x2000 && first <= 0x3fff && !(first === 0x2001 && second === 0x0db8);
}

function maskSecrets(text: string): string {
  return text.replace(/(\/webhooks\/\d+\/)[\w-]+/gi, "$1***").replace(/(\/bot\d+:)[\w-]+/g, "$1***");
}

// A URL, scheme-relative URL or bare host with optional port and path, as a whole value.
const WHOLE_URL = /^(?:[a-z][a-z0-9+.-]{0,15}:(?=\/\/))?(\/\/)?(?:[^\s/?#@]{1,128}@)?(\[[0-9a-f:.]{2,45}\]|[a-z0-9._-]{1,253})(?::(\d{1,5}))?([/?#]\S*)?$/i;

/** The service a domain belongs to, and whether the host names something on it (a subdomain other than www). */
function service(host: string): { kind: SuspiciousUrlKind; subdomain: boolean } | undefined {
  const labels = host.split(".");
  for (let index = 0; index < labels.length - 1; index++) {
    const kind = KIND_OF_DOMAIN.get(labels.slice(index).join("."));
    if (kind) return { kind, subdomain: index > 1 || (index === 1 && labels[0] !== "www") };
  }
  return undefined;
}

function classifyWhole(value: string): SuspiciousUrl | undefined {
  const match = WHOLE_URL.exec(value);
  if (!match) return undefined;
  const host = match[2]!.toLowerCase().replace(/\.$/, "");
  const bare = match[1] === undefined;
  const port = match[3];
  const path = match[4] ?? "";
  const url = maskSecrets(value.length > 200 ? `${value.slice(0, 199)}…` : value);

  if (host.startsWith("[")) {
    const groups = ipv6Groups(host.slice(1, -1));
    return groups && publicIpv6(groups) ? { kind: "raw-ip", host, url, endpoint: true } : undefined;
  }
  const octets = ipv4Octets(host);
  if (octets) {
    if (!publicIpv4(octets)) return undefined;
    // A bare dotted quad of small numbers is a version; one starting 0, 1 or 2 an object identifier (`1.3.101.112`).
    if (bare && port === undefined && path === "" && (octets[0]! <= 2 || octets.every((octet) => octet < 100))) return undefined;
    return { kind: "raw-ip", host, url, endpoint: true };
  }
  if (/^[\d.]+$/.test(host)) return undefined;

  const found = service(host);
  if (!found) return undefined;
  const pathSegments = path.split(/[/?#]/).filter((segment) => !SERVICE_PAGES.has(segment.toLowerCase()));
  switch (found.kind) {
    case "discord-webhook": {
      if (found.subdomain && !/^(?:ptb|canary)\./.test(host)) return undefined;
      if (!/^\/api(?:\/v\d+)?\/webhooks(?:\/|$)/i.test(path)) return undefined;
      return { kind: found.kind, host, url, endpoint: /^\/api(?:\/v\d+)?\/webhooks\/\d{5,}\/[\w-]{10,}/i.test(path) };
    }
    case "telegram-bot":
      if (host !== TELEGRAM_HOST) return undefined;
      return { kind: found.kind, host, url, endpoint: /^\/(?:file\/)?bot\d+:[\w-]{10,}/.test(path) };
    case "tunnel":
      // The bare service domain is the tunnel software's own default, not someone's tunnel.
      if (!found.subdomain && port === undefined) return undefined;
      return { kind: found.kind, host, url, endpoint: true };
    default:
      return { kind: found.kind, host, url, endpoint: found.subdomain || pathSegments.length > 0 };
  }
}

/**
 * Classifies a URL or host found in a string: `https://webhook.site/…`, `//45.9.148.108:8080`,
 * `abc.oast.fun`, `pastebin.com/raw/…`. A value that is not a URL itself (decoded text, a command
 * line) is searched for the first suspicious address inside it. Undefined when there is none.
 */
export function classifyUrl(value: string): SuspiciousUrl | undefined {
  const trimmed = value.trim();
  if (trimmed.length <= 2048) {
    const whole = classifyWhole(trimmed);
    if (whole || WHOLE_URL.test(trimmed)) return whole;
  }
  for (const candidate of candidates(value)) {
    const found = classifyWhole(candidate.text);
    if (found) return found;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Finding addresses in text: each pass anchors on something rare (`//`, a quote, a known domain) so
// that the regular expression engine skips most of a file without backtracking.

interface Candidate {
  /** Where the address starts (its scheme, `//`, or host). */
  start: number;
  text: string;
  /** A quoted IP address, not in a URL. */
  bareIp?: boolean;
}

const IP_AFTER_SLASHES = /\/\/(?:[^\s/?#@"'`]{1,64}@)?(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]{2,45}\])(?::\d{1,5})?(?![\w.-])/g;
const QUOTED_IP = /(["'`])(\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?)\1/g;
// Anchored on the top-level domain, then checked against the whole list looking back: twice as fast
// as trying every domain at every position of the file.
const DOMAINS = [...KIND_OF_DOMAIN.keys()].sort((a, b) => b.length - a.length);
const KNOWN_DOMAIN = new RegExp(
  `\\.(?:${[...new Set(DOMAINS.map((domain) => domain.slice(domain.lastIndexOf(".") + 1)))].join("|")})(?<=(${DOMAINS.map((domain) => domain.replace(/[.]/g, "\\.")).join("|")}))(?![a-z0-9-])`,
  "gi",
);
const HOST_CHAR = /[a-z0-9.-]/i;
const PATH_AFTER = /[/?#][^\s"'`<>\\()[\]{}]{0,300}/y;
const PORT_AFTER = /:\d{1,5}(?!\d)/y;

/** The scheme and slashes before a host, if any: where the URL starts. */
function urlStart(text: string, hostStart: number): number {
  if (text.slice(hostStart - 2, hostStart) !== "//") return hostStart;
  const scheme = /[a-z][a-z0-9+.-]{0,15}:$/i.exec(text.slice(Math.max(0, hostStart - 19), hostStart - 2));
  return hostStart - 2 - (scheme ? scheme[0].length : 0);
}

function urlEnd(text: string, hostEnd: number): number {
  let end = hostEnd;
  PORT_AFTER.lastIndex = end;
  if (PORT_AFTER.test(text)) end = PORT_AFTER.lastIndex;
  PATH_AFTER.lastIndex = end;
  if (PATH_AFTER.test(text)) end = PATH_AFTER.lastIndex;
  return end;
}

/** Every address-like place in a text, pass by pass. Each call has its own expressions: a generator can be left half-read. */
function* candidates(text: string): Generator<Candidate> {
  const ipAfterSlashes = new RegExp(IP_AFTER_SLASHES);
  for (let match = ipAfterSlashes.exec(text); match; match = ipAfterSlashes.exec(text)) {
    const start = urlStart(text, match.index + 2);
    yield { start, text: text.slice(start, urlEnd(text, match.index + match[0].length)) };
  }
  const quotedIp = new RegExp(QUOTED_IP);
  for (let match = quotedIp.exec(text); match; match = quotedIp.exec(text)) {
    quotedIp.lastIndex = match.index + match[0].length - 1; // the closing quote may open the next string
    // Versions (`"1.2.3.4"`) are skipped here: a file can hold thousands.
    if (!/^(?:\d{1,2}\.){3}\d{1,2}$/.test(match[2]!)) yield { start: match.index + 1, text: match[2]!, bareIp: true };
  }
  const knownDomain = new RegExp(KNOWN_DOMAIN);
  for (let match = knownDomain.exec(text); match; match = knownDomain.exec(text)) {
    const end = match.index + match[0].length;
    const domainStart = end - match[1]!.length;
    if (text[end] === "." && HOST_CHAR.test(text[end + 1] ?? "")) continue; // `pastebin.com.example.org`
    let hostStart = domainStart;
    if (hostStart > 0 && text[hostStart - 1] !== "." && HOST_CHAR.test(text[hostStart - 1]!)) continue; // `notpastebin.com`
    while (hostStart > 0 && domainStart - hostStart < 253 && HOST_CHAR.test(text[hostStart - 1]!)) hostStart--;
    while (text[hostStart] === "." || text[hostStart] === "-") hostStart++; // `${data}.x.oast.fun`
    const start = urlStart(text, hostStart);
    yield { start, text: text.slice(start, urlEnd(text, end)) };
  }
}

/** Whether an offset is in a comment, judged from its line: `//`, `/*`, ` *` of a doc comment, `#` of a shell script. */
function inComment(source: string, offset: number): boolean {
  const lineStart = source.lastIndexOf("\n", offset - 1) + 1;
  const prefix = source.slice(Math.max(lineStart, offset - 2000), offset);
  if (offset - lineStart <= 2000 && /^\s*(?:\/\/|\/\*|\*|#(?:\s|!|$)|<!--)/.test(prefix)) return true;
  // A comment after code: `//` after a space or punctuation, with no quote between it and the address.
  return /(?:^|[\s;,{}()])\/\/[^"'`]*$/.test(prefix);
}

const HIGH: ReadonlySet<SuspiciousUrlKind> = new Set(["paste-site", "webhook-collector", "discord-webhook", "telegram-bot", "oob-interaction"]);

const WHY: Record<SuspiciousUrlKind, string> = {
  "raw-ip": "code that talks to a bare IP address avoids DNS and reputation checks",
  "paste-site": "a common place to fetch a second-stage payload from",
  "webhook-collector": "a common place to send stolen data",
  "discord-webhook": "a common channel for sending stolen data",
  "telegram-bot": "a common channel for sending stolen data",
  tunnel: "a temporary endpoint on someone's own machine",
  "oob-interaction": "used to confirm that code ran and to leak data over DNS",
};

const MAX_FINDINGS = 20;

/**
 * Suspicious addresses in a file's text, one finding per host and severity (with a count of the
 * repeats): high for collectors, webhooks, bots, out-of-band servers and paste sites, medium for
 * tunnels and raw public IPs, low for a service named without an endpoint and for an endpoint in a
 * comment. Works on JavaScript and on the shell scripts an install script runs.
 */
export function findSuspiciousUrls(source: string): InFile<AnomalyFinding>[] {
  const found = new Map<string, { finding: InFile<AnomalyFinding>; more: number }>();
  let lines: SourceLines | undefined;
  for (const candidate of candidates(source)) {
    const url = classifyWhole(candidate.text);
    if (!url) continue;
    const comment = inComment(source, candidate.start);
    if (comment && (!url.endpoint || candidate.bareIp)) continue;
    const severity: Severity = comment || !url.endpoint ? "low" : HIGH.has(url.kind) ? "high" : "medium";
    const key = `${severity} ${url.kind} ${url.host}`;
    const seen = found.get(key);
    if (seen) {
      seen.more++;
      continue;
    }
    if (found.size >= MAX_FINDINGS) continue;
    lines ??= new SourceLines(source);
    const host = comment || url.endpoint ? url.host : `${url.host}, the service's name with no endpoint`;
    const where = comment ? " in a comment" : "";
    const article = /^[aeiou]/i.test(URL_KIND_LABELS[url.kind]) ? "An" : "A";
    found.set(key, {
      finding: {
        rule: "suspicious-url",
        severity,
        message: `${article} ${URL_KIND_LABELS[url.kind]} address (${host})${where}: ${WHY[url.kind]}.`,
        ...lines.position(candidate.start),
        snippet: maskSecrets(lines.snippet(candidate.start)),
      },
      more: 0,
    });
  }
  return [...found.values()]
    .map(({ finding, more }) => (more === 0 ? finding : { ...finding, message: `${finding.message.slice(0, -1)}; ${more} more in this file.` }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
