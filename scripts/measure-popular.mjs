#!/usr/bin/env node
/**
 * The credential rules on the most downloaded npm packages: takes the first N names of
 * ../shared/data/popular-npm-packages.tsv (columns name, downloads_a_month; most downloaded first),
 * downloads each one's latest version through Tollgate's own registry adapter (pacote, tarball
 * checked against the registry's integrity), reads it in memory and analyses it with Tollgate's own
 * package analysis. Nothing a package ships is written to disk, required or run.
 *
 *   npm run build
 *   node_modules/.bin/node scripts/measure-popular.mjs [--count 200] [--concurrency 3] [--timeout 180]
 *       [--jobs 1] [--tsv ../shared/data/popular-npm-packages.tsv] [--json /tmp/tollgate-popular.json] [--all-rules]
 *       > /tmp/tollgate-popular.md
 *
 * stdout: markdown, a summary by rule and level, then one row per credential-rule alert (package,
 * version, rule, severity, the default policy's level, file:line, message), then the failures.
 * --json: every package's figures, its alerts and its raw credential findings (every finding, not
 * only the first per file and message as the alerts show). stderr: progress.
 * --all-rules also lists the other anomaly rules (obfuscated-code, suspicious-url, ...).
 *
 * Each package is analysed on its own worker threads (--jobs per package, default 1; --concurrency
 * packages at a time), which are terminated when it is done or its --timeout passes: a file that
 * sends the analysis into a loop fails its package, named in the reason, and blocks nothing else.
 *
 * Alerts are those of a package seen for the first time (`analysisAlerts(analysis)`, no previous
 * version), which is what the review reports for an added dependency. The level is the rule's
 * default level, an info-severity alert capped at notice, as src/policy/apply.ts does.
 * The registry is the public one, with no token: the server's environment is not passed.
 * Exit code 0 even when packages fail (they are listed); 2 on a usage error.
 */
import { tmpdir } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const load = async (path) => {
  const file = join(root, "dist", "src", path);
  if (!existsSync(file)) {
    console.error(`${file} is missing: run \`npm run build\` first.`);
    process.exit(2);
  }
  return import(pathToFileURL(file).href);
};

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "200" },
    concurrency: { type: "string", default: "3" },
    timeout: { type: "string", default: "180" },
    tsv: { type: "string", default: join(root, "..", "shared", "data", "popular-npm-packages.tsv") },
    json: { type: "string", default: join(tmpdir(), "tollgate-popular.json") },
    jobs: { type: "string", default: "1" },
    "all-rules": { type: "boolean", default: false },
  },
});
const count = Number(values.count);
const concurrency = Number(values.concurrency);
const timeoutMs = Number(values.timeout) * 1000;
const jobs = Number(values.jobs);
for (const [name, value, min] of [["--count", count, 1], ["--concurrency", concurrency, 1], ["--timeout", timeoutMs, 1000], ["--jobs", jobs, 1]]) {
  if (!Number.isInteger(value) || value < min) {
    console.error(`${name} must be a whole number of at least ${min}`);
    process.exit(2);
  }
}

const { createPacoteRegistry } = await load("registry/pacote-registry.js");
const { DEFAULT_CONFIG } = await load("config/schema.js");
const { readTarball } = await load("analysis/read-tarball.js");
const { analyzePackage, ANALYSER_VERSION } = await load("analysis/analyze-package.js");
const { analysisAlerts } = await load("analysis/compare.js");
const { createWorkerPool } = await load("analysis/worker-pool.js");
const { CREDENTIAL_RULES, ANOMALY_RULES } = await load("analysis/model.js");
const { RULES } = await load("policy/rules.js");

// --- the names ---------------------------------------------------------------------------------

const tsvPath = resolve(values.tsv);
const [header, ...rows] = readFileSync(tsvPath, "utf8").split(/\r?\n/).filter((line) => line.trim() !== "");
const nameColumn = header.split("\t").indexOf("name");
if (nameColumn === -1) {
  console.error(`${tsvPath}: no "name" column in the header (${header})`);
  process.exit(2);
}
const names = [...new Set(rows.map((row) => row.split("\t")[nameColumn]?.trim()).filter(Boolean))].slice(0, count);

// --- the analysis ------------------------------------------------------------------------------

