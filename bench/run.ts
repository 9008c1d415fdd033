/**
 * The lockfile engine's benchmark: for each format, "parse both sides and diff" against the bare
 * parse a reader could not do without (JSON.parse, yaml, parseSyml), measured side by side in one
 * run. Speed targets live here rather than in timed tests, which would be flaky on shared runners.
 *
 *   npm run bench                              builds, then runs all cases
 *   npm run bench -- npm-generated pnpm-astro  only the named cases
 *
 * Exits non-zero only when something crashes; a missed target is printed as MISSED.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, platform, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { parseSyml } from "@yarnpkg/parsers";
import YAML from "yaml";
import type { ParseContext } from "../src/lockfile/context.js";
import { diffLockfiles } from "../src/lockfile/diff.js";
import { parseManifest } from "../src/lockfile/manifest.js";
import type { LockfileFormat } from "../src/lockfile/model.js";
import { parseLockfile } from "../src/lockfile/parse.js";

// ---------------------------------------------------------------------------------------------
// Where things are

/** The repository root: this file runs as dist/bench/run.js. */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const FIXTURES = join(ROOT, "bench", "fixtures");
/** The shared corpus sits beside the repository (in CI too); TOLLGATE_CORPUS points elsewhere. */
const CORPUS = process.env.TOLLGATE_CORPUS ?? join(ROOT, "..", "shared", "corpus", "lockfile-pairs");

type Target = { kind: "absolute"; ms: number } | { kind: "ratio"; max: number } | { kind: "none" };

interface CaseSpec {
  name: string;
  /** The folder holding base/ and head/. */
  dir: string;
  lockfile: string;
  /** What the baseline does, for the table's legend. */
  baseline: "JSON.parse" | "yaml" | "yaml-lean" | "parseSyml";
  target: Target;
}

const JSON_TARGET: Target = { kind: "absolute", ms: 50 };
const YAML_TARGET: Target = { kind: "ratio", max: 3 };

const CASES: CaseSpec[] = [
  { name: "npm-generated", dir: join(FIXTURES, "npm-generated"), lockfile: "package-lock.json", baseline: "JSON.parse", target: JSON_TARGET },
  { name: "npm-mocha", dir: join(CORPUS, "mocha-npm2-bump-serialize-javascript"), lockfile: "package-lock.json", baseline: "JSON.parse", target: JSON_TARGET },
  { name: "bun-hono", dir: join(CORPUS, "hono-bun1-bump-devdeps"), lockfile: "bun.lock", baseline: "JSON.parse", target: JSON_TARGET },
  { name: "pnpm-astro", dir: join(CORPUS, "astro-pnpm9-env-document-introduced"), lockfile: "pnpm-lock.yaml", baseline: "yaml", target: YAML_TARGET },
  // yaml.parse's defaults check every mapping for duplicate keys, which costs the most on the big
  // `packages` mapping; pnpm.ts reads with { schema: "failsafe", uniqueKeys: false }. This row holds
  // the engine to that leaner parse too, for information: the target is against yaml.parse.
  { name: "pnpm-astro-lean", dir: join(CORPUS, "astro-pnpm9-env-document-introduced"), lockfile: "pnpm-lock.yaml", baseline: "yaml-lean", target: { kind: "none" } },
  { name: "pnpm-vue-5.4-to-6", dir: join(CORPUS, "vue-pnpm54-to-6-upgrade"), lockfile: "pnpm-lock.yaml", baseline: "yaml", target: YAML_TARGET },
  { name: "pnpm-vue-9", dir: join(CORPUS, "vue-pnpm9-renovate-nonmajor"), lockfile: "pnpm-lock.yaml", baseline: "yaml", target: YAML_TARGET },
  { name: "berry-jupyterlab", dir: join(CORPUS, "jupyterlab-berry-git-dependency-added"), lockfile: "yarn.lock", baseline: "parseSyml", target: YAML_TARGET },
  { name: "berry-prettier", dir: join(CORPUS, "prettier-berry10-renovate-yuku"), lockfile: "yarn.lock", baseline: "parseSyml", target: YAML_TARGET },
  // The issue sets no target for yarn classic; it is measured so a regression shows.
  { name: "yarn1-webpack", dir: join(CORPUS, "webpack-yarn1-dependabot-group3"), lockfile: "yarn.lock", baseline: "parseSyml", target: { kind: "none" } },
];

