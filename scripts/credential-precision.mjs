#!/usr/bin/env node
/**
 * Precision and recall of the credential rules on the labelled corpus (test/fixtures/credentials/),
 * per set (tuning, holdout, holdout-b, holdout-c) and per rule, as markdown on stdout: the tables, the SDK cases (an SDK
 * sending its own key to its own host may be reported at severity info, never higher), and every
 * miss and false alarm by file.
 *
 *   npm run build
 *   node_modules/.bin/node scripts/credential-precision.mjs [--set tuning|holdout|holdout-b|holdout-c] > /tmp/precision.md
 *
 * It analyses the compiled build (dist/src/analysis/analyze-file.js), so build first. Labels and
 * scoring are those of the corpus test (scripts/credential-corpus.mjs); a file labelled
 * `// package: NAME` is measured as that package's only file, by the alerts the review reports.
 *   TP  the file expects the rule and it fires at least at the expected severity (default low)
 *   FN  the file expects the rule and it does not fire that high
 *   FP  the file does not expect the rule and it fires above what the file's `allow` label permits
 * precision = TP / (TP + FP), recall = TP / (TP + FN); "–" when the denominator is 0.
 * The exit code is 0 whatever the figures: this measures, the corpus test enforces.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describeLabels, findingsOf, loadCorpus, scoreFile, SETS } from "./credential-corpus.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = (path) => join(root, "dist", "src", "analysis", path);
if (!existsSync(dist("analyze-file.js"))) {
  console.error("dist/src/analysis/analyze-file.js is missing: run `npm run build` first.");
  process.exit(2);
}
const { analyzeJavaScript } = await import(pathToFileURL(dist("analyze-file.js")).href);
const { CREDENTIAL_RULES } = await import(pathToFileURL(dist("model.js")).href);
const { analyzePackage } = await import(pathToFileURL(dist("analyze-package.js")).href);
const { analysisAlerts } = await import(pathToFileURL(dist("compare.js")).href);
if (!Array.isArray(CREDENTIAL_RULES)) {
  console.error("dist/src/analysis/model.js has no CREDENTIAL_RULES: rebuild with `npm run build`.");
  process.exit(2);
}

const at = process.argv.indexOf("--set");
const sets = at === -1 ? SETS : process.argv[at + 1].split(",");
const corpus = loadCorpus(CREDENTIAL_RULES, { sets });


const results = [];
for (const entry of corpus) {
  const findings = await findingsOf(entry, { analyzeJavaScript, analyzePackage, analysisAlerts });
  results.push({ entry, parse: findings.parse, ...scoreFile(entry, findings.anomalies, CREDENTIAL_RULES) });
}

const ratio = (num, den) => (den === 0 ? "–" : (num / den).toFixed(2));
const out = [];
out.push("# Credential rules on the labelled corpus", "");
out.push(`Analyser: dist/src/analysis/analyze-file.js. Corpus: test/fixtures/credentials/ (${corpus.length} files). Generated ${new Date().toISOString().slice(0, 10)}.`, "");

for (const set of sets) {
  const mine = results.filter((result) => result.entry.set === set);
  if (mine.length === 0) continue;
  const malicious = mine.filter((result) => result.entry.kind === "malicious").length;
  out.push(`## ${set} (${malicious} malicious, ${mine.length - malicious} benign)`, "");
  out.push("| rule | expected | TP | FP | FN | precision | recall |", "|---|---:|---:|---:|---:|---:|---:|");
  const total = { tp: 0, fp: 0, fn: 0, expected: 0 };
  for (const rule of CREDENTIAL_RULES) {
    const count = { tp: 0, fp: 0, fn: 0 };
    for (const result of mine) {
      const outcome = result.outcomes[rule];
      if (outcome in count) count[outcome]++;
    }
    const expected = count.tp + count.fn;
    total.tp += count.tp;
    total.fp += count.fp;
    total.fn += count.fn;
    total.expected += expected;
    out.push(`| \`${rule}\` | ${expected} | ${count.tp} | ${count.fp} | ${count.fn} | ${ratio(count.tp, count.tp + count.fp)} | ${ratio(count.tp, expected)} |`);
  }
  out.push(`| **all rules** | ${total.expected} | ${total.tp} | ${total.fp} | ${total.fn} | ${ratio(total.tp, total.tp + total.fp)} | ${ratio(total.tp, total.expected)} |`, "");

  const clean = (kind) => mine.filter((result) => result.entry.kind === kind && result.problems.length === 0).length;
  out.push(`Files entirely right: malicious ${clean("malicious")}/${malicious}, benign ${clean("benign")}/${mine.length - malicious}.`, "");

  // The done-when's SDK case: an SDK that sends its own documented key to its own host.
  const sdk = mine.filter((result) => result.entry.kind === "benign" && result.entry.allow.some((label) => label.rule === "token-exfiltration" && label.max === "info"));
  if (sdk.length > 0) {
    out.push(`SDK cases (own key to own host; token-exfiltration may be info, no higher):`, "");
    out.push("| file | token-exfiltration | verdict |", "|---|---|---|");
    for (const result of sdk) {
      const severities = result.found.filter((anomaly) => anomaly.rule === "token-exfiltration").map((anomaly) => anomaly.severity);
      const verdict = result.outcomes["token-exfiltration"] === "fp" ? "**false alarm**" : "ok";
      out.push(`| ${result.entry.file} | ${severities.length > 0 ? [...new Set(severities)].join(", ") : "quiet"} | ${verdict} |`);
    }
    out.push("");
  }

  const wrong = mine.filter((result) => result.problems.length > 0 || !["module", "script"].includes(result.parse));
  out.push(`### Misses and false alarms (${set})`, "");
  if (wrong.length === 0) out.push("None.", "");
  for (const result of wrong) {
    out.push(`- \`${result.entry.file}\` (${result.entry.kind}; expects ${describeLabels(result.entry)})`);
    if (!["module", "script"].includes(result.parse)) out.push(`  - parsed as ${result.parse}: the sample itself needs fixing`);
    for (const problem of result.problems) out.push(`  - ${problem.outcome === "fn" ? "missed" : "false alarm"} \`${problem.rule}\`: ${problem.detail}`);
  }
  out.push("");
}

process.stdout.write(`${out.join("\n")}\n`);
