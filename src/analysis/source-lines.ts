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

  /** The line holding the offset, cut to about `width` characters around it (minified files have megabyte lines). */
  snippet(offset: number, width = 120): string {
    const start = this.source.lastIndexOf("\n", offset - 1) + 1;
    let end = this.source.indexOf("\n", offset);
    if (end === -1) end = this.source.length;
    const from = Math.max(start, Math.min(offset - Math.floor(width / 3), end - width));
    const to = Math.min(end, from + width);
    const text = this.source.slice(from, to).replace(/\r$/, "").trim();
    return `${from > start ? "…" : ""}${text}${to < end ? "…" : ""}`;
  }
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let index = source.indexOf("\n"); index !== -1; index = source.indexOf("\n", index + 1)) starts.push(index + 1);
  return starts;
}