// ---------------------------------------------------------------------------------------------
// One core

/**
 * The targets are for one core. JavaScript runs on one thread anyway, but V8's GC helpers would use
 * the second core, so on Linux the run re-executes itself under `taskset` pinned to one CPU.
 */
function pinToOneCore(): void {
  if (process.env.TOLLGATE_BENCH_PINNED || platform() !== "linux") return;
  const cpu = lastAllowedCpu();
  const child = spawnSync("taskset", ["-c", String(cpu), process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, TOLLGATE_BENCH_PINNED: String(cpu) },
  });
  // No taskset: run here, unpinned, and say so in the header.
  if (child.error) return;
  process.exit(child.status ?? 1);
}

/** The last CPU this process may use: CPU 0 usually takes most of the interrupts. */
function lastAllowedCpu(): number {
  const list = allowedCpus();
  return Number(list?.match(/(\d+)\s*$/)?.[1] ?? 0);
}

function allowedCpus(): string | undefined {
  try {
    return readFileSync("/proc/self/status", "utf8").match(/^Cpus_allowed_list:\s*(.+)$/m)?.[1];
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Loading

interface Side {
  text: string;
  bytes: number;
  context: ParseContext;
}

interface LoadedCase extends CaseSpec {
  format: LockfileFormat;
  base: Side;
  head: Side;
  /** What the baseline parses: the same texts, made acceptable to the bare parser when needed. */
  baselineRun: () => unknown;
}

function readMaybeGzipped(path: string): string | undefined {
  if (existsSync(path)) return readFileSync(path, "utf8");
  if (existsSync(`${path}.gz`)) return gunzipSync(readFileSync(`${path}.gz`)).toString("utf8");
  return undefined;
}

function loadSide(spec: CaseSpec, side: "base" | "head"): Side {
  const path = join(spec.dir, side, spec.lockfile);
  const text = readMaybeGzipped(path);
  if (text === undefined) throw new Error(`${spec.name}: ${path}(.gz) is missing`);
  // The review passes the root package.json (yarn needs it for direct and dev); parsed once here,
  // as the review parses it once for every lockfile beside it.
  const manifestText = readMaybeGzipped(join(spec.dir, side, "package.json"));
  const context: ParseContext = manifestText ? { manifests: new Map([["", parseManifest("package.json", manifestText)]]) } : {};
  return { text, bytes: Buffer.byteLength(text), context };
}

function loadCase(spec: CaseSpec): LoadedCase {
  const base = loadSide(spec, "base");
  const head = loadSide(spec, "head");
  const format = parseLockfile(spec.lockfile, head.text, head.context).format;
  return { ...spec, format, base, head, baselineRun: baselineFor(spec, base.text, head.text) };
}

function baselineFor(spec: CaseSpec, baseText: string, headText: string): () => unknown {
  switch (spec.baseline) {
    case "JSON.parse": {
      // bun.lock allows trailing commas, which JSON.parse rejects: the baseline parses the same
      // text with them removed (done once here, outside the timing).
      const [a, b] = [baseText, headText].map((text) => (spec.lockfile === "bun.lock" ? withoutTrailingCommas(text) : text));
      return () => [JSON.parse(a!), JSON.parse(b!)];
    }
    case "yaml": {
      // pnpm 9 may write two documents, which yaml.parse refuses; those are read as all documents.
      const parse = (text: string) =>
        isMultiDocument(text) ? YAML.parseAllDocuments(text).map((document) => document.toJS()) : YAML.parse(text);
      return () => [parse(baseText), parse(headText)];
    }
    case "yaml-lean": {
      const parse = (text: string) =>
        YAML.parseAllDocuments(text, { schema: "failsafe", uniqueKeys: false }).map((document) => document.toJS());
      return () => [parse(baseText), parse(headText)];
    }
    case "parseSyml":
      return () => [parseSyml(baseText), parseSyml(headText)];
  }
}

function isMultiDocument(text: string): boolean {
  const documents = YAML.parseAllDocuments(text);
  return Array.isArray(documents) && documents.length > 1;
}

/** Removes commas before a closing bracket, outside strings. */
function withoutTrailingCommas(text: string): string {
  let out = "";
  let inString = false;
  let pendingComma = -1;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (inString) {
      out += char;
      if (char === "\\") out += text[++i] ?? "";
      else if (char === '"') inString = false;
      continue;
    }
    if (char === ",") {
      pendingComma = out.length;
    } else if ((char === "}" || char === "]") && pendingComma !== -1) {
      out = out.slice(0, pendingComma) + out.slice(pendingComma + 1);
    } else if (!/\s/.test(char)) {
      pendingComma = -1;
    }
    if (char === '"') inString = true;
    out += char;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Measuring

const gc = (globalThis as { gc?: () => void }).gc;

/** One sample: wall-clock time, and the CPU time the process used (all its threads, on the one core). */
interface Sample {
  wall: number;
  cpu: number;
}

interface Stats {
  /** CPU time: what the work costs on one core even when other processes share it. */
  median: number;
  p95: number;
  /** Wall-clock median, which also counts time the core spent on other processes. */
  wallMedian: number;
}

/** What a case's child process reports (plain data, sent as JSON). */
interface Result {
  name: string;
  format: LockfileFormat;
  baselineName: CaseSpec["baseline"];
  target: Target;
  bytes: [number, number];
  entries: [number, number];
  changes: number;
  iterations: number;
  engine: Stats;
  baseline: Stats;
  peakRssMb: number;
}

function engineRun(c: LoadedCase) {
  const base = parseLockfile(c.lockfile, c.base.text, c.base.context);
  const head = parseLockfile(c.lockfile, c.head.text, c.head.context);
  return { base, head, changes: diffLockfiles(base, head) };
}

function time(run: () => unknown): Sample {
  // A clean heap before each sample: collection caused by the sample's own garbage is still timed.
  gc?.();
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  run();
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
  return { median: quantile(cpu, 0.5), p95: quantile(cpu, 0.95), wallMedian: quantile(wall, 0.5) };
}

/** Warm-up rounds: at least MIN, more while within WARMUP_MS (the slow YAML pairs get few). */
const WARMUP_MIN = Number(process.env.BENCH_WARMUP ?? 3);
const WARMUP_MAX = 15;
const WARMUP_MS = 3000;
const MIN_ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 20);
/** Small pairs get more samples, up to this much time per case. */
const BUDGET_MS = Number(process.env.BENCH_BUDGET_MS ?? 6000);
const MAX_ITERATIONS = 400;

function measure(c: LoadedCase): Result {
  const first = engineRun(c);
  const warming = Date.now();
  for (let i = 0; i < WARMUP_MAX; i++) {
    if (i >= WARMUP_MIN && Date.now() - warming > WARMUP_MS) break;
    engineRun(c);
    c.baselineRun();
  }
  const engine: Sample[] = [];
  const baseline: Sample[] = [];
  const started = Date.now();
  for (let i = 0; i < MAX_ITERATIONS; i++) {
    if (i >= MIN_ITERATIONS && Date.now() - started > BUDGET_MS) break;
    // Alternate which one goes first, so neither always inherits the other's heap state.
    if (i % 2 === 0) {
      engine.push(time(() => engineRun(c)));
      baseline.push(time(c.baselineRun));
    } else {
      baseline.push(time(c.baselineRun));
      engine.push(time(() => engineRun(c)));
    }
  }
  return {
    name: c.name,
    format: c.format,
    baselineName: c.baseline,
    target: c.target,
    bytes: [c.base.bytes, c.head.bytes],
    entries: [first.base.packages.length, first.head.packages.length],
    changes: first.changes.length,
    iterations: engine.length,
    engine: stats(engine),
    baseline: stats(baseline),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

// ---------------------------------------------------------------------------------------------
// Reporting

function verdict(r: Result): { target: string; ok: boolean | undefined } {
  const t = r.target;
  switch (t.kind) {
    case "absolute":
      return { target: `< ${t.ms} ms`, ok: r.engine.median < t.ms };
    case "ratio":
      return { target: `<= ${t.max}x`, ok: r.engine.median <= t.max * r.baseline.median };
    case "none":
      return { target: "none", ok: undefined };
  }
}

function kb(bytes: number): string {
  return `${Math.round(bytes / 1024)}`;
}

function ms(value: number): string {
  return value.toFixed(1);
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column === 0 || column === 1 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  return [line(rows[0]!), widths.map((width) => "-".repeat(width)).join("  "), ...rows.slice(1).map(line)].join("\n");
}

function header(): string {
  const pinned = process.env.TOLLGATE_BENCH_PINNED;
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return [
    `Tollgate lockfile engine benchmark`,
    `node ${process.version}, ${platform()}, ${cpu}, ${cpus().length} CPU(s) in the machine, ${availableParallelism()} usable by this run, ${Math.round(totalmem() / 2 ** 30)} GiB`,
    pinned !== undefined
      ? `pinned to CPU ${pinned} (taskset; allowed: ${allowedCpus() ?? "?"})`
      : `NOT pinned to one core (no taskset or not Linux): the GC may use other cores`,
    // Other work on the machine shows up in the figures; the load says how much there was.
    `load average at start: ${loadavg().map((load) => load.toFixed(2)).join(" ")}`,
    gc ? `gc() between samples (--expose-gc)` : `no --expose-gc: samples may include earlier garbage`,
    `per case: ${WARMUP_MIN} to ${WARMUP_MAX} warm-up rounds (${WARMUP_MS / 1000} s), then at least ${MIN_ITERATIONS} interleaved samples (more up to ${BUDGET_MS / 1000} s)`,
    `engine = parseLockfile(base) + parseLockfile(head) + diffLockfiles; baseline = bare parse of the same two texts`,
  ].join("\n");
}

const CHILD = "--child";

/**
 * Each case runs in a fresh child process, so its peak RSS is its own and no format's JIT or heap
 * state carries into the next. The children inherit the one-core pinning.
 */
function runChild(spec: CaseSpec): Result {
  const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, CHILD, spec.name], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  if (child.status !== 0) throw new Error(`${spec.name} crashed (exit ${child.status ?? child.signal}); its error is above`);
  return JSON.parse(child.stdout) as Result;
}

function report(results: Result[]): void {
  const rows = [
    ["case", "format", "KiB base/head", "entries base/head", "changes", "n", "engine med", "p95", "wall", "baseline", "med", "p95", "wall", "ratio", "target", "result", "peak RSS MiB"],
  ];
  for (const r of results) {
    const { target, ok } = verdict(r);
    rows.push([
      r.name,
      r.format,
      `${kb(r.bytes[0])}/${kb(r.bytes[1])}`,
      `${r.entries[0]}/${r.entries[1]}`,
      String(r.changes),
      String(r.iterations),
      ms(r.engine.median),
      ms(r.engine.p95),
      ms(r.engine.wallMedian),
      r.baselineName,
      ms(r.baseline.median),
      ms(r.baseline.p95),
      ms(r.baseline.wallMedian),
      `${(r.engine.median / r.baseline.median).toFixed(2)}x`,
      target,
      ok === undefined ? "-" : ok ? "ok" : "MISSED",
      r.peakRssMb.toFixed(0),
    ]);
  }
  console.log(table(rows));
  console.log("");
  console.log("times in ms: CPU time of the pinned process, median and p95 of n samples, and the wall-clock median;");
  console.log("ratio = engine CPU median / baseline CPU median; the targets are judged on CPU medians (the cost on one core,");
  console.log("not counting time the core spent on other processes);");
  console.log("JSON formats: engine median under the absolute target; YAML formats: within the ratio of the baseline median;");
  console.log("peak RSS: high-water mark of the process that measured the case (one process per case).");
  const missed = results.filter((r) => verdict(r).ok === false).map((r) => r.name);
  console.log(missed.length === 0 ? "all targets met" : `MISSED: ${missed.join(", ")}`);
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === CHILD) {
    const spec = CASES.find((c) => c.name === args[1]);
    if (!spec) throw new Error(`unknown case ${args[1]}`);
    process.stdout.write(JSON.stringify(measure(loadCase(spec))));
    return;
  }
  pinToOneCore();
  const unknown = args.filter((name) => !CASES.some((spec) => spec.name === name));
  if (unknown.length > 0) throw new Error(`unknown case(s): ${unknown.join(", ")}; known: ${CASES.map((c) => c.name).join(", ")}`);
  const specs = args.length > 0 ? CASES.filter((spec) => args.includes(spec.name)) : CASES;

  console.log(header());
  console.log("");
  const results: Result[] = [];
  for (const spec of specs) {
    if (!existsSync(spec.dir)) {
      // The corpus lives outside the repository; a checkout without it still runs what it has.
      console.log(`skipped ${spec.name}: ${spec.dir} not found`);
      continue;
    }
    const result = runChild(spec);
    results.push(result);
    process.stderr.write(`measured ${spec.name} (${result.iterations} samples)\n`);
  }
  report(results);
}

main();