const reported = new Set(values["all-rules"] ? ANOMALY_RULES.filter((rule) => rule !== "minified-code") : CREDENTIAL_RULES);
const isCredential = new Set(CREDENTIAL_RULES);
const LEVEL_RANK = { off: 0, notice: 1, warning: 2, error: 3 };
const SEVERITY_RANK = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };
const levelOf = (rule, severity) => {
  const level = RULES[rule]?.defaultLevel ?? "warning";
  return severity === "info" && LEVEL_RANK[level] > LEVEL_RANK.notice ? "notice" : level;
};

// No token: the measurement reads public packages only, and must not carry this machine's secrets.
const registry = createPacoteRegistry({ registries: DEFAULT_CONFIG.registries, env: {} });

class Timeout extends Error {}

function withTimeout(promise, ms, controller) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Timeout(`timed out after ${ms / 1000} s`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function measure(name) {
  const controller = new AbortController();
  const started = Date.now();
  const steps = { stage: "packument" };
  const pool = createWorkerPool(jobs);
  const inAnalysis = new Set();
  const analyzeFile = (source, path) => {
    inAnalysis.add(path);
    return pool.analyzeFile(source, path).finally(() => inAnalysis.delete(path));
  };
  const work = (async () => {
    const packument = await registry.packument(name, controller.signal);
    if (!packument) throw new Error("not on the registry");
    const version = packument["dist-tags"]?.latest;
    const record = version ? packument.versions[version] : undefined;
    if (!record) throw new Error(`no latest version (dist-tags: ${JSON.stringify(packument["dist-tags"] ?? {})})`);
    steps.version = version;
    steps.stage = "tarball";
    const tarball = await registry.tarball(name, version, record.dist?.integrity, controller.signal);
    controller.signal.throwIfAborted();
    steps.stage = "read";
    const contents = await readTarball(tarball);
    steps.stage = "analysis";
    const analysis = await analyzePackage(contents, { analyzeFile, fallback: { name, version } });
    return { version, tarballBytes: tarball.length, analysis };
  })();
  try {
    const { version, tarballBytes, analysis } = await withTimeout(work, timeoutMs, controller);
    const alerts = analysisAlerts(analysis)
      .filter((alert) => reported.has(alert.rule))
      .map((alert) => {
        const where = alert.evidence[0];
        return {
          rule: alert.rule,
          severity: alert.severity,
          level: levelOf(alert.rule, alert.severity),
          file: where?.file,
          line: where?.line,
          snippet: where?.snippet,
          message: alert.message,
        };
      });
    const findings = analysis.anomalies
      .filter((anomaly) => isCredential.has(anomaly.rule))
      .map(({ rule, severity, file, line, column, snippet, message, related }) => ({ rule, severity, file, line, column, snippet, message, ...(related ? { related } : {}) }));
    const otherRules = {};
    for (const anomaly of analysis.anomalies) if (!isCredential.has(anomaly.rule)) otherRules[anomaly.rule] = (otherRules[anomaly.rule] ?? 0) + 1;
    return {
      ok: true,
      name,
      version,
      ms: Date.now() - started,
      tarballBytes,
      stats: analysis.stats,
      notAnalysed: analysis.notAnalysed,
      alerts,
      findings,
      otherRules,
    };
  } catch (error) {
    // The pool runs files in the order given: the oldest `jobs` of those not finished are the ones running.
    const files = steps.stage === "analysis" && inAnalysis.size > 0 ? ` of ${[...inAnalysis].slice(0, jobs).join(", ")}` : "";
    const reason = error instanceof Timeout ? `${error.message} (during ${steps.stage}${files})` : `${steps.stage}: ${error?.message ?? String(error)}`;
    return { ok: false, name, version: steps.version, ms: Date.now() - started, reason };
  } finally {
    // Terminates the workers, a stuck one included.
    await pool.close();
  }
}

// --- the run -----------------------------------------------------------------------------------

const results = new Array(names.length);
let next = 0;
let done = 0;
const startedAll = Date.now();
console.error(`Measuring ${names.length} packages from ${tsvPath} (concurrency ${concurrency}, ${jobs} analysis worker${jobs === 1 ? "" : "s"} each, timeout ${timeoutMs / 1000} s).`);

async function worker() {
  while (next < names.length) {
    const index = next++;
    const result = await measure(names[index]);
    results[index] = result;
    done++;
    const label = `${result.name}@${result.version ?? "?"}`;
    const tail = result.ok
      ? `${result.alerts.length} alert${result.alerts.length === 1 ? "" : "s"}, ${result.stats.javascriptFiles} JS files`
      : `FAILED: ${result.reason}`;
    console.error(`[${String(done).padStart(String(names.length).length)}/${names.length}] ${label}: ${tail} (${(result.ms / 1000).toFixed(1)} s)`);
  }
}

await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));

