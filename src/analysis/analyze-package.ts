import { createHash } from "node:crypto";
import { analyzeJavaScript, isJavaScript, type FileFindings } from "./analyze-file.js";
import { installScripts } from "./install-scripts.js";
import {
  CAPABILITIES,
  isCredentialRule,
  type AnomalyFinding,
  type Capability,
  type CapabilityUse,
  type InstallScript,
  type NotAnalysed,
  type PackageContents,
  type PackageFile,
} from "./model.js";
import { describeNativeKind, NATIVE_HEAD_BYTES, nativeFileKind } from "./native-files.js";
import { secretFindings } from "./hardcoded-secrets.js";
import { findSuspiciousUrls } from "./suspicious-url.js";

/** Bumped whenever the analysis changes what it finds, so cached results of an older analyser are not reused. */
export const ANALYSER_VERSION = "3";

/** Locations kept per capability: enough to show where, not every call in a 10 MB bundle. */
const LOCATIONS_KEPT = 25;

export interface CapabilityReport {
  name: Capability;
  /** Every use found, though only the first locations are kept. */
  count: number;
  /** Install-time uses first, then by file and line. */
  locations: CapabilityUse[];
}

export interface PackageAnalysis {
  analyser: string;
  package: { name: string; version: string };
  capabilities: CapabilityReport[];
  anomalies: AnomalyFinding[];
  installScripts: InstallScript[];
  notAnalysed: NotAnalysed[];
  /** The package.json inside the tarball, as far as it says what installing runs and needs. */
  manifest?: Record<string, unknown>;
  /** The content hash of each JavaScript file, by path. */
  hashes: Record<string, string>;
  stats: { files: number; javascriptFiles: number; javascriptBytes: number; reusedFiles: number };
}

/**
 * Analyses one file's source; the direct call, or a worker pool doing the same. `parallelism` says
 * how many files it works on at once (a pool: its workers), so that a package hands it a bounded
 * amount of source per worker at a time rather than every decoded source at once.
 */
export type FileAnalyzer = ((source: string, path: string) => Promise<FileFindings>) & { parallelism?: number };

/**
 * Source handed to the analyzer and not finished yet, per file it works on at once (beyond one file
 * per worker, which always goes): enough that a worker finds its next files queued, and small
 * packages' files travel in batches (worker-pool.ts), without every decoded source of a package
 * waiting at once (63 MB of strings for next@15).
 */
const IN_FLIGHT_BYTES_PER_WORKER = 1024 * 1024;

/** Findings by content hash: packages share files across versions, and a file is analysed once. */
export interface FindingsCache {
  get(hash: string): FileFindings | undefined;
  set(hash: string, findings: FileFindings): void;
}

export interface PackageAnalysisOptions {
  analyzeFile?: FileAnalyzer;
  cache?: FindingsCache;
  /** The name and version to report when package.json does not say (a folder being written, say). */
  fallback?: { name: string; version: string };
}

/** Text files scanned for shipped secrets besides JavaScript: not documentation, not source maps (they repeat the code), not large data. */
const MAX_SECRET_SCAN_BYTES = 1024 * 1024;
function mayHoldSecrets(path: string, size: number, head: string): boolean {
  return size <= MAX_SECRET_SCAN_BYTES && !head.includes("\u0000") && !/\.(?:md|markdown|map|txt|html?|css|svg|d\.ts|lock)$|(?:^|\/)(?:LICEN[CS]E|CHANGELOG|README)[^/]*$/i.test(path);
}

