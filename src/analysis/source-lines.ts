import { secretsAround } from "./find-secrets.js";

/** Offsets to lines and short snippets, computed only when a file has something to show. */
export class SourceLines {
  private starts: number[] | undefined;

  constructor(private readonly source: string) {}

  /** 1-based line and 0-based column of an offset. */
  position(offset: number): { line: number; column: number } {
    const starts = (this.starts ??= lineStarts(this.source));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low]! };
  }

  /**
   * The line holding the offset, cut to about `width` characters around it (minified files have
   * megabyte lines), with every secret it shows masked: a secret cut by the window is masked whole.
   * The result is a copy that does not keep the file's text alive (see `detach`).
   */
  snippet(offset: number, width = 120): string {
    const source = this.source;
    const start = source.lastIndexOf("\n", offset - 1) + 1;
    let end = source.indexOf("\n", offset);
    if (end === -1) end = source.length;
    let from = Math.max(start, Math.min(offset - Math.floor(width / 3), end - width));
    let to = Math.min(end, from + width);
    // Never cut a surrogate pair: half of one is not text.
    if (from > start && isLowSurrogate(source.charCodeAt(from))) from--;
    if (to < end && isLowSurrogate(source.charCodeAt(to))) to++;

    let text = "";
    let cursor = from;
    for (const secret of secretsAround(source, from, to)) {
      if (secret.offset + secret.length <= cursor) continue;
      if (secret.offset > cursor) text += source.slice(cursor, secret.offset);
      text += secret.masked;
      cursor = secret.offset + secret.length;
    }
    if (cursor < to) text += source.slice(cursor, to);
    text = text.replace(/\r$/, "").trim();
    return detach(`${from > start ? "…" : ""}${text}${Math.max(cursor, to) < end ? "…" : ""}`);
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
