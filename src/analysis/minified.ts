/**
 * Whether a file is minified: a good part of it (30%) on long, dense lines of code. Reading it is no
 * way to review it, which a reviewer should know (the finding is information, not an alarm).
 *
 * A long line counts only when it looks like minified code: statements and assignments (`;`, `=`),
 * closing brackets followed by more code, no space after the punctuation, little whitespace and few
 * backslashes. A line of base64 or other encoded data, of numbers, of JSON, of SVG markup or a long
 * regular expression is long but not code, and generated code that is spaced is readable, so
 * ordinary code with one such line is not minified.
 */

import type { AnomalyFinding, InFile } from "./model.js";
import { SourceLines } from "./source-lines.js";

/** Smaller files are quick to read whatever their shape. */
const MIN_SIZE = 1024;
/** Formatted code stays well under this; minifiers write lines of tens of kilobytes (or wrap at 500). */
const LONG_LINE = 300;
/** The share of the file that must read as minified code. */
const MINIFIED_SHARE = 0.3;
/** Long lines are judged by windows of this size: all of a line up to 8 windows long, 8 spread along a longer one. */
const WINDOW = 1000;
const WINDOWS = 8;
const MAX_WHITESPACE = 0.15;
/** Statements and assignments: minified code has a `;` or `=` every 15 to 50 characters, a long regular expression barely any. */
const MIN_STATEMENTS = 0.02;
/** Regular expressions (and strings of them) are full of backslashes; code is not. */
const MAX_BACKSLASHES = 0.03;
/** Formatted code puts a space after `;` `,` `{` `=`; minifiers do not. */
const MAX_SPACED_PUNCTUATION = 0.2;
/** Closing brackets followed by more code (`){`, `});`, `},`) and arrows: the grain of code, which encoded data and markup lack. */
const CODE_GRAIN = /[)}][{;,)}]|=>/g;
const MIN_CODE_GRAIN = 3;

interface Shape {
  /** Characters on long lines that read as dense code, estimated from their windows. */
  denseChars: number;
  denseLines: number;
  /** Where the first of them starts. */
  firstOffset: number;
}

const count = (text: string, chars: RegExp) => text.replace(chars, "").length;

/** Whether a stretch of a line reads as minified code: statements, assignments and brackets, with no spaces after the punctuation. */
function denseCode(window: string): boolean {
  const length = window.length;
  if (count(window, /[^ \t]+/g) > length * MAX_WHITESPACE) return false;
  if (count(window, /[^;=]+/g) < length * MIN_STATEMENTS || count(window, /[^\\]+/g) > length * MAX_BACKSLASHES) return false;
  const spaced = window.match(/[;,{=][ \t]/g)?.length ?? 0;
  if (spaced > count(window, /[^;,{=]+/g) * MAX_SPACED_PUNCTUATION) return false;
  return (window.match(CODE_GRAIN)?.length ?? 0) >= MIN_CODE_GRAIN;
}

/** The part of a long line that reads as dense code, by the share of its windows that do (strings and data inside it do not). */
function denseChars(source: string, start: number, end: number): number {
  const length = end - start;
  const starts =
    length <= WINDOW * WINDOWS
      ? Array.from({ length: Math.ceil(length / WINDOW) }, (_, index) => start + index * WINDOW)
      : Array.from({ length: WINDOWS }, (_, index) => start + Math.floor((index * (length - WINDOW)) / (WINDOWS - 1)));
  // A short last window says little: it joins the one before.
  if (starts.length > 1 && end - starts.at(-1)! < WINDOW / 2) starts.pop();
  const dense = starts.filter((from, index) => denseCode(source.slice(from, index === starts.length - 1 ? end : from + WINDOW))).length;
  return Math.round((length * dense) / starts.length);
}

function shape(source: string): Shape {
  const found: Shape = { denseChars: 0, denseLines: 0, firstOffset: -1 };
  for (let start = 0; start < source.length; ) {
    let end = source.indexOf("\n", start);
    if (end === -1) end = source.length;
    const dense = end - start > LONG_LINE ? denseChars(source, start, end) : 0;
    if (dense > 0) {
      found.denseChars += dense;
      found.denseLines++;
      if (found.firstOffset === -1) found.firstOffset = start;
    }
    start = end + 1;
  }
  return found;
}

function minifiedShape(source: string): Shape | undefined {
  if (source.length < MIN_SIZE) return undefined;
  const found = shape(source);
  return found.denseChars >= source.length * MINIFIED_SHARE ? found : undefined;
}

/**
 * Whether a file is minified: at least 1 KB, and 30% of it or more on lines longer than 300
 * characters that read as dense code (judged a window at a time, so strings inside them do not count).
 */
export function isMinified(source: string): boolean {
  return minifiedShape(source) !== undefined;
}

function size(chars: number): string {
  return chars >= 1024 * 1024 ? `${(chars / (1024 * 1024)).toFixed(1)} MB` : `${Math.round(chars / 1024)} KB`;
}

/** The "minified-code" finding (severity info) for a minified file, at its first dense line; undefined otherwise. */
export function minifiedFinding(source: string): InFile<AnomalyFinding> | undefined {
  const found = minifiedShape(source);
  if (!found) return undefined;
  const lines = new SourceLines(source);
  const average = Math.round(found.denseChars / found.denseLines);
  return {
    rule: "minified-code",
    severity: "info",
    message: `Minified code: ${size(found.denseChars)} of ${size(source.length)} on ${found.denseLines} line${found.denseLines === 1 ? "" : "s"} averaging ${average} characters, too dense to review by reading.`,
    ...lines.position(found.firstOffset),
    snippet: lines.snippet(found.firstOffset),
  };
}