/** What a package's code can do: every file read, JavaScript parsed, install-time code followed. */
export async function analyzePackage(contents: PackageContents, options: PackageAnalysisOptions = {}): Promise<PackageAnalysis> {
  const analyzeFile: FileAnalyzer = options.analyzeFile ?? (async (source: string, path: string) => analyzeJavaScript(source, path));
  const notAnalysed: NotAnalysed[] = [...contents.skipped];
  const paths = new Set(contents.files.map((file) => file.path));
  const uses: CapabilityUse[] = [];
  const anomalies: AnomalyFinding[] = [];
  const requiresByFile = new Map<string, string[]>();
  const hashes: Record<string, string> = {};
  const stats = { files: contents.files.length, javascriptFiles: 0, javascriptBytes: 0, reusedFiles: 0 };

  const manifestFile = contents.files.find((file) => file.path === "package.json");
  const manifestText = manifestFile?.data.toString("utf8");
  let manifest: Record<string, unknown> = {};
  if (manifestText === undefined) notAnalysed.push({ file: "package.json", reason: "the package has no package.json" });
  else {
    try {
      manifest = JSON.parse(manifestText) as Record<string, unknown>;
    } catch (error) {
      notAnalysed.push({ file: "package.json", reason: `not valid JSON: ${(error as Error).message}` });
    }
  }
  const name = typeof manifest.name === "string" ? manifest.name : (options.fallback?.name ?? "(unnamed)");
  const version = typeof manifest.version === "string" ? manifest.version : (options.fallback?.version ?? "0.0.0");

  const scripts = installScripts(manifest, paths);
  for (const script of scripts) {
    const offset = manifestText && !script.implicit ? manifestText.indexOf(JSON.stringify(script.event)) : -1;
    const line = offset === -1 ? 1 : lineOf(manifestText!, offset);
    uses.push({
      capability: "install-script",
      detail: `${script.event}: ${script.command}`,
      file: script.implicit ? "binding.gyp" : "package.json",
      line,
      column: 0,
      snippet: script.implicit ? "node-gyp rebuild (binding.gyp, no install script of its own)" : `"${script.event}": ${JSON.stringify(script.command)}`,
      installTime: true,
    });
  }
  const scriptFiles = new Set(scripts.flatMap((script) => script.files));

  /** The files to analyse, with what to do with their findings. */
  const work: { file: PackageFile; hash: string; record: (findings: FileFindings) => void }[] = [];
  for (const file of contents.files) {
    const native = nativeFileKind(file.path, file.data.subarray(0, NATIVE_HEAD_BYTES));
    if (native) {
      uses.push({ capability: "native-code", detail: describeNativeKind(native), file: file.path, line: 1, column: 0, snippet: file.path });
      continue;
    }
    const head = file.data.subarray(0, 128).toString("latin1");
    if (!isJavaScript(file.path, head)) {
      // Shell scripts an install script runs are code too, though not JavaScript.
      if (scriptFiles.has(file.path)) anomalies.push(...findSuspiciousUrls(file.data.toString("utf8")).map((found) => ({ ...found, file: file.path })));
      // A shipped .npmrc, .env or config file can carry a credential as well as code can.
      if (mayHoldSecrets(file.path, file.size, head)) anomalies.push(...secretFindings(file.data.toString("utf8"), file.path).map((found) => ({ ...found, file: file.path })));
      continue;
    }
    const hash = createHash("sha256").update(file.data).digest("base64url");
    hashes[file.path] = hash;
    stats.javascriptFiles++;
    stats.javascriptBytes += file.size;
    const record = (findings: FileFindings) => {
      if (findings.problem) notAnalysed.push({ file: file.path, reason: findings.problem });
      for (const found of findings.uses) uses.push({ ...found, file: file.path });
      for (const found of findings.anomalies) anomalies.push({ ...found, file: file.path });
      requiresByFile.set(file.path, findings.requires);
    };
    const cached = options.cache?.get(hash);
    if (cached) {
      stats.reusedFiles++;
      record(cached);
    } else work.push({ file, hash, record });
  }

  const parallelism = Math.max(1, analyzeFile.parallelism ?? 1);
  // Several workers: the largest files first, so that one does not start last and keep a worker
  // busy alone while the other idles (prettier's 3 MB bundles came last in its tarball).
  if (parallelism > 1) work.sort((a, b) => b.file.size - a.file.size);
  const budget = parallelism * IN_FLIGHT_BYTES_PER_WORKER;
  let inFlight = 0;
  let inFlightBytes = 0;
  let finishedOne: (() => void) | undefined;
  const pending: Promise<void>[] = [];
  for (const { file, hash, record } of work) {
    // A file per worker goes whatever its size (typescript's two 6 and 9 MB bundles in parallel), more while within the budget.
    while (inFlight >= parallelism && inFlightBytes + file.size > budget) await new Promise<void>((resolve) => (finishedOne = resolve));
    inFlight++;
    inFlightBytes += file.size;
    const done = () => {
      inFlight--;
      inFlightBytes -= file.size;
      finishedOne?.();
      finishedOne = undefined;
    };
    pending.push(
      analyzeFile(file.data.toString("utf8"), file.path)
        .then(
          (findings) => {
            options.cache?.set(hash, findings);
            record(findings);
          },
          (error: Error) => {
            notAnalysed.push({ file: file.path, reason: `analysis failed: ${error.message}` });
          },
        )
        .finally(done),
    );
  }
  await Promise.all(pending);

  const installTime = reachable([...scriptFiles], requiresByFile, paths);
  for (const found of uses) if (installTime.has(found.file)) found.installTime = true;
  for (const found of anomalies) if (installTime.has(found.file) && isCredentialRule(found.rule)) found.installTime = true;

  return {
    analyser: ANALYSER_VERSION,
    package: { name, version },
    capabilities: reportCapabilities(uses),
    anomalies: anomalies.sort(byPlace),
    installScripts: scripts,
    ...(manifestText !== undefined && Object.keys(manifest).length > 0 ? { manifest: pick(manifest, MANIFEST_FIELDS) } : {}),
    notAnalysed: notAnalysed.sort((a, b) => (a.file ?? "").localeCompare(b.file ?? "")),
    hashes,
    stats,
  };
}

