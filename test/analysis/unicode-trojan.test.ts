import { describe, expect, it } from "vitest";
import { findUnicodeTrojans } from "../../src/analysis/unicode-trojan.js";

const RLO = "\u202E";
const LRI = "\u2066";
const PDI = "\u2069";
const PDF = "\u202C";
const ZWSP = "\u200B";
const ZWJ = "\u200D";
const ZWNJ = "\u200C";
const HANGUL_FILLER = "\u3164";

const rules = (source: string) => findUnicodeTrojans(source).map((finding) => `${finding.severity} ${finding.line}:${finding.column}`);

describe("findUnicodeTrojans: Trojan Source", () => {
  it("finds the commenting-out attack: an override left open in a comment", () => {
    const source = `const isAdmin = false;\n/*${RLO} } ${LRI}if (isAdmin)${PDI} ${LRI} begin admins only */\n  console.log("You are an admin.");\n`;
    const [finding, ...rest] = findUnicodeTrojans(source);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ rule: "unicode-trojan", severity: "high", line: 2, column: 2 });
    expect(finding!.message).toContain("U+202E RIGHT-TO-LEFT OVERRIDE");
    expect(finding!.message).toContain("a comment");
    expect(finding!.message).toContain("3 more like it");
    expect(finding!.snippet).toBe("/*<U+202E> } <U+2066>if (isAdmin)<U+2069> <U+2066> begin admins only */");
  });

  it("finds the stretched string: isolates left open inside a string", () => {
    const source = `if (accessLevel != "user${RLO} ${LRI}// Check if admin${PDI} ${LRI}") {\n  grant();\n}\n`;
    const findings = findUnicodeTrojans(source);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "high", line: 1, column: 24 });
    expect(findings[0]!.message).toContain("left open in a string");
  });

  it("finds a bidi control in code, outside any literal", () => {
    expect(findUnicodeTrojans(`return${RLO} x;`)[0]).toMatchObject({ severity: "high", line: 1, column: 6 });
    expect(findUnicodeTrojans(`return${RLO} x;`)[0]!.message).toContain("in code");
  });

  it("rates low a bidi pair closed inside its string", () => {
    const findings = findUnicodeTrojans(`const label = "${RLO}olleh${PDF}";\nconst name = "\u2068${"\u05E9\u05DC\u05D5\u05DD"}${PDI}";\n`);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "low", line: 1, column: 15 });
    expect(findings[0]!.message).toContain("3 more like it");
  });

  it("rates low a bidi pair closed inside its comment", () => {
    expect(findUnicodeTrojans(`// ${RLO}olleh${PDF} is hello reversed\nx();`)[0]).toMatchObject({ severity: "low", line: 1, column: 3 });
  });

  it("sees a template expression as code, and template text as text", () => {
    expect(findUnicodeTrojans("const a = `${x" + RLO + "}`;")[0]!.message).toContain("in code");
    expect(findUnicodeTrojans("const a = `text " + RLO + " ${x}`;")[0]!.message).toContain("template literal");
    expect(findUnicodeTrojans("const a = `${`in" + RLO + "ner`}`;")[0]!.message).toContain("template literal");
    expect(findUnicodeTrojans("const a = `${ {b: 1}.b } after " + RLO + "`;")[0]!.message).toContain("template literal");
  });

  it("tells a regular expression from a division", () => {
    expect(findUnicodeTrojans(`const r = /a${RLO}b/g;`)[0]!.message).toContain("regular expression");
    // A division: the slashes are operators, so the control is in code.
    expect(findUnicodeTrojans(`const half = total / 2 + x${RLO} / y;`)[0]!.message).toContain("in code");
    expect(findUnicodeTrojans(`if (x) return /a${RLO}/.test(s);`)[0]!.message).toContain("regular expression");
  });

  it("reads quotes inside comments and regexes without losing its place", () => {
    const source = `// don't stop here\nconst q = /"/;\nconst s = 'it\\'s';\nlet x${RLO} = 1;\n`;
    expect(findUnicodeTrojans(source)[0]).toMatchObject({ severity: "high", line: 4, column: 5 });
    expect(findUnicodeTrojans(source)[0]!.message).toContain("in code");
  });
});

