/**
 * One measurement of the analysis benchmark (bench/analysis.ts), in a process of its own so that its
 * peak RSS is the analysis's alone: reads a package tarball from disk, reads it with readTarball,
 * analyses it (in this thread, or with a worker pool) and prints the process's peak RSS as JSON.
 *
 *   node dist/bench/analysis-memory.js <file.tgz> <name@version> in-thread|pool [pool size]
 */
import { readFile } from "node:fs/promises";
import { analyzePackage } from "../src/analysis/analyze-package.js";
import { readTarball } from "../src/analysis/read-tarball.js";
import { createWorkerPool } from "../src/analysis/worker-pool.js";
import type { MemoryResult } from "./analysis.js";

const [file, spec, mode, size] = process.argv.slice(2);
if (!file || !spec || (mode !== "in-thread" && mode !== "pool")) {
  throw new Error("usage: analysis-memory.js <file.tgz> <name@version> in-thread|pool [pool size]");
}
const poolSize = mode === "pool" ? Number(size ?? 2) : 0;
// The pool is started before the start figure, so that figure is the process ready to work.
const pool = mode === "pool" ? createWorkerPool(poolSize) : undefined;
const startRssMb = process.memoryUsage.rss() / 2 ** 20;

const started = process.hrtime.bigint();
// As the version analyzer does: nothing holds the tarball once its files are read.
let tarballBytes = 0;
const read = async () => {
  const tarball = await readFile(file);
  tarballBytes = tarball.length;
  return readTarball(tarball);
};
const contents = await read();
const analysis = await analyzePackage(contents, pool ? { analyzeFile: pool.analyzeFile } : {});
const ms = Number(process.hrtime.bigint() - started) / 1e6;
await pool?.close();

const result: MemoryResult = {
  spec,
  mode,
  poolSize,
  tarballBytes,
  unpackedBytes: contents.files.reduce((sum, entry) => sum + entry.size, 0),
  jsBytes: analysis.stats.javascriptBytes,
  ms,
  startRssMb,
  // maxRSS is in kibibytes.
  maxRssMb: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(JSON.stringify(result));
