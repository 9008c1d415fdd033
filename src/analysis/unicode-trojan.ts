/**
 * Characters that make code read differently from how it runs: bidirectional controls (Trojan
 * Source, CVE-2021-42574) and invisible characters (an identifier no one can see, a payload carried
 * by variation selectors or tag characters).
 *
 * Only literal characters count: `"\u202E"` written as an escape is visible to a reviewer. What is
 * legitimate is decided from the character's neighbours first (an emoji sequence, a joiner inside
 * Persian or Devanagari text) and then from where it sits in the JavaScript: code, a string, a
 * template, a regular expression or a comment, found by a small lexer that runs only when a file
 * holds such a character at all.
 */

import type { Severity } from "../review/alert.js";
import type { AnomalyFinding, InFile } from "./model.js";
import { SourceLines } from "./source-lines.js";

// Every character this rule looks at. Runs are matched whole, so a payload is one match.
const SUSPECT_CLASS =
  "[\\u061C\\u115F\\u1160\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u2069\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\u{E0000}-\\u{E007F}\\u{E0100}-\\u{E01EF}]";
const ANY_SUSPECT = new RegExp(SUSPECT_CLASS, "u");
const SUSPECT_RUNS = new RegExp(`${SUSPECT_CLASS}+`, "gu");
// What a snippet escapes: the characters above and any other invisible format character.
const ESCAPED_IN_SNIPPET = new RegExp(`${SUSPECT_CLASS}|\\p{Cf}`, "gu");

/** This many invisible characters in a row is data, not text: no script needs more than a few. */
const PAYLOAD_RUN = 8;

type CharClass = "bidi-control" | "bidi-mark" | "zero-width" | "filler" | "tag" | "variation-selector" | "bom";

function classOf(cp: number): CharClass {
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return "bidi-control";
  if (cp === 0x200e || cp === 0x200f || cp === 0x061c) return "bidi-mark";
  if (cp === 0xfeff) return "bom";
  if (cp === 0x3164 || cp === 0x115f || cp === 0x1160 || cp === 0xffa0) return "filler";
  if (cp >= 0xe0000 && cp <= 0xe007f) return "tag";
  if ((cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)) return "variation-selector";
  return "zero-width";
}

const NAMES: Record<number, string> = {
  0x061c: "ARABIC LETTER MARK",
  0x115f: "HANGUL CHOSEONG FILLER",
  0x1160: "HANGUL JUNGSEONG FILLER",
  0x200b: "ZERO WIDTH SPACE",
  0x200c: "ZERO WIDTH NON-JOINER",
  0x200d: "ZERO WIDTH JOINER",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2060: "WORD JOINER",
  0x2061: "FUNCTION APPLICATION",
  0x2062: "INVISIBLE TIMES",
  0x2063: "INVISIBLE SEPARATOR",
  0x2064: "INVISIBLE PLUS",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0x3164: "HANGUL FILLER",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE",
  0xffa0: "HALFWIDTH HANGUL FILLER",
};

function codePointLabel(cp: number): string {
  const hex = cp.toString(16).toUpperCase().padStart(4, "0");
  const name =
    NAMES[cp] ??
    (cp >= 0xe0000 && cp <= 0xe007f ? "TAG CHARACTER" : cp >= 0xfe00 && cp <= 0xfe0f ? `VARIATION SELECTOR-${cp - 0xfe00 + 1}` : `VARIATION SELECTOR-${cp - 0xe0100 + 17}`);
  return `U+${hex} ${name}`;
}

/** Shows every invisible character as `<U+XXXX>`; after three in a row, the rest of the run as a count. */
function escapeInvisible(text: string): string {
  let out = "";
  let last = 0;
  let run = 0;
  let hidden = 0;
  for (const match of text.matchAll(ESCAPED_IN_SNIPPET)) {
    if (match.index !== last || run === 0) {
      if (hidden > 0) out += `<…${hidden} more>`;
      run = hidden = 0;
    }
    out += text.slice(last, match.index);
    if (++run <= 3) out += `<U+${match[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}>`;
    else hidden++;
    last = match.index + match[0].length;
  }
  if (hidden > 0) out += `<…${hidden} more>`;
  return out + text.slice(last);
}

// ---------------------------------------------------------------------------------------------
// Where an offset sits in JavaScript: a lexer that jumps from quote to slash to backtick with regular
// expressions, so it costs one step per literal or comment, not one per character.

type RegionKind = "string" | "template" | "regex" | "comment";

/** A literal or comment: [start, end) of the source. Template expressions `${…}` are code. */
interface Region {
  kind: RegionKind;
  start: number;
  end: number;
}