/** What the registry's copy of package.json is compared on: what installing runs and pulls in. */
const MANIFEST_FIELDS = ["name", "version", "scripts", "dependencies", "optionalDependencies", "peerDependencies", "bin", "directories", "gypfile"];

function pick(object: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => object[key] !== undefined).map((key) => [key, object[key]]));
}

function reportCapabilities(uses: CapabilityUse[]): CapabilityReport[] {
  const reports: CapabilityReport[] = [];
  for (const name of CAPABILITIES) {
    const all = uses.filter((found) => found.capability === name);
    if (all.length === 0) continue;
    all.sort((a, b) => Number(!!b.installTime) - Number(!!a.installTime) || byPlace(a, b));
    reports.push({ name, count: all.length, locations: all.slice(0, LOCATIONS_KEPT) });
  }
  return reports;
}

/** The files an install script runs and every file they load with relative, constant specifiers. */
function reachable(start: string[], requiresByFile: Map<string, string[]>, paths: ReadonlySet<string>): Set<string> {
  const seen = new Set<string>();
  const queue = [...start];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const folder = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : "";
    for (const specifier of requiresByFile.get(file) ?? []) {
      const target = resolveRelative(folder, specifier, paths);
      if (target && !seen.has(target)) queue.push(target);
    }
  }
  return seen;
}

/** Node's resolution of a relative specifier, among the package's own files. */
export function resolveRelative(folder: string, specifier: string, paths: ReadonlySet<string>): string | undefined {
  const parts = folder ? folder.split("/") : [];
  for (const part of specifier.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== "." && part !== "") parts.push(part);
  }
  const base = parts.join("/");
  const candidates = [base, `${base}.js`, `${base}.cjs`, `${base}.mjs`, `${base}/index.js`, `${base}/index.cjs`, `${base}/index.mjs`];
  return candidates.find((candidate) => paths.has(candidate));
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; index = text.indexOf("\n", index + 1)) line++;
  return line;
}

function byPlace(a: { file: string; line: number; column: number }, b: { file: string; line: number; column: number }): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}
