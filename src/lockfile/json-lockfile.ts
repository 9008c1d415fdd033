import {
  findNodeAtLocation,
  parseTree,
  printParseErrorCode,
  visit,
  type JSONPath,
  type ParseError,
} from "jsonc-parser";
import { asLockfileError, conflictMarkersError } from "./errors.js";
import { LineIndex, conflictMarkerLine } from "./lines.js";
import { LockfileError, type PackageInstance } from "./model.js";
import { closingQuote, jsonStringValue } from "./quoted-strings.js";

/*
 * JSON lockfiles (npm's package-lock.json, and bun.lock, which is JSONC with trailing commas): reading
 * them with errors that name a line, and finding the line of each entry.
 *
 * Speed: JSON.parse does the parsing; the lines of the entries come from one indexOf scan that relies
 * on the 2-space layout npm and bun always write. Files in any other layout fall back to
 * jsonc-parser's visitor.
 */

/**
 * Parses a JSON (or, with trailing commas, bun's JSONC) lockfile, turning every failure into a
 * LockfileError with the best line available: committed conflict markers first, then
 * jsonc-parser's error offset.
 */
export function readJsonLockfile(path: string, text: string, options: { trailingCommas: boolean; fix: string }): unknown {
  // A byte-order mark (an editor's doing, on line 1) is not JSON but harmless.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return options.trailingCommas ? JSON.parse(withoutTrailingCommas(json)) : JSON.parse(json);
  } catch {
    // Fall through to find out why. A conflict marker at the start of a line can never be part of
    // valid JSON, so looking for one only here keeps that scan off the common path.
  }
  const conflict = conflictMarkerLine(text);
  if (conflict !== undefined) throw conflictMarkersError(path, conflict, options.fix);
  if (text.trim() === "") throw new LockfileError(path, 1, `is empty: ${options.fix}`);
  const errors: ParseError[] = [];
  const tree = parseTree(json, errors, {
    allowTrailingComma: options.trailingCommas,
    disallowComments: !options.trailingCommas,
  });
  const first = errors[0];
  if (!first && tree) {
    // Valid JSONC that the fast path could not read (comments): take jsonc-parser's value.
    return nodeValue(tree);
  }
  // Something missing at the very end (a closing brace, the rest of a string) means the file
  // stops early; report where it stops rather than where jsonc-parser first noticed.
  const end = json.trimEnd().length;
  const truncated = !first || errors.some((error) => error.offset >= end);
  const lines = new LineIndex(json);
  const line = truncated ? lines.lineAt(Math.max(0, end - 1)) : lines.lineAt(first.offset);
  const problem = truncated
    ? `ends before the JSON is complete (the file looks truncated): ${options.fix}`
    : `is not valid JSON (${syntaxProblem(printParseErrorCode(first.error))}): ${options.fix}`;
  throw new LockfileError(path, line, problem);
}

/** The JSON parsers' safety net (see `asLockfileError`), which also explains a stack overflow. */
export function asJsonLockfileError(path: string, error: unknown, fix: string): LockfileError {
  if (error instanceof RangeError) {
    // Recursive parsing (JSON.parse, jsonc-parser) runs out of stack on absurd nesting.
    return new LockfileError(path, undefined, `is nested too deeply to be read: ${fix}`);
  }
  return asLockfileError(path, error, fix);
}

type JsonNode = NonNullable<ReturnType<typeof parseTree>>;

