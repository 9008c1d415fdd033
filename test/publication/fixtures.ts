import { readFileSync } from "node:fs";
import type { Packument } from "../../src/registry/registry.js";
import type { RepositoryLocation } from "../../src/review/alert.js";

/*
 * Recorded packuments (test/fixtures/packuments): each file says in `_fixture` where its data
 * comes from and what it shows.
 */

const FIXTURES = new URL("../fixtures/packuments/", import.meta.url);

/** A recorded packument by file name (without `.json`); a fresh copy each time, safe to alter. */
export function recorded(file: string): Packument {
  return JSON.parse(readFileSync(new URL(`${file}.json`, FIXTURES), "utf8")) as Packument;
}

/** Any recorded JSON file (a tarball's package.json), as an object. */
export function recordedJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`${file}.json`, FIXTURES), "utf8")) as Record<string, unknown>;
}

export const location: RepositoryLocation = { path: "package-lock.json", line: 42 };

export const NPM = "https://registry.npmjs.org/";
