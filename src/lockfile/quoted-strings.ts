/*
 * Double-quoted strings with backslash escapes, as JSON, yarn 1 and YAML lockfiles write keys and
 * values, read in place by the parsers' line scans.
 */

/** Index of the `"` that closes the string whose opening `"` is at `open`, or -1 when it is not closed. */
export function closingQuote(text: string, open: number): number {
  let close = text.indexOf('"', open + 1);
  while (close !== -1) {
    let backslashes = 0;
    for (let i = close - 1; i > open && text.charCodeAt(i) === 92 /* \ */; i--) backslashes++;
    if (backslashes % 2 === 0) return close;
    close = text.indexOf('"', close + 1);
  }
  return -1;
}

/** The value of a JSON string from what stands between its quotes; undefined when an escape is invalid. */
export function jsonStringValue(content: string): string | undefined {
  if (!content.includes("\\")) return content;
  try {
    return JSON.parse(`"${content}"`) as string;
  } catch {
    return undefined;
  }
}