describe("findUnicodeTrojans: invisible characters", () => {
  it("finds a Hangul filler used as an identifier (the invisible backdoor)", () => {
    const source = `const { timeout,${HANGUL_FILLER}} = req.query;\nexec(${HANGUL_FILLER});\n`;
    const findings = findUnicodeTrojans(source);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "high", line: 1, column: 16, snippet: "const { timeout,<U+3164>} = req.query;" });
    expect(findings[0]!.message).toContain("U+3164 HANGUL FILLER in code");
    expect(findings[0]!.message).toContain("1 more like it");
  });

  it("finds zero-width characters inside identifiers", () => {
    const [finding] = findUnicodeTrojans(`if (user.adm${ZWJ}in) allow();`);
    expect(finding).toMatchObject({ severity: "high", column: 12 });
    expect(finding!.message).toContain("identifier");
    expect(findUnicodeTrojans(`let a${ZWSP} = 1;`)[0]!.severity).toBe("high");
    expect(findUnicodeTrojans(`let a\uFE01 = 1;`)[0]!.severity).toBe("high");
  });

  it("finds a variation-selector payload wherever it is", () => {
    const payload = Array.from({ length: 300 }, (_, i) => String.fromCodePoint(i < 16 ? 0xfe00 + i : 0xe0100 + (i % 240))).join("");
    const source = `const s = v => [...v].map(w => w.codePointAt(0));\neval(Buffer.from(s(\`${payload}\`)).toString('utf-8'));\n`;
    const findings = findUnicodeTrojans(source);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: "high", line: 2, column: 20 });
    expect(findings[0]!.message).toContain("300 variation-selector characters in a row");
    expect(findings[0]!.snippet).toContain("<U+FE00><U+FE01><U+FE02><…");
    expect(findings[0]!.snippet.length).toBeLessThan(200);
  });

  it("finds hidden tag-character text in a string", () => {
    const hidden = [..."ignore"].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join("");
    const [finding] = findUnicodeTrojans(`const description = "Adds numbers${hidden.slice(0, 4)}";`);
    expect(finding).toMatchObject({ severity: "medium" });
    const [long] = findUnicodeTrojans(`const description = "Adds numbers${hidden}${hidden}";`);
    expect(long).toMatchObject({ severity: "high" });
    // A subdivision flag does not cover tags smuggled after it.
    const flag = "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}";
    expect(findUnicodeTrojans(`const s = "${flag}\u{E0069}";`)[0]).toMatchObject({ severity: "medium" });
  });

  it("rates low a zero-width space inside a word of a string, a byte order mark between tokens", () => {
    expect(findUnicodeTrojans(`if (role === "adm${ZWSP}in") {}`)[0]).toMatchObject({ severity: "low", column: 17 });
    expect(findUnicodeTrojans(`var a = 1;\uFEFF var b = 2;`)[0]).toMatchObject({ severity: "low" });
  });
});

describe("findUnicodeTrojans: legitimate text stays quiet", () => {
  it("ignores escapes, which a reviewer can read", () => {
    expect(findUnicodeTrojans(String.raw`const re = /[\u200B-\u200D\uFEFF]/g; const rlo = "\u202E"; const s = "\u{E0100}";`)).toEqual([]);
  });

  it("ignores emoji sequences: presentation selectors, ZWJ sequences, keycaps, skin tones, subdivision flags", () => {
    const emoji = ["❤️", "👁️‍🗨️", "👨‍👩‍👧‍👦", "🏳️‍🌈", "#️⃣", "1️⃣", "👋🏽", "🧑🏽‍💻", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "☺︎", "©️"];
    expect(findUnicodeTrojans(`export const EMOJI = ${JSON.stringify(emoji)};\n// 🎉 party ✨\n`)).toEqual([]);
    // JSX text is not a string literal, but an emoji sequence is still text.
    expect(findUnicodeTrojans(`const el = <span>❤️ and 👨‍👩‍👧</span>;`)).toEqual([]);
  });

  it("ignores joiners in non-Latin text and ideographic variation sequences", () => {
    const persian = `می${ZWNJ}خواهم`;
    const hindi = `क्${ZWJ}ष`;
    expect(findUnicodeTrojans(`module.exports = { fa: "${persian}", hi: "${hindi}", ja: "葛\u{E0100}城" };`)).toEqual([]);
  });

  it("ignores bidi marks in strings and comments: locale data", () => {
    const arabic = `{ decimal: "\u066B", minus: "\u061C-", time: "\u200Fص", pattern: "\u200E#,##0.00" } // \u200Fنص`;
    expect(findUnicodeTrojans(`const ar = ${arabic};\nconst s = str.replace(/\u200F/g, "");\n`)).toEqual([]);
  });

  it("ignores invisible characters as data in strings and regexes of a text library", () => {
    const source = [
      `const ZERO_WIDTH = "${ZWSP}";`,
      `const JOINERS = ['${ZWNJ}', '${ZWJ}'];`,
      `const strip = s => s.replace(/[${ZWSP}${ZWNJ}${ZWJ}\uFEFF]/g, "");`,
      `const HANGUL = ['\u115F', '\u1160', '${HANGUL_FILLER}', '\uFFA0'];`,
      `const bom = text.charCodeAt(0) === 0xFEFF ? text.slice(1) : text; // strips "\uFEFF"`,
      `// a word${ZWSP}joiner in a comment`,
    ].join("\n");
    expect(findUnicodeTrojans(source)).toEqual([]);
  });

  it("ignores a byte order mark at the start of the file and of joined files", () => {
    expect(findUnicodeTrojans(`\uFEFF"use strict";\nvar a = 1;\n\uFEFF"use strict";\nvar b = 2;`)).toEqual([]);
  });

  it("reports a hashbang file normally", () => {
    expect(rules(`#!/usr/bin/env node\nlet x${ZWSP} = 1;`)).toEqual(["high 2:5"]);
  });

  it("stays fast on a large file with emoji throughout", () => {
    const chunk = `function f${"x"}(a, b) { return a / b + "❤️ ok" + /re"g/.test('s') + \`t \${a}\`; } // note\n`;
    const source = chunk.repeat(120_000) + `let z${ZWSP} = 1;\n`;
    const started = performance.now();
    const findings = findUnicodeTrojans(source);
    const elapsed = performance.now() - started;
    expect(findings.map((f) => f.line)).toEqual([120_001]);
    expect(elapsed).toBeLessThan(2000);
  });
});