const CODE_STOPS = /["'`/]/g;
const EXPRESSION_STOPS = /["'`/{}]/g; // inside `${…}`, whose closing brace resumes the template
const DOUBLE_QUOTED = /"[^"\\\n\r]*(?:\\[\s\S][^"\\\n\r]*)*"/y;
const SINGLE_QUOTED = /'[^'\\\n\r]*(?:\\[\s\S][^'\\\n\r]*)*'/y;
const TEMPLATE_TEXT = /[^`\\$]*(?:(?:\\[\s\S]|\$(?!\{))[^`\\$]*)*(`|\$\{)?/y;
const LINE_COMMENT = /\/\/[^\n\r\u2028\u2029]*/y;
const REGEX_LITERAL = /\/[^/\\[\n\r]*(?:(?:\\.|\[[^\]\\\n\r]*(?:\\.[^\]\\\n\r]*)*\])[^/\\[\n\r]*)*\/[A-Za-z]*/y;
// Words after which a slash starts a regular expression rather than a division.
const BEFORE_EXPRESSION = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

function isIdentifierCode(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x24 || code === 0x5f || code > 0x7f;
}

/** Whether a slash at `at` starts a regular expression, judged by the token before it. */
function regexAllowed(source: string, at: number): boolean {
  let index = at - 1;
  while (index >= 0 && /\s/.test(source[index]!)) index--;
  if (index < 0) return true;
  const code = source.charCodeAt(index);
  if (code === 0x29 || code === 0x5d || code === 0x22 || code === 0x27 || code === 0x60) return false; // ) ] " ' `
  if (code === 0x2b || code === 0x2d) return source.charCodeAt(index - 1) !== code; // `a++ / b` divides
  if (!isIdentifierCode(code)) return true; // an operator or punctuation (`}` included: a block ends)
  let start = index;
  while (start > 0 && index - start < 10 && isIdentifierCode(source.charCodeAt(start - 1))) start--;
  return BEFORE_EXPRESSION.has(source.slice(start, index + 1)) && source.charCodeAt(start - 1) !== 0x2e;
}

/** Finds the literal or comment around offsets given in increasing order, lexing only as far as asked. */
class RegionScanner {
  private position = 0;
  /** The brace depth inside each open template expression, innermost last. */
  private readonly templates: number[] = [];
  private current: Region | undefined;
  private done = false;

  constructor(private readonly source: string) {
    if (source.startsWith("#!")) {
      const end = source.search(/[\n\r]/);
      this.position = end === -1 ? source.length : end;
      this.current = { kind: "comment", start: 0, end: this.position };
    }
  }

  /** The region holding the offset, or undefined in code. */
  at(offset: number): Region | undefined {
    while ((!this.current || this.current.end <= offset) && !this.done) {
      this.current = this.next();
      if (!this.current) this.done = true;
    }
    return this.current && this.current.start <= offset && offset < this.current.end ? this.current : undefined;
  }

  private next(): Region | undefined {
    const source = this.source;
    for (;;) {
      const stops = this.templates.length > 0 ? EXPRESSION_STOPS : CODE_STOPS;
      stops.lastIndex = this.position;
      const hit = stops.exec(source);
      if (!hit) {
        this.position = source.length;
        return undefined;
      }
      const at = hit.index;
      this.position = at + 1;
      switch (hit[0]) {
        case '"':
        case "'": {
          const literal = hit[0] === '"' ? DOUBLE_QUOTED : SINGLE_QUOTED;
          literal.lastIndex = at;
          if (!literal.test(source)) continue; // unterminated: a stray quote (JSX text, a missed regex)
          this.position = literal.lastIndex;
          return { kind: "string", start: at, end: this.position };
        }
        case "`": {
          const region = this.template(at, false);
          if (region) return region;
          continue;
        }
        case "{":
          this.templates[this.templates.length - 1]!++;
          continue;
        case "}":
          if (this.templates[this.templates.length - 1]! > 0) {
            this.templates[this.templates.length - 1]!--;
            continue;
          }
          this.templates.pop();
          return this.template(at, true);
        default: {
          const after = source.charCodeAt(at + 1);
          if (after === 0x2f) {
            LINE_COMMENT.lastIndex = at;
            LINE_COMMENT.test(source);
            this.position = LINE_COMMENT.lastIndex;
            return { kind: "comment", start: at, end: this.position };
          }
          if (after === 0x2a) {
            const close = source.indexOf("*/", at + 2);
            this.position = close === -1 ? source.length : close + 2;
            return { kind: "comment", start: at, end: this.position };
          }
          if (!regexAllowed(source, at)) continue;
          REGEX_LITERAL.lastIndex = at;
          if (!REGEX_LITERAL.test(source)) continue;
          this.position = REGEX_LITERAL.lastIndex;
          return { kind: "regex", start: at, end: this.position };
        }
      }
    }
  }

  /** Template text from a backtick, or from the `}` that closes an expression, to its next delimiter. */
  private template(start: number, resumed: boolean): Region | undefined {
    TEMPLATE_TEXT.lastIndex = start + 1;
    const delimiter = TEMPLATE_TEXT.exec(this.source)![1];
    if (delimiter === undefined && !resumed) return undefined; // an unterminated backtick: treat it as code
    this.position = TEMPLATE_TEXT.lastIndex;
    if (delimiter === "${") this.templates.push(0);
    return { kind: "template", start, end: this.position };
  }
}

/** Whether the bidirectional controls of a literal or comment all close inside it (they cannot then reorder the code around it). */
function bidiBalanced(source: string, region: Region): boolean {
  const controls = source.slice(region.start, region.end).match(/[\u202A-\u202E\u2066-\u2069]/g) ?? [];
  const open: string[] = [];
  for (const control of controls) {
    if (control === "\u202C") {
      if (open.at(-1) === "embedding") open.pop();
    } else if (control === "\u2069") {
      // A pop isolate also closes the embeddings opened inside the isolate.
      const isolate = open.lastIndexOf("isolate");
      if (isolate !== -1) open.length = isolate;
    } else open.push(control >= "\u2066" ? "isolate" : "embedding");
  }
  return open.length === 0;
}

// ---------------------------------------------------------------------------------------------
// Deciding.

type Kind =
  | "payload"
  | "bidi-code"
  | "bidi-open"
  | "bidi-balanced"
  | "bidi-mark-code"
  | "invisible-code"
  | "tag-text"
  | "invisible-in-word"
  | "bom-code";

interface Verdict {
  kind: Kind;
  severity: Severity;
  message: string;
}

const EMOJI_BASE = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\u20E3]/u;
const NON_ASCII_TEXT = /[\p{L}\p{M}]/u;
const ASCII_WORD = /[A-Za-z0-9_$]/;
const RTL_TEXT = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;

function isEmojiBase(char: string): boolean {
  return char !== "" && EMOJI_BASE.test(char);
}

function isText(char: string): boolean {
  return char !== "" && char.charCodeAt(0) > 0x7f && NON_ASCII_TEXT.test(char);
}

function charBefore(source: string, offset: number): string {
  const low = source.charCodeAt(offset - 1);
  return low >= 0xdc00 && low <= 0xdfff && offset >= 2 ? source.slice(offset - 2, offset) : source.slice(Math.max(0, offset - 1), offset);
}

function charAt(source: string, offset: number): string {
  const cp = source.codePointAt(offset);
  return cp === undefined ? "" : String.fromCodePoint(cp);
}

const DESCRIBE: Record<RegionKind, string> = { string: "a string", template: "a template literal", regex: "a regular expression", comment: "a comment" };

/** An England, Scotland or Wales flag: a black flag, tag letters, a cancel tag. */
const EMOJI_TAG_SEQUENCE = /^[\u{E0030}-\u{E0039}\u{E0061}-\u{E007A}]{2,7}\u{E007F}$/u;

/** Whether a character of the run is explained by its neighbours, wherever it stands. */
function explained(cp: number, run: string, before: string, after: string): boolean {
  const textAround = isText(before) && isText(after);
  const emojiSequence = isEmojiBase(before) || (/^[#*0-9]$/.test(before) && after === "\u20E3");
  switch (classOf(cp)) {
    case "variation-selector":
      // An emoji or text presentation selector, a keycap, an ideographic variation sequence: all follow a visible non-ASCII character.
      return emojiSequence || (before !== "" && before.codePointAt(0)! > 0x7f);
    case "zero-width":
    case "filler":
      // Joiners inside Persian, Indic or Korean text; the joiner of an emoji ZWJ sequence.
      return textAround || (emojiSequence && (cp === 0x200d || cp === 0x200c));
    case "bidi-mark":
      return RTL_TEXT.test(before) || RTL_TEXT.test(after) || textAround;
    case "bom":
      // The start of the file, or of a file joined to another.
      return before === "\n" || before === "";
    case "tag":
      return before === "\u{1F3F4}" && EMOJI_TAG_SEQUENCE.test(run);
    case "bidi-control":
      return false;
  }
}

/**
 * The verdict on one run of suspect characters, or undefined when it is legitimate. `where` lexes
 * lazily: most runs (emoji, text) are decided by their neighbours alone.
 */
function judge(source: string, start: number, run: string, where: () => Region | undefined): Verdict | undefined {
  const codePoints = [...run].map((char) => char.codePointAt(0)!);
  if (codePoints.length >= PAYLOAD_RUN) {
    const classes = new Set(codePoints.map(classOf));
    const what = classes.size === 1 ? `${[...classes][0]} characters` : "invisible characters";
    return { kind: "payload", severity: "high", message: `${codePoints.length} ${what} in a row: data hidden in plain sight, the shape of an invisible payload.` };
  }

  const control = codePoints.find((cp) => classOf(cp) === "bidi-control");
  if (control !== undefined) {
    const label = codePointLabel(control);
    const region = where();
    if (!region) return { kind: "bidi-code", severity: "high", message: `Bidirectional control ${label} in code: it reorders how the code displays (Trojan Source).` };
    if (!bidiBalanced(source, region)) {
      return {
        kind: "bidi-open",
        severity: "high",
        message: `Bidirectional control ${label} left open in ${DESCRIBE[region.kind]}: the code after it displays reordered (Trojan Source).`,
      };
    }
    return { kind: "bidi-balanced", severity: "low", message: `Bidirectional control ${label} in ${DESCRIBE[region.kind]}, closed inside it: only that text displays reordered.` };
  }

  const before = charBefore(source, start);
  const after = charAt(source, start + run.length);
  const unexplained = codePoints.filter((cp) => !explained(cp, run, before, after));
  if (unexplained.length === 0) return undefined;

  const region = where();
  if (!region) {
    const visible = unexplained.find((cp) => classOf(cp) !== "bom");
    if (visible === undefined) {
      return { kind: "bom-code", severity: "low", message: `${codePointLabel(0xfeff)} between tokens in code: it acts as a space, usually left where files were joined.` };
    }
    const label = codePointLabel(visible);
    if (classOf(visible) === "bidi-mark") return { kind: "bidi-mark-code", severity: "high", message: `Bidirectional mark ${label} in code, outside any string or comment.` };
    const besideIdentifier = ASCII_WORD.test(before) || ASCII_WORD.test(after) || isText(before) || isText(after);
    return {
      kind: "invisible-code",
      severity: "high",
      message: `Invisible character ${label} in code${besideIdentifier ? ", part of an identifier or beside one" : ""}: code a reviewer cannot see.`,
    };
  }
  if (unexplained.some((cp) => classOf(cp) === "tag")) {
    return { kind: "tag-text", severity: "medium", message: `Tag characters in ${DESCRIBE[region.kind]}: invisible text, as used to smuggle hidden instructions.` };
  }
  // A string that compares or prints differently from how it reads: `"adm\u200Bin"`, written literally.
  const hidden = unexplained.find((cp) => classOf(cp) !== "bidi-mark");
  if (hidden !== undefined && region.kind !== "comment" && ASCII_WORD.test(before) && ASCII_WORD.test(after)) {
    return {
      kind: "invisible-in-word",
      severity: "low",
      message: `Invisible character ${codePointLabel(hidden)} inside a word in ${DESCRIBE[region.kind]}: the text differs from what it shows.`,
    };
  }
  return undefined;
}

/**
 * Bidirectional controls and invisible characters that hide or reorder code, one finding per kind
 * (at its first place, with the count of the others). Legitimate uses stay quiet: escapes, emoji
 * sequences, joiners in non-Latin text, bidi marks in strings and comments, a byte order mark at the
 * start of the file or of a joined file's line.
 */
export function findUnicodeTrojans(source: string): InFile<AnomalyFinding>[] {
  if (!ANY_SUSPECT.test(source)) return [];
  const regions = new RegionScanner(source);
  const lines = new SourceLines(source);
  const found = new Map<Kind, { finding: InFile<AnomalyFinding>; more: number }>();

  SUSPECT_RUNS.lastIndex = 0;
  for (let match = SUSPECT_RUNS.exec(source); match; match = SUSPECT_RUNS.exec(source)) {
    const start = match.index;
    const verdict = judge(source, start, match[0], () => regions.at(start));
    if (!verdict) continue;
    const seen = found.get(verdict.kind);
    if (seen) {
      seen.more++;
      continue;
    }
    const { line, column } = lines.position(start);
    found.set(verdict.kind, {
      finding: { rule: "unicode-trojan", severity: verdict.severity, message: verdict.message, line, column, snippet: escapeInvisible(lines.snippet(start)) },
      more: 0,
    });
  }
  return [...found.values()].map(({ finding, more }) =>
    more === 0 ? finding : { ...finding, message: `${finding.message.slice(0, -1)}; ${more} more like it in this file.` },
  );
}
