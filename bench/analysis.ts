/**
 * The package analysis benchmark: the full analysis of real package tarballs against the bare parse
 * and walk that any reading of the code costs, measured side by side in one run; the worker pool
 * against the analysis in this thread; an update with the findings cache against analysing the new
 * version from scratch; and the peak memory of analysing the largest package. Speed targets live
 * here rather than in timed tests, which would be flaky on shared runners.
 *
 *   npm run bench:analysis                         builds, then runs every section
 *   npm run bench:analysis -- throughput update    only the named sections (throughput, pool, update, memory)
 *   npm run bench:analysis -- eslint next          only these packages (and the pairs of these packages)
 *
 * The tarballs are downloaded once (with pacote, from the registry npm is configured for) into
 * bench/.cache/ and reused from there. Exits non-zero only when something crashes; a missed target
 * is printed as MISSED.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, platform, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Parser, type Options, type Program } from "acorn";
import { full } from "acorn-walk";
import pacote from "pacote";
import { DEFAULT_MAX_PARSE_BYTES, type FileFindings } from "../src/analysis/analyze-file.js";
import { analyzePackage, type FindingsCache, type PackageAnalysis } from "../src/analysis/analyze-package.js";
import { memoryFindingsCache } from "../src/analysis/caches.js";
import type { PackageContents, PackageFile } from "../src/analysis/model.js";
import { readTarball } from "../src/analysis/read-tarball.js";
import { createWorkerPool } from "../src/analysis/worker-pool.js";
import { CACHE, CORPUS, MEMORY_PACKAGE, nameOf, PAIRS, TARBALLS, tarballPath } from "./analysis-corpus.js";

// ---------------------------------------------------------------------------------------------
// Where things are, and what is measured

const MEMORY_SCRIPT = fileURLToPath(new URL("./analysis-memory.js", import.meta.url));

const THROUGHPUT_TARGET = 0.8;
const POOL_SIZE = 2;
const POOL_TARGET = 1.6;
const UPDATE_TARGET = 5;
/** An update qualifies as "few files changed" when at most this share of its JavaScript must be analysed again. */
const UPDATE_QUALIFIES = 0.15;
const MEMORY_TARGET_MB = 600;

const SECTIONS = ["throughput", "pool", "update", "memory"] as const;
type Section = (typeof SECTIONS)[number];

// ---------------------------------------------------------------------------------------------
// Downloading

/** Fetches the tarballs not in bench/.cache/ yet, saying which; the ones there are reused as they are. */
async function ensureTarballs(specs: string[]): Promise<void> {
  await mkdir(TARBALLS, { recursive: true });
  for (const spec of specs) {
    const file = tarballPath(spec);
    if (existsSync(file)) continue;
    process.stderr.write(`downloading ${spec} ... `);
    const data = await pacote.tarball(spec, { cache: join(CACHE, "pacote") });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, data);
    await rename(temporary, file);
    process.stderr.write(`${(data.length / 1e6).toFixed(1)} MB (${data.integrity})\n`);
  }
}

async function loadContents(spec: string): Promise<PackageContents> {
  return readTarball(await readFile(tarballPath(spec)));
}

// ---------------------------------------------------------------------------------------------
// One core

/** The CPU the single-core sections run on: the last one allowed, as CPU 0 usually takes most interrupts. */
function lastAllowedCpu(): number {
  return Number(allowedCpus()?.match(/(\d+)\s*$/)?.[1] ?? 0);
}

