/**
 * Writes the npm fixture pair of the benchmark (bench/fixtures/npm-generated) with the real npm:
 *
 *   npm run build
 *   node_modules/.bin/node dist/bench/make-npm-fixture.js /tmp/bench-gen [bytes]
 *
 * 1. grow: a project whose dependencies are the most downloaded packages
 *    (../shared/data/popular-npm-packages.tsv): the first 300, then, in rank order, batches of 60
 *    not yet in the tree, until package-lock.json reaches `bytes` (default 2.5 MB). A batch npm
 *    refuses is halved until the refused package is found and left out.
 * 2. pair: base = that project with 30 direct dependencies pinned to the release before the one
 *    installed; head = base with the same 30 pinned to the installed release, installed on top of
 *    base's lockfile, as a dependency bot's grouped update would be.
 *
 * Needs the npm registry; the result depends on the day it runs. Nothing is installed
 * (--package-lock-only) and no package script runs (--ignore-scripts).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const RANKING = join(ROOT, "..", "shared", "data", "popular-npm-packages.tsv");
const OUT = join(ROOT, "bench", "fixtures", "npm-generated");

/** Platform binaries (npm refuses those for another OS or libc); typescript is added as typescript@5. */
const PLATFORM = /(linux|darwin|win32|android|freebsd|musl|x64|arm64|ia32)/;
/** typescript 6 sent npm 11 into an endless peer-override loop with @typescript-eslint; one ranked name looked like download-count spam. */
const LEFT_OUT = new Set(["typescript", "telecom-mas-agent"]);
const FIRST = 300;
const BATCH = 60;
const PINNED = 30;

type Json = Record<string, unknown>;
interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
}

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Json;
const writeJson = (path: string, value: unknown) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);

function npmInstall(dir: string, args: string[]): boolean {
  // The timeout guards against npm's peer-override loop seen with typescript 6.
  const result = spawnSync("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund", ...args], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 1 << 30,
    timeout: 300_000,
  });
  if (result.status !== 0) console.log(`  npm refused (${result.stderr?.match(/npm error code (\S+)/)?.[1] ?? result.status ?? result.signal})`);
  return result.status === 0;
}

function installedNames(dir: string): Set<string> {
  const packages = readJson(join(dir, "package-lock.json")).packages as Json;
  return new Set(Object.keys(packages).map((key) => key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length)));
}

/** Adds the batch, or, when npm refuses it, each half, down to the one package it refuses. */
function addBatch(dir: string, batch: string[]): void {
  for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(dir, file), join(dir, `${file}.bak`));
  if (npmInstall(dir, batch)) return;
  for (const file of ["package.json", "package-lock.json"]) copyFileSync(join(dir, `${file}.bak`), join(dir, file));
  if (batch.length === 1) {
    console.log(`  left out ${batch[0]}`);
    return;
  }
  const half = batch.length >> 1;
  addBatch(dir, batch.slice(0, half));
  addBatch(dir, batch.slice(half));
}

function grow(dir: string, bytes: number, ranked: string[]): void {
  mkdirSync(dir, { recursive: true });
  const candidates = ranked.filter((name) => !LEFT_OUT.has(name) && !PLATFORM.test(name));
  if (!existsSync(join(dir, "package-lock.json"))) {
    writeJson(join(dir, "package.json"), { name: "bench-app", version: "1.0.0", private: true });
    if (!npmInstall(dir, ["typescript@5", ...candidates.slice(0, FIRST)])) throw new Error("the first install failed");
  }
  let cursor = 0;
  for (;;) {
    const size = readFileSync(join(dir, "package-lock.json")).length;
    console.log(`package-lock.json: ${size} bytes, next rank ${cursor}`);
    if (size >= bytes) return;
    const present = installedNames(dir);
    const batch: string[] = [];
    while (batch.length < BATCH && cursor < candidates.length) {
      const name = candidates[cursor++]!;
      if (!present.has(name)) batch.push(name);
    }
    if (batch.length === 0) return;
    addBatch(dir, batch);
  }
}

function pair(grown: string, ranked: string[]): void {
  const manifest = readJson(join(grown, "package.json"));
  const packages = readJson(join(grown, "package-lock.json")).packages as Record<string, LockEntry>;
  const direct = Object.keys(manifest.dependencies as Json);
  const rank = new Map(ranked.map((name, index) => [name, index]));
  // The most downloaded direct dependencies that have dependencies of their own (so the update
  // moves transitive packages too) and a release before the installed one in the same major.
  const chosen = direct
    .filter((name) => {
      const entry = packages[`node_modules/${name}`];
      return entry?.version && Object.keys(entry.dependencies ?? {}).length > 0 && !/^\d+\.0\.0$/.test(entry.version);
    })
    .sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity));

  // Let npm pick the release before the installed one: the highest below it in the same major.
  const probe = join(grown, "..", "probe");
  mkdirSync(probe, { recursive: true });
  copyFileSync(join(grown, "package-lock.json"), join(probe, "package-lock.json"));
  const installed = new Map(chosen.map((name) => [name, packages[`node_modules/${name}`]!.version!]));
  const candidates = chosen.slice(0, PINNED + 10);
  writeJson(join(probe, "package.json"), {
    ...manifest,
    dependencies: {
      ...(manifest.dependencies as Json),
      ...Object.fromEntries(candidates.map((name) => [name, `>=${installed.get(name)!.split(".")[0]}.0.0 <${installed.get(name)}`])),
    },
  });
  if (!npmInstall(probe, [])) throw new Error("npm could not resolve the previous releases");
  const probed = readJson(join(probe, "package-lock.json")).packages as Record<string, LockEntry>;
  const older = new Map(
    candidates
      .map((name) => [name, probed[`node_modules/${name}`]?.version] as const)
      .filter((entry): entry is readonly [string, string] => entry[1] !== undefined && entry[1] !== installed.get(entry[0]))
      .slice(0, PINNED),
  );

  const pin = (dir: string, versions: Map<string, string>, from: string) => {
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(from, "package-lock.json"), join(dir, "package-lock.json"));
    const base = readJson(join(from, "package.json"));
    writeJson(join(dir, "package.json"), { ...base, dependencies: { ...(base.dependencies as Json), ...Object.fromEntries(versions) } });
    if (!npmInstall(dir, [])) throw new Error(`npm refused the pins in ${dir}`);
  };
  const baseDir = join(grown, "..", "base");
  const headDir = join(grown, "..", "head");
  pin(baseDir, older, grown);
  pin(headDir, new Map([...older.keys()].map((name) => [name, installed.get(name)!])), baseDir);

  for (const [side, dir] of [["base", baseDir], ["head", headDir]] as const) {
    mkdirSync(join(OUT, side), { recursive: true });
    for (const file of ["package.json", "package-lock.json"]) {
      writeFileSync(join(OUT, side, `${file}.gz`), gzipSync(readFileSync(join(dir, file)), { level: 9 }));
    }
  }
  console.log(`pinned ${older.size}: ${[...older].map(([name, version]) => `${name} ${version} -> ${installed.get(name)}`).join(", ")}`);
  console.log(`wrote ${OUT}`);
}

const work = process.argv[2];
if (!work) throw new Error("usage: make-npm-fixture <scratch folder outside the repository> [bytes]");
const ranked = readFileSync(RANKING, "utf8")
  .split("\n")
  .slice(1)
  .map((line) => line.split("\t")[0]!)
  .filter(Boolean);
const grown = join(work, "grow");
grow(grown, Number(process.argv[3] ?? 2_500_000), ranked);
pair(grown, ranked);
