/**
 * Where the package analysis spends its time: a CPU profile of `analyzePackage` (in this thread, no
 * cache) over the benchmark's tarballs, taken after one warm-up round, summarised by function and by
 * source file (self time). Reads the tarballs bench/analysis.ts downloaded into bench/.cache/.
 *
 *   npm run build && node --expose-gc dist/bench/profile-analysis.js [name@version ...] [--rounds N] [--out file.cpuprofile]
 *
 * Without specs it profiles the whole throughput corpus. Pin it to one CPU (`taskset -c 1`) so that
 * the profile is of one core, as the throughput section measures. For finding work, not for figures:
 * the sampling itself costs time.
 */
import { readFile, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { analyzePackage } from "../src/analysis/analyze-package.js";
import type { PackageContents } from "../src/analysis/model.js";
import { readTarball } from "../src/analysis/read-tarball.js";
import { CORPUS, tarballPath } from "./analysis-corpus.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const option = (name: string) => {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const [value] = args.splice(index, 2).slice(1);
  return value;
};
const rounds = Number(option("--rounds") ?? 1);
const out = option("--out");
const specs = args.length > 0 ? args : CORPUS;

const packages: PackageContents[] = [];
for (const spec of specs) packages.push(await readTarball(await readFile(tarballPath(spec))));
const analyseAll = async () => {
  for (const contents of packages) await analyzePackage(contents);
};

await analyseAll();
(globalThis as { gc?: () => void }).gc?.();
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 500 });
await session.post("Profiler.start");
const started = process.cpuUsage();
for (let round = 0; round < rounds; round++) await analyseAll();
const used = process.cpuUsage(started);
const { profile } = (await session.post("Profiler.stop")) as unknown as { profile: Profile };
session.disconnect();
if (out) await writeFile(out, JSON.stringify(profile));

// Self time by node, from the samples and the time between them.
const selfMs = new Map<number, number>();
for (let index = 0; index < profile.samples.length; index++) {
  const id = profile.samples[index]!;
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
}
const total = [...selfMs.values()].reduce((sum, value) => sum + value, 0);
const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
for (const node of profile.nodes) {
  const ms = selfMs.get(node.id) ?? 0;
  if (ms === 0) continue;
  const file = node.callFrame.url.replace(/^.*\/node_modules\//, "").replace(/^.*\/dist\//, "") || "(native)";
  const name = `${node.callFrame.functionName || "(anonymous)"}  ${file}:${node.callFrame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  byFile.set(file, (byFile.get(file) ?? 0) + ms);
}
const top = (map: Map<string, number>, count: number) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => `${((ms / total) * 100).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}`)
    .join("\n");
console.log(`${specs.join(", ")}: ${rounds} round(s), CPU ${((used.user + used.system) / 1000).toFixed(0)} ms, sampled ${total.toFixed(0)} ms`);
console.log(`\nby file (self time)\n${top(byFile, 25)}`);
console.log(`\nby function (self time)\n${top(byFunction, 40)}`);
