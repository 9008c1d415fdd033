/**
 * The labelled corpus of the credential rules (test/fixtures/credentials/, labels described in
 * scripts/credential-corpus.mjs and the corpus README).
 *
 * The sets the detectors were built with (tuning, and holdout once it had been measured) are
 * regression tests: every file must make exactly the rules it expects fire, each at least at the
 * expected severity, and no other credential rule above what its `allow` label permits. The blind
 * sets, written by someone who never saw the detectors (holdout-b, and holdout-c after the
 * detectors' authors had read holdout-b), measure them on code they were not made for: each must
 * keep the precision and recall floors below, and its SDKs must never be blamed for sending their
 * own keys. Precision and recall per rule:
 * scripts/credential-precision.mjs.
 */
import { assert, describe, expect, it } from "vitest";
import { describeFindings, describeLabels, findingsOf, loadCorpus, scoreFile, SETS } from "../../scripts/credential-corpus.mjs";
import { analyzeJavaScript } from "../../src/analysis/analyze-file.js";
import { analyzePackage } from "../../src/analysis/analyze-package.js";
import { analysisAlerts } from "../../src/analysis/compare.js";
import { CREDENTIAL_RULES } from "../../src/analysis/model.js";

const only = process.env.CREDENTIAL_CORPUS;
const sets = only ? only.split(",").map((set) => set.trim()) : SETS;
const corpus = loadCorpus(CREDENTIAL_RULES, { sets });
const analysis = { analyzeJavaScript, analyzePackage, analysisAlerts: analysisAlerts as (analysis: never) => ReturnType<typeof analysisAlerts> };


/** The sets whose every file is a regression test; the others (holdout-b, holdout-c) are blind, measured as a whole. */
const EXACT_SETS = new Set(["tuning", "holdout"]);
/** Floors for the blind set, below the figures measured when it was written (docs/CREDENTIALS.md). */
const BLIND_FLOORS = { precision: 0.85, recall: 0.6 };

describe("the credential corpus", () => {
  it("has every set, both kinds, and every rule expected somewhere in each set", () => {
    for (const set of sets) {
      const entries = corpus.filter((entry) => entry.set === set);
      expect(entries.filter((entry) => entry.kind === "malicious").length, `${set}: malicious samples`).toBeGreaterThanOrEqual(25);
      expect(entries.filter((entry) => entry.kind === "benign").length, `${set}: benign samples`).toBeGreaterThanOrEqual(25);
      const covered = new Set(entries.flatMap((entry) => entry.expect.map((label) => label.rule)));
      expect(CREDENTIAL_RULES.filter((rule) => !covered.has(rule)), `${set}: rules no sample expects`).toEqual([]);
    }
  });

  const exact = corpus.filter((entry) => EXACT_SETS.has(entry.set));
  it.each(exact.map((entry) => [entry.file, entry] as const))("%s", async (_file, entry) => {
    const findings = await findingsOf(entry, analysis);
    // A sample the parser only reads tolerantly would test the parser, not the rules.
    expect(findings.parse, `${entry.file} does not parse: ${findings.problem ?? ""}`).toMatch(/^(module|script)$/);
    const { problems, found } = scoreFile(entry, findings.anomalies, CREDENTIAL_RULES);
    const report = [
      `${entry.file} (${entry.kind}${entry.package ? `, as package ${entry.package}` : ""}, after: ${entry.after})`,
      `  expected: ${describeLabels(entry)}`,
      `  actual:   ${describeFindings(found)}`,
      ...problems.map((problem) => `  ${problem.outcome === "fn" ? "missed" : "false alarm"} ${problem.rule}: ${problem.detail}`),
    ].join("\n");
    if (problems.length > 0) assert.fail(report);
  });

  const blindSets = [...new Set(corpus.filter((entry) => !EXACT_SETS.has(entry.set)).map((entry) => entry.set))];
  it.each(blindSets)("keeps its precision and recall on %s, and never blames an SDK", async (set) => {
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    const blamedSdks: string[] = [];
    for (const entry of corpus.filter((candidate) => candidate.set === set)) {
      const findings = await findingsOf(entry, analysis);
      const { outcomes, problems } = scoreFile(entry, findings.anomalies, CREDENTIAL_RULES);
      for (const outcome of Object.values(outcomes)) {
        if (outcome === "tp") truePositives++;
        if (outcome === "fp") falsePositives++;
        if (outcome === "fn") falseNegatives++;
      }
      const sdk = entry.kind === "benign" && entry.allow.some((label) => label.rule === "token-exfiltration");
      if (sdk && problems.some((problem) => problem.rule === "token-exfiltration")) blamedSdks.push(entry.file);
    }
    expect(blamedSdks).toEqual([]);
    expect(truePositives / (truePositives + falsePositives)).toBeGreaterThanOrEqual(BLIND_FLOORS.precision);
    expect(truePositives / (truePositives + falseNegatives)).toBeGreaterThanOrEqual(BLIND_FLOORS.recall);
  });
});
