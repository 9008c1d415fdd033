/** Maps character offsets in a text to 1-based line numbers. */
export class LineIndex {
  private readonly starts: number[];

  constructor(text: string) {
    const starts = [0];
    for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    this.starts = starts;
  }

  /** The 1-based line holding `offset`. */
  lineAt(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  get lineCount(): number {
    return this.starts.length;
  }
}

const CONFLICT_MARKER = /^(<{7}|={7}|>{7})(?: |$)/m;

/** The 1-based line of the first committed merge-conflict marker, if any. */
export function conflictMarkerLine(text: string): number | undefined {
  const match = CONFLICT_MARKER.exec(text);
  if (!match) return undefined;
  return new LineIndex(text.slice(0, match.index + 1)).lineCount;
}
