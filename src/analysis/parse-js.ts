import { Parser, type Options, type Program } from "acorn";
import { LooseParser } from "acorn-loose";

/** How a file was parsed: the strict modes first, the tolerant parser only when both fail. */
export type ParseMode = "module" | "script" | "loose";

export type ParseResult = { ast: Program; mode: ParseMode; problem?: string } | { ast?: undefined; problem: string };

// Permissive flags so that CommonJS written as modules and the reverse parse at the first attempt
// (a top-level return, a hashbang, import/await where a bundler left them).
const BASE: Options = {
  ecmaVersion: "latest",
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowAwaitOutsideFunction: true,
  allowReserved: true,
};

/**
 * Parses JavaScript without running it: `.cjs` as a script, everything else as a module first (the
 * stricter grammar), then as a script, then with the tolerant parser, so that one odd file does not
 * hide a package. A file not even the tolerant parser reads gives its reason.
 */
export function parseJs(source: string, file: string): ParseResult {
  const order: ("module" | "script")[] = file.endsWith(".cjs") ? ["script", "module"] : ["module", "script"];
  let firstError: Error | undefined;
  for (const sourceType of order) {
    try {
      return { ast: Parser.parse(source, { ...BASE, sourceType }), mode: sourceType };
    } catch (error) {
      firstError ??= error as Error;
    }
  }
  try {
    const ast = LooseParser.parse(source, { ...BASE, sourceType: "script" }) as Program;
    return { ast, mode: "loose", problem: `parsed tolerantly: ${firstError?.message}` };
  } catch (error) {
    return { problem: `not parsable as JavaScript: ${(error as Error).message}` };
  }
}