/** Like jsonc-parser's getNodeValue, but keeps "__proto__" keys as plain data. */
function nodeValue(node: JsonNode): unknown {
  switch (node.type) {
    case "object": {
      const object: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key && value) Object.defineProperty(object, String(key.value), { value: nodeValue(value), enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
    case "array":
      return (node.children ?? []).map(nodeValue);
    default:
      return node.value;
  }
}

const SYNTAX_PROBLEMS: Record<string, string> = {
  CommaExpected: "a comma is missing",
  ColonExpected: "a colon is missing",
  PropertyNameExpected: "a property name is missing or not double-quoted",
  ValueExpected: "a value is missing",
  CloseBraceExpected: "a closing brace is missing",
  CloseBracketExpected: "a closing bracket is missing",
  EndOfFileExpected: "unexpected text after the end of the JSON",
  InvalidSymbol: "unexpected text",
  InvalidCommentToken: "comments are not allowed",
  UnexpectedEndOfString: "a string is not closed",
  InvalidCharacter: "a string contains a control character",
};

function syntaxProblem(code: string): string {
  return SYNTAX_PROBLEMS[code] ?? (code === "" ? "unreadable" : code);
}

/**
 * The text without trailing commas (`[1, 2,]`), for JSON.parse. Strings are skipped whole so a comma
 * inside one is kept; only commas are removed, so a text with comments still fails JSON.parse and
 * goes to jsonc-parser.
 */
function withoutTrailingCommas(text: string): string {
  let out = "";
  let copied = 0;
  let quote = text.indexOf('"');
  let comma = text.indexOf(",");
  while (comma !== -1) {
    if (quote !== -1 && quote < comma) {
      const close = closingQuote(text, quote);
      if (close === -1) break;
      quote = text.indexOf('"', close + 1);
      if (comma < close) comma = text.indexOf(",", close + 1);
      continue;
    }
    let next = comma + 1;
    for (let code = text.charCodeAt(next); code === 32 || code === 10 || code === 13 || code === 9; ) {
      code = text.charCodeAt(++next);
    }
    const code = text.charCodeAt(next);
    if (code === 125 /* } */ || code === 93 /* ] */) {
      out += text.slice(copied, comma);
      copied = comma + 1;
    }
    comma = text.indexOf(",", comma + 1);
  }
  return copied === 0 ? text : out + text.slice(copied);
}

// ---------------------------------------------------------------------------------------------
// Lines

/** Finds the line of a JSON path, for error messages (slow: it parses the text again, once). */
export class JsonLocator {
  private tree: JsonNode | undefined | null = null;
  private index: LineIndex | undefined;
  constructor(private readonly text: string) {}

  line(path: JSONPath): number | undefined {
    if (this.tree === null) this.tree = parseTree(this.text, [], { allowTrailingComma: true });
    const node = this.tree && findNodeAtLocation(this.tree, path);
    if (!node) return undefined;
    // The property's key, not its value: that is the line a reader looks for.
    const offset = node.parent?.type === "property" ? node.parent.offset : node.offset;
    this.index ??= new LineIndex(this.text);
    return this.index.lineAt(offset);
  }
}

/** Sets each instance's line to that of its key in a top-level section (`"packages"`). */
export function assignLinesFromSection(instances: PackageInstance[], text: string, section: string): void {
  assignLines(instances, keyLinesFromScan(text, section), () =>
    keyLinesFromVisitor(text, (path, property) => (path.length === 1 && path[0] === section ? property : undefined)),
  );
}

/**
 * Lines of the keys of one top-level section (`"packages"`) as npm and bun write it: the section at
 * two spaces, its keys at four. Returns undefined when the text is laid out differently.
 */
function keyLinesFromScan(text: string, section: string): Map<string, number> | undefined {
  const found = findSection(text, section);
  if (!found) return undefined;
  const lines = new Map<string, number>();
  let line = found.line;
  // One pass over the section's lines (counting them as it goes), reading a key where a line
  // starts with exactly four spaces and a quote.
  for (let nl = text.indexOf("\n", found.start + 1); nl !== -1 && nl < found.end; nl = text.indexOf("\n", nl + 1)) {
    line++;
    if (
      text.charCodeAt(nl + 5) === 34 /* '"' */ &&
      text.charCodeAt(nl + 4) === 32 &&
      text.charCodeAt(nl + 3) === 32 &&
      text.charCodeAt(nl + 2) === 32 &&
      text.charCodeAt(nl + 1) === 32
    ) {
      const close = closingQuote(text, nl + 5);
      const key = close === -1 ? undefined : jsonStringValue(text.slice(nl + 6, close));
      if (key !== undefined && !lines.has(key)) lines.set(key, line);
    }
  }
  return lines;
}

/**
 * Lines of the objects nested in one top-level section as npm writes lockfileVersion 1's
 * `"dependencies"` tree: entries at 4 + 4n spaces, each `"name": {`, nesting following the
 * indentation. `keyOf` names an entry from its parent's key ("" at the top) and its own name.
 * Returns undefined when the text is laid out differently.
 */
export function nestedKeyLinesFromScan(
  text: string,
  section: string,
  keyOf: (parent: string, name: string) => string,
): Map<string, number> | undefined {
  const found = findSection(text, section);
  if (!found) return undefined;
  const lines = new Map<string, number>();
  const stack: string[] = [];
  let line = found.line;
  // One pass over the lines of the section, reading only each line's indentation and key.
  for (let nl = text.indexOf("\n", found.start + 1); nl !== -1 && nl < found.end; nl = text.indexOf("\n", nl + 1)) {
    line++;
    let at = nl + 1;
    while (text.charCodeAt(at) === 32) at++;
    const indent = at - nl - 1;
    if (indent < 4 || indent % 4 !== 0 || text.charCodeAt(at) !== 34 /* '"' */) continue;
    const close = closingQuote(text, at);
    if (close === -1 || !text.startsWith(": {", close + 1)) continue;
    const depth = indent / 4 - 1;
    if (depth > stack.length) return undefined;
    const name = jsonStringValue(text.slice(at + 1, close));
    if (name === undefined) return undefined;
    stack.length = depth;
    const key = keyOf(depth === 0 ? "" : stack[depth - 1]!, name);
    stack.push(key);
    if (!lines.has(key)) lines.set(key, line);
  }
  return lines;
}

/**
 * Where a top-level section (`\n  "name": {`) starts, the line its header is on, and where it ends
 * (the first line after it that closes an object at two spaces, or the end of the text).
 */
function findSection(text: string, section: string): { start: number; end: number; line: number } | undefined {
  const header = `\n  "${section}": {`;
  const start = text.indexOf(header);
  if (start === -1) return undefined;
  let end = text.indexOf("\n  }", start + header.length);
  if (end === -1) end = text.length;
  return { start, end, line: lineAfter(text, start) };
}

/** The line that starts right after the newline at `newline`. */
function lineAfter(text: string, newline: number): number {
  let line = 1;
  for (let nl = text.indexOf("\n"); nl !== -1 && nl <= newline; nl = text.indexOf("\n", nl + 1)) line++;
  return line;
}

/**
 * Sets each instance's line from the fast scan; if the scan missed any (the file is laid out in an
 * unusual way), from the slow `fallback` instead.
 */
export function assignLines(
  instances: PackageInstance[],
  scanned: Map<string, number> | undefined,
  fallback: () => Map<string, number>,
): void {
  if (scanned) {
    let complete = true;
    for (const instance of instances) {
      const line = scanned.get(instance.key);
      if (line === undefined) {
        complete = false;
        break;
      }
      instance.line = line;
    }
    if (complete) return;
  }
  const lines = fallback();
  for (const instance of instances) instance.line = lines.get(instance.key) ?? 1;
}

/** Slow but layout-proof: every key jsonc-parser reports, filtered by `keyOf`. */
export function keyLinesFromVisitor(
  text: string,
  keyOf: (path: JSONPath, property: string) => string | undefined,
): Map<string, number> {
  const lines = new Map<string, number>();
  visit(
    text,
    {
      onObjectProperty(property, _offset, _length, startLine, _startCharacter, pathSupplier) {
        const key = keyOf(pathSupplier(), property);
        if (key !== undefined && !lines.has(key)) lines.set(key, startLine + 1);
      },
    },
    { allowTrailingComma: true },
  );
  return lines;
}
