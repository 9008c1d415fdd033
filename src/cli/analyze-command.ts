import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import semver from "semver";
import { analyzePackage, type FileAnalyzer, type PackageAnalysis } from "../analysis/analyze-package.js";
import { memoryFindingsCache } from "../analysis/caches.js";
import { analysisAlerts, compareCapabilities, type AnalysisAlert } from "../analysis/compare.js";
import type { PackageContents } from "../analysis/model.js";
import { readFolder } from "../analysis/read-folder.js";
import { readTarball } from "../analysis/read-tarball.js";
import { createWorkerPool } from "../analysis/worker-pool.js";
import type { Registry } from "../registry/registry.js";

/** What `tollgate analyze` prints as JSON: the package, its capabilities (new ones marked), the alerts. */
export interface AnalyzeJson {
  package: { name: string; version: string };
  against?: { name: string; version: string };
  capabilities: { name: string; new: boolean; count: number; locations: { file: string; line: number; column: number; snippet: string; detail: string; installTime?: boolean }[] }[];
  removedCapabilities: string[];
  alerts: { rule: string; severity: string; capability?: string; file?: string; line?: number; message: string }[];
  notAnalysed: { file?: string; reason: string }[];
}

/** A package named on the command line: a folder, a tarball, or `name@version` from the registry. */
export async function loadPackage(target: string, cwd: string, registry: () => Registry): Promise<{ contents: PackageContents; label: string }> {
  const path = resolve(cwd, target);
  const found = await stat(path).catch(() => undefined);
  if (found?.isDirectory()) return { contents: await readFolder(path), label: target };
  if (found?.isFile()) return { contents: await readTarball(await readFile(path)), label: target };
  if (/\.(tgz|tar\.gz|tar)$/.test(target) || target.startsWith(".") || target.startsWith("/")) {
    throw new PackageArgumentError(`${target}: no such file or folder`);
  }
  const { name, range } = splitSpec(target);
  const source = registry();
  const packument = await source.packument(name);
  if (!packument) throw new PackageArgumentError(`${name} is not on ${source.urlFor(name)}`);
  const version = packument["dist-tags"]?.[range] ?? semver.maxSatisfying(Object.keys(packument.versions), range || "*");
  if (!version || !packument.versions[version]) throw new PackageArgumentError(`${name} has no version matching "${range}" on ${source.urlFor(name)}`);
  const tarball = await source.tarball(name, version, packument.versions[version]!.dist?.integrity);
  return { contents: await readTarball(tarball), label: `${name}@${version}` };
}

/** A package argument that names nothing Tollgate can read. */
export class PackageArgumentError extends Error {
  override name = "PackageArgumentError";
}

function splitSpec(spec: string): { name: string; range: string } {
  const at = spec.indexOf("@", 1);
  return at === -1 ? { name: spec, range: "latest" } : { name: spec.slice(0, at), range: spec.slice(at + 1) || "latest" };
}

/** Analyses a package, and the one it replaces when given, sharing unchanged files between them. */
export async function analyzeTargets(
  current: PackageContents,
  previous: PackageContents | undefined,
  jobs: number,
): Promise<{ current: PackageAnalysis; previous?: PackageAnalysis; alerts: AnalysisAlert[] }> {
  const pool = jobs > 1 ? createWorkerPool(jobs) : undefined;
  const analyzeFile: FileAnalyzer | undefined = pool?.analyzeFile;
  const cache = memoryFindingsCache();
  try {
    const before = previous ? await analyzePackage(previous, { analyzeFile, cache }) : undefined;
    const after = await analyzePackage(current, { analyzeFile, cache });
    return { current: after, previous: before, alerts: analysisAlerts(after, before, { minified: "always" }) };
  } finally {
    await pool?.close();
  }
}

export function analyzeJson(current: PackageAnalysis, previous: PackageAnalysis | undefined, alerts: AnalysisAlert[]): AnalyzeJson {
  const added = new Set(previous ? compareCapabilities(previous, current).added.map((report) => report.name) : []);
  return {
    package: current.package,
    ...(previous ? { against: previous.package } : {}),
    capabilities: current.capabilities.map((report) => ({
      name: report.name,
      new: added.has(report.name),
      count: report.count,
      locations: report.locations.map(({ file, line, column, snippet, detail, installTime }) => ({ file, line, column, snippet, detail, ...(installTime ? { installTime } : {}) })),
    })),
    removedCapabilities: previous ? compareCapabilities(previous, current).removed : [],
    alerts: alerts.map((alert) => ({
      rule: alert.rule,
      severity: alert.severity,
      ...(alert.capability ? { capability: alert.capability } : {}),
      ...(alert.evidence[0] ? { file: alert.evidence[0].file, line: alert.evidence[0].line } : {}),
      message: alert.message,
    })),
    notAnalysed: current.notAnalysed,
  };
}

export function analyzeText(result: AnalyzeJson, color: boolean): string {
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const out: string[] = [];
  const title = `${result.package.name}@${result.package.version}`;
  out.push(paint("1", result.against ? `${title} (against ${result.against.version})` : title));
  if (result.capabilities.length === 0) out.push("  Uses no capability Tollgate looks for.");
  for (const capability of result.capabilities) {
    const first = capability.locations[0]!;
    const mark = capability.new ? paint("33;1", " NEW") : "";
    out.push(`  ${capability.name.padEnd(16)}${mark} ${capability.count} use${capability.count === 1 ? "" : "s"}, first ${first.file}:${first.line}:${first.column + 1} ${first.detail}`);
  }
  if (result.removedCapabilities.length > 0) out.push(`  No longer uses: ${result.removedCapabilities.join(", ")}`);
  if (result.alerts.length > 0) out.push("", paint("1", "Alerts"));
  for (const alert of result.alerts) {
    const where = alert.file ? ` ${alert.file}:${alert.line}` : "";
    const severity = alert.severity === "critical" || alert.severity === "high" ? paint("31;1", alert.severity) : alert.severity;
    out.push(`  ${severity} ${alert.rule}${where}: ${alert.message}`);
  }
  if (result.notAnalysed.length > 0) out.push("", paint("1", "Not analysed"));
  for (const entry of result.notAnalysed) out.push(`  ${entry.file ?? "(package)"}: ${entry.reason}`);
  return `${out.join("\n")}\n`;
}
