import { readFileSync } from "node:fs";
import fc from "fast-check";
import { expect, it } from "vitest";
import type { ParseContext } from "../../src/lockfile/context.js";
import { parseManifest, type Manifest } from "../../src/lockfile/manifest.js";
import { LockfileError, type Lockfile, type PackageInstance } from "../../src/lockfile/model.js";

/*
 * What the parser tests share: the corpus of real lockfiles, finding packages and errors, and the
 * property tests that every parser must pass.
 */

const CORPUS = new URL("../../../shared/corpus/lockfile-pairs/", import.meta.url);

/** A file of the lockfile-pairs corpus, by its path there (`mocha-npm1-update-devdeps/head/package-lock.json`). */
export function corpusUrl(path: string): URL {
  return new URL(path, CORPUS);
}

export function corpusText(path: string): string {
  return readFileSync(corpusUrl(path), "utf8");
}

/** A parse context with these package.json files, by folder ("" for the root), each as text or as an object. */
export function manifestContext(manifests: Record<string, string | object>): ParseContext {
  const map = new Map<string, Manifest>();
  for (const [folder, manifest] of Object.entries(manifests)) {
    const text = typeof manifest === "string" ? manifest : JSON.stringify(manifest);
    map.set(folder, parseManifest(folder === "" ? "package.json" : `${folder}/package.json`, text));
  }
  return { manifests: map };
}

/** The parse context of the root package.json of one side of a corpus pair (`webpack-yarn1-dependabot-group3/head`). */
export function corpusContext(side: string): ParseContext {
  return manifestContext({ "": corpusText(`${side}/package.json`) });
}

export function byKey(lockfile: Lockfile, key: string): PackageInstance {
  const found = lockfile.packages.find((instance) => instance.key === key);
  if (!found) throw new Error(`no instance with key ${key}`);
  return found;
}

/** The first package with this name and, when given, this version or passing this test. */
export function findPackage(lockfile: Lockfile, name: string, which?: string | ((instance: PackageInstance) => boolean)): PackageInstance {
  const found = lockfile.packages.find(
    (instance) =>
      instance.name === name && (which === undefined || (typeof which === "string" ? instance.version === which : which(instance))),
  );
  if (!found) throw new Error(`${name}${typeof which === "string" ? `@${which}` : ""} not found`);
  return found;
}

/** The LockfileError that `run` throws; anything else thrown, or nothing, fails the test. */
export function lockfileErrorOf(run: () => unknown): LockfileError {
  try {
    run();
  } catch (error) {
    if (error instanceof LockfileError) return error;
    throw new Error(`threw something other than a LockfileError: ${String(error)}`, { cause: error });
  }
  throw new Error("did not throw a LockfileError");
}

// ---------------------------------------------------------------------------------------------
// Properties

type Parse = (text: string) => Lockfile;

/** Either a well-formed result (every package has a name, a version and a line inside the text) or a LockfileError. */
export function expectLockfileOrLockfileError(parse: Parse, text: string): void {
  let lockfile: Lockfile;
  try {
    lockfile = parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(LockfileError);
    return;
  }
  const lineCount = text.split("\n").length;
  for (const instance of lockfile.packages) {
    expect(instance.name).not.toBe("");
    expect(instance.version).not.toBe("");
    expect(instance.line).toBeGreaterThanOrEqual(1);
    expect(instance.line).toBeLessThanOrEqual(lineCount);
  }
}

/**
 * Nothing thrown but a LockfileError, and not the parser's safety net either: that turns any
 * unexpected exception into a generic "could not be read" LockfileError so a review never crashes,
 * which here would hide a bug.
 */
export function expectNoUnexpectedError(parse: Parse, text: string): void {
  try {
    parse(text);
  } catch (error) {
    if (!(error instanceof LockfileError) || error.problem.startsWith("could not be read")) throw error;
  }
}

/** The property tests of the line-based parsers (yarn, pnpm): arbitrary text, and lines of lockfile-shaped noise. */
export function itOnlyThrowsLockfileErrors(parse: Parse, fragments: string[]): void {
  it("only ever throws LockfileError, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expectLockfileOrLockfileError(parse, text);
      }),
      { numRuns: 400 },
    );
  });

  it("only ever throws LockfileError for lockfile-shaped noise", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...fragments), { maxLength: 25 }), (lines) => {
        expectLockfileOrLockfileError(parse, lines.join("\n"));
      }),
      { numRuns: 400 },
    );
  });
}

/** The property tests the JSON parsers (npm, bun) share: absurd nesting and arbitrary strings. */
export function itRejectsAnyTextWithLockfileErrors(parse: Parse): void {
  it("for absurdly deep nesting", () => {
    const error = lockfileErrorOf(() => parse("[".repeat(200_000)));
    expect(error.problem).toMatch(/nested too deeply/);
  });

  it("for arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        expectNoUnexpectedError(parse, text);
      }),
      { numRuns: 500 },
    );
  });
}