function allowedCpus(): string | undefined {
  try {
    return readFileSync("/proc/self/status", "utf8").match(/^Cpus_allowed_list:\s*(.+)$/m)?.[1];
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

/**
 * Collecting before every sample (BENCH_GC=1, with --expose-gc) was the rule until it turned out to
 * cost the sample after it: a forced gc() makes V8 deoptimize acorn's parser (about 100 deopts in the
 * next sample, against 1 to 6 after the natural collections of a warm process), so every sample paid
 * 250 to 650 ms of CPU that a running server does not; short samples (updates) most. Off by default:
 * the sides are interleaved and alternate, so neither always inherits the other's garbage.
 */
const gc = process.env.BENCH_GC === "1" ? (globalThis as { gc?: () => void }).gc : undefined;

/** One sample: wall-clock time, and the CPU time the process used (all its threads). */
interface Sample {
  wall: number;
  cpu: number;
}

interface Stats {
  /** CPU time (ms): on one core, what the work costs even when other processes share the core. */
  cpu: number;
  cpuP95: number;
  /** Wall-clock time (ms): what counts with worker threads, whose CPU time adds up across cores. */
  wall: number;
  wallP95: number;
  n: number;
}

async function time(run: () => Promise<unknown>): Promise<Sample> {
  // A clean heap before each sample: collection caused by the sample's own garbage is still timed.
  gc?.();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run();
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

function quantile(sorted: number[], q: number): number {
  // Nearest rank: every reported figure is one that was measured.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function stats(samples: Sample[]): Stats {
  const cpu = samples.map((sample) => sample.cpu).sort((a, b) => a - b);
  const wall = samples.map((sample) => sample.wall).sort((a, b) => a - b);
  return { cpu: quantile(cpu, 0.5), cpuP95: quantile(cpu, 0.95), wall: quantile(wall, 0.5), wallP95: quantile(wall, 0.95), n: samples.length };
}

/** Warm-up rounds: at least MIN, more while within WARMUP_MS (next gets the minimum). */
const WARMUP_MIN = Number(process.env.BENCH_WARMUP ?? 1);
const WARMUP_MAX = 10;
const WARMUP_MS = 4000;
const MIN_ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5);
/** Small packages get more samples, up to this much time per case. */
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 12000);
const MAX_ITERATIONS = 60;

/** One side of a comparison: takes one sample (doing any untimed preparation itself). */
type Side = () => Promise<Sample>;

/**
 * Warms every side up, then samples them in turn, alternating the order every round so that none
 * always inherits another's heap state.
 */
async function sideBySide(sides: Side[]): Promise<Stats[]> {
  const warming = Date.now();
  for (let round = 0; round < WARMUP_MAX; round++) {
    if (round >= WARMUP_MIN && Date.now() - warming > WARMUP_MS) break;
    for (const side of sides) await side();
  }
  const samples: Sample[][] = sides.map(() => []);
  const started = Date.now();
  for (let round = 0; round < MAX_ITERATIONS; round++) {
    if (round >= MIN_ITERATIONS && Date.now() - started > BUDGET_MS) break;
    const order = sides.map((_, index) => index);
    if (round % 2 === 1) order.reverse();
    for (const index of order) samples[index]!.push(await sides[index]!());
  }
  return samples.map(stats);
}

// ---------------------------------------------------------------------------------------------
// The baseline: a bare parse and a full walk of the files the analysis parses

// The analysis (parse-js.ts) parses with these flags, so that CommonJS written as modules and the
// reverse parse at the first attempt. The baseline uses them too: they cost nothing per node, and
// without them a file the analysis reads at its first attempt could take the baseline two failed
// parses, which would flatter the analysis.
const BARE: Options = {
  ecmaVersion: "latest",
  allowHashBang: true,
  allowReturnOutsideFunction: true,
  allowImportExportEverywhere: true,
  allowAwaitOutsideFunction: true,
  allowReserved: true,
};

const noop = () => {};

/** Module, then script when that fails (`.cjs` the other way round, as the analysis does); undefined when neither parses. */
function bareParse(source: string, path: string): Program | undefined {
  const order: ("module" | "script")[] = path.endsWith(".cjs") ? ["script", "module"] : ["module", "script"];
  for (const sourceType of order) {
    try {
      return Parser.parse(source, { ...BARE, sourceType });
    } catch {
      // the next mode
    }
  }
  return undefined;
}

/** Decodes, parses and walks every file: returns how many neither mode could parse. */
function baseline(files: PackageFile[]): number {
  let failed = 0;
  for (const file of files) {
    const ast = bareParse(file.data.toString("utf8"), file.path);
    if (ast) full(ast, noop);
    else failed++;
  }
  return failed;
}

/** The files the analysis parses: its JavaScript (by its own hashes: exactly the files it read as code), under the parse limit. */
function parsedFiles(contents: PackageContents, analysis: PackageAnalysis): PackageFile[] {
  return contents.files.filter((file) => file.path in analysis.hashes && file.size <= DEFAULT_MAX_PARSE_BYTES);
}

function tolerantCount(analysis: PackageAnalysis): { loose: number; unparsed: number } {
  const reasons = analysis.notAnalysed.map((entry) => entry.reason);
  return {
    loose: reasons.filter((reason) => reason.startsWith("parsed tolerantly")).length,
    unparsed: reasons.filter((reason) => reason.startsWith("not parsable") || reason.includes("parse limit")).length,
  };
}

// ---------------------------------------------------------------------------------------------
// The sections, each run in a child process of its own

interface ThroughputResult {
  spec: string;
  files: number;
  jsFiles: number;
  jsBytes: number;
  /** Files (and bytes) the baseline parses: the JavaScript under the parse limit. */
  parsedFiles: number;
  parsedBytes: number;
  baselineFailed: number;
  loose: number;
  unparsed: number;
  analysis: Stats;
  baseline: Stats;
  peakRssMb: number;
}

async function throughputCase(spec: string): Promise<ThroughputResult> {
  const contents = await loadContents(spec);
  const first = await analyzePackage(contents);
  const files = parsedFiles(contents, first);
  let baselineFailed = 0;
  const [analysis, bare] = await sideBySide([
    () => time(() => analyzePackage(contents)),
    () =>
      time(async () => {
        baselineFailed = baseline(files);
      }),
  ]);
  return {
    spec,
    files: contents.files.length,
    jsFiles: first.stats.javascriptFiles,
    jsBytes: first.stats.javascriptBytes,
    parsedFiles: files.length,
    parsedBytes: files.reduce((sum, file) => sum + file.size, 0),
    baselineFailed,
    ...tolerantCount(first),
    analysis: analysis!,
    baseline: bare!,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

interface PoolResult {
  spec: string;
  jsBytes: number;
  cpusUsable: number;
  inThread: Stats;
  pool: Stats;
  /** The pool's findings are the in-thread ones. */
  same: boolean;
}

async function poolCase(spec: string): Promise<PoolResult> {
  const contents = await loadContents(spec);
  // Created once, outside the timing, as the server does: a pool lives as long as the process.
  const pool = createWorkerPool(POOL_SIZE);
  try {
    const first = await analyzePackage(contents);
    const pooled = await analyzePackage(contents, { analyzeFile: pool.analyzeFile });
    const [inThread, withPool] = await sideBySide([
      () => time(() => analyzePackage(contents)),
      () => time(() => analyzePackage(contents, { analyzeFile: pool.analyzeFile })),
    ]);
    return {
      spec,
      jsBytes: first.stats.javascriptBytes,
      cpusUsable: availableParallelism(),
      inThread: inThread!,
      pool: withPool!,
      same: sameFindings(first, pooled),
    };
  } finally {
    await pool.close();
  }
}

interface UpdateResult {
  from: string;
  to: string;
  jsFiles: number;
  jsBytes: number;
  /** JavaScript files of the new version whose content the old version did not have. */
  changedFiles: number;
  changedBytes: number;
  reusedFiles: number;
  update: Stats;
  scratch: Stats;
  /** readTarball of the new version, for information: common to both, outside their timing. */
  read: Stats;
  same: boolean;
}

/** The findings the analysis reports, without the statistics (which count reused files). */
function sameFindings(a: PackageAnalysis, b: PackageAnalysis): boolean {
  const findings = (analysis: PackageAnalysis) =>
    JSON.stringify([analysis.package, analysis.capabilities, analysis.anomalies, analysis.installScripts, analysis.notAnalysed, analysis.hashes]);
  return findings(a) === findings(b);
}

async function updateCase(from: string, to: string): Promise<UpdateResult> {
  const previous = await loadContents(from);
  const next = await loadContents(to);
  const nextTarball = await readFile(tarballPath(to));
  // The findings the previous version leaves in the cache, captured once and copied into a fresh
  // memoryFindingsCache before every sample (untimed): a sample must not find the new files cached
  // by the sample before it.
  const warmed = new Map<string, FileFindings>();
  const recorder: FindingsCache = { get: (hash) => warmed.get(hash), set: (hash, findings) => warmed.set(hash, findings) };
  await analyzePackage(previous, { cache: recorder });
  const warmCache = () => {
    const cache = memoryFindingsCache();
    for (const [hash, findings] of warmed) cache.set(hash, findings);
    return cache;
  };

  const scratchResult = await analyzePackage(next);
  const updateResult = await analyzePackage(next, { cache: warmCache() });
  const changed = next.files.filter((file) => file.path in scratchResult.hashes && !warmed.has(scratchResult.hashes[file.path]!));
  const [update, scratch, read] = await sideBySide([
    async () => {
      const cache = warmCache();
      return time(() => analyzePackage(next, { cache }));
    },
    () => time(() => analyzePackage(next)),
    () => time(() => readTarball(nextTarball)),
  ]);
  return {
    from,
    to,
    jsFiles: scratchResult.stats.javascriptFiles,
    jsBytes: scratchResult.stats.javascriptBytes,
    changedFiles: changed.length,
    changedBytes: changed.reduce((sum, file) => sum + file.size, 0),
    reusedFiles: updateResult.stats.reusedFiles,
    update: update!,
    scratch: scratch!,
    read: read!,
    same: sameFindings(scratchResult, updateResult),
  };
}

/** What bench/analysis-memory.ts reports. */
export interface MemoryResult {
  spec: string;
  mode: "in-thread" | "pool";
  poolSize: number;
  tarballBytes: number;
  unpackedBytes: number;
  jsBytes: number;
  ms: number;
  /** RSS once the modules are loaded, before the tarball is read. */
  startRssMb: number;
  maxRssMb: number;
}

// ---------------------------------------------------------------------------------------------
// Children

const CHILD = "--child";

interface ChildRun {
  pinned: boolean;
  /** The CPU when pinned; why not otherwise. */
  note: string;
}

/** A case that ran out of time: the analysis hung or is far too slow, which is a missed target, not a crash. */
interface TimedOut {
  label: string;
  timedOut: true;
}

/** No case of healthy code needs more than a few minutes; one that takes longer is reported and the run goes on. */
const CASE_TIMEOUT_S = Number(process.env.BENCH_CASE_TIMEOUT_S ?? 600);

type Outcome<T> = (T & ChildRun & { timedOut?: false }) | TimedOut;

/** Runs a section's case in a child process, pinned to one CPU (taskset) or not, and returns what it printed. */
function runChild<T>(args: string[], pin: boolean, label: string, script = process.argv[1]!, execArgv = process.execArgv): Outcome<T> {
  const command = [process.execPath, ...execArgv, script, ...args];
  let child = pin && platform() === "linux" ? spawnSync("taskset", ["-c", String(lastAllowedCpu()), ...command], options()) : undefined;
  let note = pin ? `pinned to CPU ${lastAllowedCpu()}` : "not pinned";
  if (!child || (child.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    if (pin) note = "NOT pinned (no taskset or not Linux)";
    child = spawnSync(command[0]!, command.slice(1), options());
  }
  if ((child.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT") {
    process.stderr.write(`${label}: did not finish within ${CASE_TIMEOUT_S} s, stopped\n`);
    return { label, timedOut: true };
  }
  if (child.status !== 0) throw new Error(`${label} crashed (exit ${child.status ?? child.signal}); its error is above`);
  return { ...(JSON.parse(child.stdout) as T), pinned: pin && !note.startsWith("NOT"), note };
}

function options() {
  return {
    encoding: "utf8" as const,
    stdio: ["ignore", "pipe", "inherit"] as ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
    timeout: CASE_TIMEOUT_S * 1000,
    killSignal: "SIGKILL" as const,
  };
}

function finished<T>(outcomes: Outcome<T>[]): (T & ChildRun)[] {
  return outcomes.filter((outcome): outcome is T & ChildRun & { timedOut?: false } => !outcome.timedOut);
}

function timedOut<T>(outcomes: Outcome<T>[]): TimedOut[] {
  return outcomes.filter((outcome): outcome is TimedOut => outcome.timedOut === true);
}

/** Rows for the cases that ran out of time: MISSED, since the target cannot be met by what does not finish. */
function timeoutRows(outcomes: TimedOut[], columns: number, section: string): string[][] {
  return outcomes.map((outcome) => {
    const row = Array.from({ length: columns }, () => "");
    row[0] = outcome.label;
    row[1] = `did not finish within ${CASE_TIMEOUT_S} s`;
    row[columns - 1] = verdict(false, `${section} (${outcome.label}: did not finish)`);
    return row;
  });
}

async function child(args: string[]): Promise<unknown> {
  const [section, ...rest] = args;
  switch (section) {
    case "throughput":
      return throughputCase(rest[0]!);
    case "pool":
      return poolCase(rest[0]!);
    case "update":
      return updateCase(rest[0]!, rest[1]!);
    default:
      throw new Error(`unknown child section ${section}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Reporting

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  return [line(rows[0]!), widths.map((width) => "-".repeat(width)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(2);
const ms = (value: number) => value.toFixed(0);
/** Throughput in MB (10^6 bytes) of JavaScript per second. */
const rate = (bytes: number, milliseconds: number) => (bytes / 1e6 / (milliseconds / 1000)).toFixed(1);
const times = (value: number) => `${value.toFixed(2)}x`;

function header(sections: Section[]): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return [
    `Tollgate package analysis benchmark`,
    `node ${process.version}, ${platform()}, ${cpu}, ${cpus().length} CPU(s) in the machine, ${availableParallelism()} usable by this run, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    `load average at start: ${loadavg().map((load) => load.toFixed(2)).join(" ")}`,
    gc ? `gc() between samples (BENCH_GC=1)` : `no forced gc() between samples (BENCH_GC=1 to force one before each)`,
    `per case: ${WARMUP_MIN} to ${WARMUP_MAX} warm-up rounds (${WARMUP_MS / 1000} s), then at least ${MIN_ITERATIONS} interleaved samples (more up to ${BUDGET_MS / 1000} s); one child process per case`,
    `sections: ${sections.join(", ")}`,
  ].join("\n");
}

const missed: string[] = [];

function verdict(ok: boolean, label: string): string {
  if (!ok) missed.push(label);
  return ok ? "ok" : "MISSED";
}

function reportThroughput(outcomes: Outcome<ThroughputResult>[]): void {
  const results = finished(outcomes);
  const stuck = timedOut(outcomes);
  console.log(`\n1. Throughput, in this thread, ${results[0]?.note ?? "pinned"} (CPU time)`);
  console.log(`   analysis = analyzePackage(contents), no cache; baseline = for each file the analysis parses: utf-8 decode, acorn Parser.parse`);
  console.log(`   (ecmaVersion "latest", module then script), acorn-walk full() with a no-op callback. readTarball is common to both, outside the timing.`);
  const header = ["package", "files", "JS files", "JS MB", "n", "analysis ms", "p95", "MB/s", "baseline ms", "p95", "MB/s", "ratio", "RSS MiB", "result"];
  const rows = [header];
  let bytes = 0;
  let analysisMs = 0;
  let baselineMs = 0;
  for (const r of results) {
    bytes += r.jsBytes;
    analysisMs += r.analysis.cpu;
    baselineMs += r.baseline.cpu;
    const ratio = r.baseline.cpu / r.analysis.cpu;
    rows.push([
      r.spec,
      String(r.files),
      String(r.jsFiles),
      mb(r.jsBytes),
      String(r.analysis.n),
      ms(r.analysis.cpu),
      ms(r.analysis.cpuP95),
      rate(r.jsBytes, r.analysis.cpu),
      ms(r.baseline.cpu),
      ms(r.baseline.cpuP95),
      rate(r.jsBytes, r.baseline.cpu),
      times(ratio),
      r.peakRssMb.toFixed(0),
      ratio >= THROUGHPUT_TARGET ? "ok" : "below",
    ]);
  }
  rows.push(...timeoutRows(stuck, header.length, "throughput"));
  if (results.length > 0) {
    const ratio = baselineMs / analysisMs;
    const label = stuck.length > 0 ? `overall (the ${results.length} that finished)` : "overall";
    rows.push([label, "", "", mb(bytes), "", ms(analysisMs), "", rate(bytes, analysisMs), ms(baselineMs), "", rate(bytes, baselineMs), times(ratio), "", ""]);
    // The corpus as a whole cannot keep the throughput when one of its packages does not finish.
    rows[rows.length - 1]![header.length - 1] = stuck.length > 0 ? "MISSED" : verdict(ratio >= THROUGHPUT_TARGET, "throughput (overall)");
  }
  console.log(table(rows));
  console.log(`   ms: CPU medians (and p95) of n samples per side; MB/s = JS MB / median; ratio = analysis MB/s / baseline MB/s;`);
  console.log(`   overall = all JS bytes / the sum of the per-package medians. Target: ratio >= ${THROUGHPUT_TARGET} overall; a package below it is marked "below".`);
  for (const r of results) {
    const notes: string[] = [];
    if (r.parsedFiles !== r.jsFiles) notes.push(`${r.jsFiles - r.parsedFiles} JS file(s) over the parse limit, not parsed by either side`);
    if (r.baselineFailed > 0) notes.push(`${r.baselineFailed} file(s) neither mode parses: the baseline skips them, the analysis reads them with acorn-loose`);
    if (r.loose > 0 || r.unparsed > 0) notes.push(`analysis: ${r.loose} tolerant parse(s), ${r.unparsed} not parsed`);
    if (notes.length > 0) console.log(`   ${r.spec}: ${notes.join("; ")}`);
  }
}

function reportPool(outcomes: Outcome<PoolResult>[]): void {
  const results = finished(outcomes);
  const stuck = timedOut(outcomes);
  console.log(`\n2. Worker pool of ${POOL_SIZE} against this thread, NOT pinned (wall-clock; ${results[0]?.cpusUsable ?? "?"} CPUs usable)`);
  console.log(`   in-thread = analyzePackage(contents); pool = the same with { analyzeFile: pool.analyzeFile }; the pool is created once, outside the timing.`);
  const header = ["package", "JS MB", "n", "in-thread ms", "p95", "MB/s", "pool ms", "p95", "MB/s", "speed-up", "CPU in/pool ms", "same", "result"];
  const rows = [header];
  let bytes = 0;
  let inThreadMs = 0;
  let poolMs = 0;
  for (const r of results) {
    bytes += r.jsBytes;
    inThreadMs += r.inThread.wall;
    poolMs += r.pool.wall;
    const speedUp = r.inThread.wall / r.pool.wall;
    rows.push([
      r.spec,
      mb(r.jsBytes),
      String(r.pool.n),
      ms(r.inThread.wall),
      ms(r.inThread.wallP95),
      rate(r.jsBytes, r.inThread.wall),
      ms(r.pool.wall),
      ms(r.pool.wallP95),
      rate(r.jsBytes, r.pool.wall),
      times(speedUp),
      `${ms(r.inThread.cpu)}/${ms(r.pool.cpu)}`,
      r.same ? "yes" : "NO",
      speedUp >= POOL_TARGET ? "ok" : "below",
    ]);
    if (!r.same) missed.push(`pool findings differ (${r.spec})`);
  }
  rows.push(...timeoutRows(stuck, header.length, "pool"));
  if (results.length > 0) {
    const speedUp = inThreadMs / poolMs;
    const label = stuck.length > 0 ? `overall (the ${results.length} that finished)` : "overall";
    rows.push([label, mb(bytes), "", ms(inThreadMs), "", rate(bytes, inThreadMs), ms(poolMs), "", rate(bytes, poolMs), times(speedUp), "", "", ""]);
    rows[rows.length - 1]![header.length - 1] = verdict(speedUp >= POOL_TARGET, "pool speed-up (overall)");
  }
  console.log(table(rows));
  console.log(`   ms: wall-clock medians (and p95); speed-up = in-thread median / pool median; CPU: the process's CPU medians (all threads);`);
  console.log(`   same: the pool's findings equal the in-thread ones. Target: speed-up >= ${POOL_TARGET} overall; a package below it is marked "below".`);
}

function reportUpdate(outcomes: Outcome<UpdateResult>[]): void {
  const results = finished(outcomes);
  console.log(`\n3. Update with the findings cache, in this thread, ${results[0]?.note ?? "pinned"} (CPU time)`);
  console.log(`   update = analyzePackage(new, { cache }) with a memoryFindingsCache holding the previous version's findings (filled untimed before each sample);`);
  console.log(`   scratch = analyzePackage(new). Both read the same PackageContents: readTarball (shown for information) is outside both timings.`);
  const header = ["pair", "JS files changed", "JS MB changed", "reused", "n", "update ms", "p95", "scratch ms", "p95", "speed-up", "read ms", "with read", "same", "result"];
  const rows = [header];
  for (const r of results) {
    const speedUp = r.scratch.cpu / r.update.cpu;
    const share = r.changedBytes / r.jsBytes;
    const qualifies = share <= UPDATE_QUALIFIES;
    rows.push([
      `${r.from} → ${r.to.slice(r.to.lastIndexOf("@") + 1)}`,
      `${r.changedFiles}/${r.jsFiles}`,
      `${mb(r.changedBytes)}/${mb(r.jsBytes)} (${(share * 100).toFixed(1)}%)`,
      String(r.reusedFiles),
      String(r.update.n),
      ms(r.update.cpu),
      ms(r.update.cpuP95),
      ms(r.scratch.cpu),
      ms(r.scratch.cpuP95),
      times(speedUp),
      ms(r.read.cpu),
      times((r.scratch.cpu + r.read.cpu) / (r.update.cpu + r.read.cpu)),
      r.same ? "yes" : "NO",
      qualifies ? verdict(speedUp >= UPDATE_TARGET, `update (${r.from} → ${r.to})`) : "-",
    ]);
    if (!r.same) missed.push(`update findings differ (${r.from} → ${r.to})`);
  }
  rows.push(...timeoutRows(timedOut(outcomes), header.length, "update"));
  console.log(table(rows));
  console.log(`   ms: CPU medians (and p95); speed-up = scratch median / update median; "with read" = the same ratio with readTarball's median added to both;`);
  console.log(`   changed: JS files of the new version whose content (sha256) the previous version did not have; same: the update's findings equal the scratch ones.`);
  console.log(`   target: speed-up >= ${UPDATE_TARGET}x for pairs where at most ${UPDATE_QUALIFIES * 100}% of the JS bytes changed ("few files changed"); "-": more changed, no target.`);
}

function reportMemory(outcomes: Outcome<MemoryResult>[]): void {
  console.log(`\n4. Peak memory analysing ${MEMORY_PACKAGE}, one fresh process per mode, NOT pinned, default V8 flags`);
  console.log(`   the process reads the .tgz from disk, readTarball, analyzePackage (no cache); maxRSS from process.resourceUsage() (all threads).`);
  const header = ["mode", "tarball MB", "unpacked MB", "JS MB", "time ms", "RSS at start MiB", "peak RSS MiB", "result"];
  const rows = [header];
  for (const r of finished(outcomes)) {
    rows.push([
      r.mode === "pool" ? `pool of ${r.poolSize}` : r.mode,
      mb(r.tarballBytes),
      mb(r.unpackedBytes),
      mb(r.jsBytes),
      ms(r.ms),
      r.startRssMb.toFixed(0),
      r.maxRssMb.toFixed(0),
      verdict(r.maxRssMb < MEMORY_TARGET_MB, `memory (${r.mode})`),
    ]);
  }
  rows.push(...timeoutRows(timedOut(outcomes), header.length, "memory"));
  console.log(table(rows));
  console.log(`   target: peak RSS under ${MEMORY_TARGET_MB} MB (judged in MiB, the stricter reading); time: wall-clock of read + analysis, one run.`);
}

// ---------------------------------------------------------------------------------------------

/** Runs the cases one after the other, saying on stderr when each is done. */
function each<T, A>(items: A[], run: (item: A) => Outcome<T>, describe: (result: T & ChildRun) => string): Outcome<T>[] {
  return items.map((item) => {
    const outcome = run(item);
    if (!outcome.timedOut) process.stderr.write(`measured ${describe(outcome)}\n`);
    return outcome;
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === CHILD) {
    process.stdout.write(JSON.stringify(await child(args.slice(1))));
    return;
  }
  const sections = SECTIONS.filter((section) => args.includes(section));
  const names = args.filter((arg) => !(SECTIONS as readonly string[]).includes(arg));
  const known = new Set([...CORPUS, ...PAIRS.flat()].map(nameOf));
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length > 0) throw new Error(`unknown argument(s): ${unknown.join(", ")}; sections: ${SECTIONS.join(", ")}; packages: ${[...known].join(", ")}`);
  const chosen = (spec: string) => names.length === 0 || names.includes(nameOf(spec));
  const run = new Set<Section>(sections.length > 0 ? sections : SECTIONS);
  const corpus = CORPUS.filter(chosen);
  const pairs = PAIRS.filter(([, to]) => chosen(to));
  const memory = chosen(MEMORY_PACKAGE) ? [MEMORY_PACKAGE] : [];

  console.log(header([...run]));
  await ensureTarballs([
    ...(run.has("throughput") || run.has("pool") ? corpus : []),
    ...(run.has("update") ? pairs.flat() : []),
    ...(run.has("memory") ? memory : []),
  ]);

  if (run.has("throughput")) {
    reportThroughput(
      each(
        corpus,
        (spec) => runChild<ThroughputResult>([CHILD, "throughput", spec], true, `throughput ${spec}`),
        (r) => `throughput ${r.spec} (${r.analysis.n} samples)`,
      ),
    );
  }
  if (run.has("pool")) {
    reportPool(
      each(
        corpus,
        (spec) => runChild<PoolResult>([CHILD, "pool", spec], false, `pool ${spec}`),
        (r) => `pool ${r.spec} (${r.pool.n} samples)`,
      ),
    );
  }
  if (run.has("update")) {
    reportUpdate(
      each(
        pairs,
        ([from, to]) => runChild<UpdateResult>([CHILD, "update", from, to], true, `update ${from} → ${to}`),
        (r) => `update ${r.from} → ${r.to} (${r.update.n} samples)`,
      ),
    );
  }
  if (run.has("memory") && memory.length > 0) {
    // No --expose-gc and no other flag: the memory a default process needs.
    reportMemory(
      each(
        ["in-thread", "pool"] as const,
        (mode) => runChild<MemoryResult>([tarballPath(MEMORY_PACKAGE), MEMORY_PACKAGE, mode, String(POOL_SIZE)], false, `memory ${mode}`, MEMORY_SCRIPT, []),
        (r) => `memory ${r.mode}`,
      ),
    );
  }
  console.log("");
  console.log(missed.length === 0 ? "all targets met" : `MISSED: ${missed.join(", ")}`);
}

await main();
