/**
 * The text-level fingerprints of obfuscation: the output of the common obfuscators and encoders
 * (javascript-obfuscator, JSFuck, jjencode, aaencode, Dean Edwards' packer and its "hunter"
 * variant), printable text hidden in `\x` escapes, and large encoded blobs. Minifiers (terser,
 * esbuild, swc) produce none of these. Code that decodes a string and runs it is found on the syntax
 * tree elsewhere; this looks at the text only, one regular expression pass per fingerprint.
 */

import type { Severity } from "../review/alert.js";
import type { AnomalyFinding, InFile } from "./model.js";
import { SourceLines } from "./source-lines.js";

interface Fingerprint {
  offset: number;
  severity: Severity;
  message: string;
}

// javascript-obfuscator names every binding `_0x` and 4 to 6 hex digits; ordinary code has none.
const HEX_NAME = /_0x[0-9a-f]{4,6}(?![\w$])/g;
const HEX_NAMES_NEEDED = 20;
// Its string array is rotated at start-up until a checksum matches: `arr['push'](arr['shift']())` inside `while(!![])`.
const ROTATION = /\[(["'])push\1\]\(\s*[\w$]+\[(["'])shift\2\]\(\s*\)\s*\)/;
const ALWAYS_TRUE_LOOP = /while\s*\(\s*!!\[\]\s*\)/;

function javascriptObfuscator(source: string): Fingerprint | undefined {
  const names = new Set<string>();
  let first = -1;
  HEX_NAME.lastIndex = 0;
  for (let match = HEX_NAME.exec(source); match && names.size < HEX_NAMES_NEEDED; match = HEX_NAME.exec(source)) {
    if (match.index > 0 && /[\w$]/.test(source[match.index - 1]!)) continue;
    if (first === -1) first = match.index;
    names.add(match[0]);
  }
  const rotation = ROTATION.exec(source);
  const rotates = rotation !== null && ALWAYS_TRUE_LOOP.test(source);
  if (names.size < HEX_NAMES_NEEDED && !rotates) return undefined;
  const signs = [names.size >= HEX_NAMES_NEEDED ? `${HEX_NAMES_NEEDED} or more distinct _0x… names` : "", rotates ? "its string-array rotation" : ""].filter(Boolean);
  return {
    offset: names.size >= HEX_NAMES_NEEDED ? first : rotation!.index,
    severity: "high",
    message: `The output of javascript-obfuscator (${signs.join(", ")}): code written so that it cannot be read.`,
  };
}

// JSFuck writes everything with six characters, and every program spells "f" as `(![]+[])[+[]]`: found
// by that literal first (a fast substring search), then measured. No ordinary code has a hundred in a row.
const JSFUCK_ANCHOR = "![]+[]";
const JSFUCK_CHARS = new Set("[]()!+");
const JSFUCK_RUN = 100;
// jjencode starts `$=~[];$={___:++$,`, with any name for `$`.
const JJENCODE_ANCHOR = "=~[];";
const JJENCODE = /([\w$]+)=~\[\];\s*\1=\{___:\+\+\1,/y;
// aaencode writes with Japanese emoticons: `(ﾟДﾟ)` dozens of times.
const AAENCODE_FACE = /\(ﾟДﾟ\)/g;
const AAENCODE_FACES_NEEDED = 10;
// `eval(function(p,a,c,k,e,d){…})` and the "hunter" variant `eval(function(h,u,n,t,e,r){…})`.
const PACKER = /eval\s*\(\s*function\s*\(\s*(?:p\s*,\s*a\s*,\s*c\s*,\s*k|h\s*,\s*u\s*,\s*n\s*,\s*t)\s*,\s*e\s*,\s*[a-z]\s*\)/;

function jsfuck(source: string): Fingerprint | undefined {
  for (let at = source.indexOf(JSFUCK_ANCHOR); at !== -1; ) {
    let start = at;
    while (start > 0 && JSFUCK_CHARS.has(source[start - 1]!)) start--;
    let end = at + JSFUCK_ANCHOR.length;
    while (end < source.length && JSFUCK_CHARS.has(source[end]!)) end++;
    if (end - start >= JSFUCK_RUN) {
      return { offset: start, severity: "high", message: `JSFuck: ${end - start} characters made only of []()!+, code written so that it cannot be read.` };
    }
    at = source.indexOf(JSFUCK_ANCHOR, end);
  }
  return undefined;
}

function jjencode(source: string): Fingerprint | undefined {
  for (let at = source.indexOf(JJENCODE_ANCHOR); at !== -1; at = source.indexOf(JJENCODE_ANCHOR, at + 1)) {
    let start = at;
    while (start > 0 && /[\w$]/.test(source[start - 1]!)) start--;
    JJENCODE.lastIndex = start;
    if (JJENCODE.test(source)) return { offset: start, severity: "high", message: "The output of jjencode: code written with symbols only, so that it cannot be read." };
  }
  return undefined;
}

function aaencode(source: string): Fingerprint | undefined {
  let faces = 0;
  let first = -1;
  AAENCODE_FACE.lastIndex = 0;
  for (let match = AAENCODE_FACE.exec(source); match && faces < AAENCODE_FACES_NEEDED; match = AAENCODE_FACE.exec(source)) {
    if (first === -1) first = match.index;
    faces++;
  }
  if (faces < AAENCODE_FACES_NEEDED) return undefined;
  return { offset: first, severity: "high", message: "The output of aaencode: code written with emoticons, so that it cannot be read." };
}

function packer(source: string): Fingerprint | undefined {
  const match = PACKER.exec(source);
  if (!match) return undefined;
  return { offset: match.index, severity: "high", message: "Packed with Dean Edwards' packer (eval(function(p,a,c,k,e,…))): it unpacks hidden code and runs it." };
}

// Printable ASCII written as `\x68\x65\x6c\x6c\x6f` (or `\u0068…`): no tool emits that, people hide text with it.
const ESCAPED_TEXT = /(?:\\(?:x[2-7][0-9a-fA-F]|u00[2-7][0-9a-fA-F])){8,}/g;
const ESCAPED_STRINGS_FOR_TABLE = 10;

function escapedText(source: string): Fingerprint | undefined {
  let runs = 0;
  let longest = 0;
  let first = -1;
  ESCAPED_TEXT.lastIndex = 0;
  for (let match = ESCAPED_TEXT.exec(source); match && runs < ESCAPED_STRINGS_FOR_TABLE; match = ESCAPED_TEXT.exec(source)) {
    if (first === -1) first = match.index;
    runs++;
    longest = Math.max(longest, match[0].split("\\").length - 1);
  }
  if (runs >= ESCAPED_STRINGS_FOR_TABLE) {
    return { offset: first, severity: "high", message: `A table of ${runs} or more strings written entirely as hex escapes of printable text: the string table of an obfuscator.` };
  }
  // One short escaped word can be a test of a parser; several, or a long one, are hidden text.
  if (runs >= 3 || longest >= 24) {
    return { offset: first, severity: "medium", message: `${runs} string${runs === 1 ? "" : "s"} written entirely as hex escapes of printable text: text hidden from a reader.` };
  }
  return undefined;
}

// A quoted run of base64 or hex, whole: concatenated or wrapped strings are not one blob.
const ENCODED_STRING = /(["'`])([A-Za-z0-9+/_-]{1024,}={0,2})\1/g;
const MIN_HEX = 4096; // hex shorter than this is mostly primes and test vectors of crypto libraries
const SCRIPT_DATA_URI = /data:(?:text|application)\/(?:x-)?(?:javascript|ecmascript);base64,[A-Za-z0-9+/]{200,}/;

// The base64 openings of media that packages embed on purpose: fonts, images, audio, WebAssembly.
const EMBEDDED_MEDIA = [
  "AAEAAA", // TrueType
  "T1RUTw", // OpenType
  "d09GRg", // WOFF
  "d09GMg", // WOFF2
  "iVBORw0KGgo", // PNG
  "/9j/", // JPEG
  "R0lGOD", // GIF
  "UklGR", // RIFF: WebP, WAV
  "PHN2Zy", // <svg
  "PD94bWwg", // <?xml
  "SUQz", // MP3
  "T2dnUw", // Ogg
  "AAAAIGZ0eXA", // MP4
  "AGFzbQ", // WebAssembly
];

function kilobytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function encodedBlob(source: string): Fingerprint | undefined {
  let count = 0;
  let total = 0;
  let first: { offset: number; text: string; encoding: string } | undefined;
  ENCODED_STRING.lastIndex = 0;
  for (let match = ENCODED_STRING.exec(source); match; match = ENCODED_STRING.exec(source)) {
    ENCODED_STRING.lastIndex = match.index + match[0].length - 1; // the closing quote may open the next string
    const text = match[2]!;
    const hex = /^[0-9a-fA-F]+$/.test(text);
    if (hex ? text.length < MIN_HEX : !(/[A-Z]/.test(text) && /[a-z]/.test(text) && /[0-9]/.test(text))) continue;
    if (!hex && EMBEDDED_MEDIA.some((magic) => text.startsWith(magic))) continue;
    count++;
    total += hex ? text.length / 2 : Math.floor((text.length * 3) / 4);
    first ??= { offset: match.index, text, encoding: hex ? "hex" : "base64" };
  }
  if (!first) return undefined;
  const decoded = first.encoding === "hex" ? first.text.length / 2 : Math.floor((first.text.length * 3) / 4);
  const others = count > 1 ? `; ${count - 1} more, ${kilobytes(total)} decoded in all` : "";
  return {
    offset: first.offset,
    severity: "medium",
    message: `A ${kilobytes(first.text.length)} ${first.encoding} string (${kilobytes(decoded)} decoded): an encoded payload or embedded data${others}.`,
  };
}

function scriptDataUri(source: string): Fingerprint | undefined {
  const match = SCRIPT_DATA_URI.exec(source);
  if (!match) return undefined;
  return { offset: match.index, severity: "medium", message: "A script encoded in a data: URI: code that a reader cannot see until it is decoded." };
}

const FINGERPRINTS: readonly ((source: string) => Fingerprint | undefined)[] = [
  javascriptObfuscator,
  jsfuck,
  jjencode,
  aaencode,
  packer,
  escapedText,
  encodedBlob,
  scriptDataUri,
];

/**
 * Text-level signs of obfuscation in one file: at most one finding per fingerprint, at its first
 * place. High for the output of an obfuscator or encoder, medium for encoded blobs (with their size).
 */
export function findObfuscation(source: string): InFile<AnomalyFinding>[] {
  const fingerprints = FINGERPRINTS.map((fingerprint) => fingerprint(source)).filter((found): found is Fingerprint => found !== undefined);
  if (fingerprints.length === 0) return [];
  const lines = new SourceLines(source);
  return fingerprints.map(({ offset, severity, message }) => ({ rule: "obfuscated-code", severity, message, ...lines.position(offset), snippet: lines.snippet(offset) }));
}
