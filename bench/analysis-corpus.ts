/**
 * The packages the analysis benchmark measures and where their tarballs are kept, shared by
 * bench/analysis.ts and bench/profile-analysis.ts.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: this file runs as dist/bench/analysis-corpus.js. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CACHE = join(ROOT, "bench", ".cache");
export const TARBALLS = join(CACHE, "tarballs");

/** Popular packages, exact versions: the throughput corpus (from the issue). */
export const CORPUS = [
  "lodash@4.17.21",
  "typescript@5.9.3",
  "next@15.5.29",
  "react-dom@19.3.1",
  "webpack@5.112.2",
  "eslint@10.15.0",
  "prettier@3.10.1",
  "rxjs@7.8.2",
  "moment@2.31.0",
  "axios@1.21.1",
];

/**
 * Real updates, previous release → the corpus version where there is one. Whether a pair is one
 * where "few files changed" is decided by the run, from the tarballs; the pairs that are not are
 * measured for information, with no target.
 */
export const PAIRS: [string, string][] = [
  ["lodash@4.17.20", "lodash@4.17.21"],
  ["axios@1.21.0", "axios@1.21.1"],
  ["typescript@5.9.2", "typescript@5.9.3"],
  ["react-dom@19.3.0", "react-dom@19.3.1"],
  ["rxjs@7.8.1", "rxjs@7.8.2"],
  ["eslint@9.39.4", "eslint@9.39.5"],
  ["eslint@10.14.0", "eslint@10.15.0"],
  ["webpack@5.112.1", "webpack@5.112.2"],
  ["prettier@3.10.0", "prettier@3.10.1"],
  ["next@15.5.28", "next@15.5.29"],
];

/** The package whose peak memory is held to the memory target. */
export const MEMORY_PACKAGE = "next@15.5.29";

export function nameOf(spec: string): string {
  return spec.slice(0, spec.lastIndexOf("@"));
}

export function tarballPath(spec: string): string {
  return join(TARBALLS, `${spec.replace("/", "__")}.tgz`);
}
