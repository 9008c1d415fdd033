import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { SourceLines } from "../../src/analysis/source-lines.js";

describe("SourceLines", () => {
  it("gives 1-based lines and 0-based columns", () => {
    const lines = new SourceLines("a\nbc\n\nd");
    expect(lines.position(0)).toEqual({ line: 1, column: 0 });
    expect(lines.position(3)).toEqual({ line: 2, column: 1 });
    expect(lines.position(5)).toEqual({ line: 3, column: 0 });
    expect(lines.position(6)).toEqual({ line: 4, column: 0 });
  });

  it("cuts a long line around the offset and marks what it left out", () => {
    const source = `${"a".repeat(100)}TARGET${"b".repeat(100)}\nnext line\r\n`;
    const snippet = new SourceLines(source).snippet(100);
    expect(snippet).toBe(`…${"a".repeat(40)}TARGET${"b".repeat(74)}…`);
    expect(new SourceLines(source).snippet(source.indexOf("next"))).toBe("next line");
  });

  it("never cuts a surrogate pair in half", () => {
    const source = `${"😀".repeat(100)}X${"😀".repeat(100)}`;
    const snippet = new SourceLines(source).snippet(source.indexOf("X"));
    expect(snippet).not.toContain("\uFFFD");
    expect(snippet.replace(/^…|…$/g, "")).toMatch(/^(?:😀)+X(?:😀)+$/u);
  });

  it("returns copies that do not keep the file's text alive", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const snippets: string[] = [];
    const before = (() => {
      gc();
      return process.memoryUsage().heapUsed;
    })();
    (() => {
      // 32 MB of one-byte text, in lines of 200 characters.
      let line = "";
      for (let index = 0; line.length < 199; index++) line += String.fromCharCode(97 + ((index * 7) % 26));
      const source = `${line}\n`.repeat(160_000).slice(0);
      const lines = new SourceLines(source);
      for (let index = 0; index < 1000; index++) snippets.push(lines.snippet(index * 30_000 + 50));
    })();
    // V8 keeps the subject of the last successful regular expression match in one engine-wide slot
    // (RegExp.input); the masking's regular expressions leave a slice of the source there until the
    // next match anywhere. That is one string at a time, not one per snippet: clear it here.
    /x/.exec("x");
    gc();
    gc();
    const retained = process.memoryUsage().heapUsed - before;
    expect(snippets).toHaveLength(1000);
    expect(retained).toBeLessThan(8 * 1024 * 1024);
  });
});
