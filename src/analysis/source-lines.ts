import { secretsAround } from "./find-secrets.js";

/** Offsets to lines and short snippets, computed only when a file has something to show. */
export class SourceLines {
  private starts: number[] | undefined;

  constructor(private readonly source: string) {}

  /** 1-based line and 0-based column of an offset. */
  position(offset: number): { line: number; column: number } {
    const index = this.lineIndex(offset);
    return { line: index + 1, column: offset - this.starts![index]! };
  }

  /** The 0-based line holding an offset, by binary search: scanning for `\n` would read megabytes on a minified line. */
  private lineIndex(offset: number): number {
    const starts = (this.starts ??= lineStarts(this.source));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /**
   * The line holding the offset, cut to about `width` characters around it (minified files have
   * megabyte lines), with every secret on it masked. Masks replace secrets before the cut, so a
   * secret the window only partly covers is masked whole and a long one does not eat the window.
   * The result is a copy that does not keep the file's text alive (see `detach`).
   */
  snippet(offset: number, width = 120): string {
    const source = this.source;
    const index = this.lineIndex(offset);
    const lineStart = this.starts![index]!;
    const next = this.starts![index + 1];
    const lineEnd = next === undefined ? source.length : next - 1;
    // Twice the width on each side is enough to fill the window once secrets are masked; past that, the line is cut anyway.
    const from = Math.max(lineStart, offset - 2 * width);
    const to = Math.min(lineEnd, offset + 2 * width);

    // The text of [from, to) with secrets replaced by their masks, and where the offset falls in it.
    let text = "";
    let at = -1;
    let cursor = from;
    const masks: { start: number; end: number }[] = [];
    for (const secret of secretsAround(source, from, to)) {
      const secretEnd = secret.offset + secret.length;
      if (secretEnd <= cursor) continue;
      const plainEnd = Math.max(cursor, secret.offset);
      if (at === -1 && offset < plainEnd) at = text.length + offset - cursor;
      text += source.slice(cursor, plainEnd);
      if (at === -1 && offset < secretEnd) at = text.length; // inside the secret: at its mask
      masks.push({ start: text.length, end: text.length + secret.masked.length });
      text += secret.masked;
      cursor = secretEnd;
    }
    if (at === -1) at = text.length + Math.max(0, offset - cursor);
    if (cursor < to) text += source.slice(cursor, to);

    let start = Math.max(0, Math.min(at - Math.floor(width / 3), text.length - width));
    let end = Math.min(text.length, start + width);
    // Never cut a mask, nor a surrogate pair (half of one is not text).
    for (const mask of masks) {
      if (mask.start < start && start < mask.end) start = mask.start;
      if (mask.start < end && end < mask.end) end = mask.end;
    }
    if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start--;
    if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end++;
    const shown = text.slice(start, end).replace(/\r$/, "").trim();
    const before = start > 0 || from > lineStart;
    const after = end < text.length || Math.max(cursor, to) < lineEnd;
    return detach(`${before ? "…" : ""}${shown}${after ? "…" : ""}`);
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * A copy of a short string that shares no memory with the text it was cut from. V8 represents
 * `slice` results of 13 characters or more as a view into the parent string, and concatenations as
 * a pair of pointers to their parts, so a snippet built from the source would keep a 9 MB file alive
 * for as long as a finding is cached. Measured (64 MB source, 2,000 snippets of 120 characters, then
 * the source dropped and collected): slices and template concatenations retained 64 MB; a UTF-8
 * round trip through a Buffer retained 0.3 MB. The round trip is an explicit copy, not a side effect
 * of V8 flattening a concatenation, so it holds in any engine version.
 */
function detach(text: string): string {
  return Buffer.from(text, "utf8").toString("utf8");
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let index = source.indexOf("\n"); index !== -1; index = source.indexOf("\n", index + 1)) starts.push(index + 1);
  return starts;
}