const ok = results.filter((result) => result.ok);
const failed = results.filter((result) => !result.ok);
const alerts = ok.flatMap((result) => result.alerts.map((alert) => ({ package: result.name, version: result.version, ...alert })));

writeFileSync(
  values.json,
  `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      source: tsvPath,
      count: names.length,
      analyser: ANALYSER_VERSION,
      rules: [...reported],
      seconds: Math.round((Date.now() - startedAll) / 1000),
      packages: ok,
      failures: failed.map(({ name, version, reason, ms }) => ({ name, version, reason, ms })),
    },
    null,
    1,
  )}\n`,
);
console.error(`JSON written to ${values.json}`);

// --- markdown ----------------------------------------------------------------------------------

const cell = (text) => String(text ?? "").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const out = [];
out.push(`# Credential alerts on the ${names.length} most downloaded npm packages`, "");
out.push(
  `Source: \`${tsvPath.replace(`${resolve(root, "..")}/`, "../")}\` (first ${names.length} names), latest versions, analyser ${ANALYSER_VERSION}, ${new Date().toISOString().slice(0, 10)}.`,
  `Analysed ${ok.length}, failed ${failed.length}, in ${Math.round((Date.now() - startedAll) / 1000)} s. Alerts are those of a package added for the first time; level = default policy.`,
  "",
);

const byRule = new Map();
for (const alert of alerts) {
  const entry = byRule.get(alert.rule) ?? { error: 0, warning: 0, notice: 0, packages: new Set() };
  entry[alert.level]++;
  entry.packages.add(alert.package);
  byRule.set(alert.rule, entry);
}
out.push("| rule | error | warning | notice | packages |", "|---|---:|---:|---:|---:|");
for (const rule of reported) {
  const entry = byRule.get(rule);
  out.push(`| \`${rule}\` | ${entry?.error ?? 0} | ${entry?.warning ?? 0} | ${entry?.notice ?? 0} | ${entry?.packages.size ?? 0} |`);
}
const flagged = new Set(alerts.filter((alert) => alert.level !== "notice").map((alert) => alert.package));
out.push("", `Packages with a warning or an error: ${flagged.size} of ${ok.length}.`, "");

out.push("## Every alert", "");
if (alerts.length === 0) out.push("None.", "");
else {
  out.push("| package | version | rule | severity | level | file:line | message |", "|---|---|---|---|---|---|---|");
  alerts.sort(
    (a, b) =>
      LEVEL_RANK[b.level] - LEVEL_RANK[a.level] || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || a.package.localeCompare(b.package) || a.rule.localeCompare(b.rule),
  );
  for (const alert of alerts) {
    out.push(
      `| ${cell(alert.package)} | ${cell(alert.version)} | \`${alert.rule}\` | ${alert.severity} | ${alert.level} | ${cell(alert.file ? `${alert.file}:${alert.line}` : "")} | ${cell(alert.message)} |`,
    );
  }
  out.push("");
}

out.push("## Failures", "");
if (failed.length === 0) out.push("None.", "");
for (const failure of failed) out.push(`- ${failure.name}${failure.version ? `@${failure.version}` : ""}: ${failure.reason}`);
if (failed.length > 0) out.push("");

const slow = [...ok].sort((a, b) => b.ms - a.ms).slice(0, 5);
out.push("## Slowest", "", ...slow.map((result) => `- ${result.name}@${result.version}: ${(result.ms / 1000).toFixed(1)} s, ${result.stats.javascriptFiles} JS files, ${(result.stats.javascriptBytes / 1e6).toFixed(1)} MB`), "");

process.stdout.write(`${out.join("\n")}\n`);
