/** Types of scripts/credential-corpus.mjs, for the corpus test. */

export type CorpusSeverity = "info" | "low" | "medium" | "high" | "critical";
export type Outcome = "tp" | "fn" | "fp" | "tn";

export interface CorpusEntry {
  set: string;
  kind: "malicious" | "benign";
  /** Relative to the corpus root: `tuning/malicious/eslint-scope-npmrc.js`. */
  file: string;
  name: string;
  /** The path inside the imagined package, given to the analysis. */
  path: string;
  /** The file's text with fake secrets expanded. */
  source: string;
  expect: { rule: string; min: CorpusSeverity }[];
  allow: { rule: string; max?: CorpusSeverity }[];
  after: string;
  /** The imagined package's name, when the file is measured through the package analysis. */
  package?: string;
}

export interface FoundAnomaly {
  rule: string;
  severity: string;
  line: number;
  message: string;
}

export const CORPUS_ROOT: string;
export const SETS: string[];
export const KINDS: string[];
export const SEVERITIES: CorpusSeverity[];
export const FAKE_KINDS: Record<string, (seed: string) => string>;
export function rank(severity: string): number;
export function expandFakes(source: string, where?: string): string;
export function loadCorpus(rules: readonly string[], options?: { sets?: string[]; root?: string }): CorpusEntry[];
export function scoreFile(
  entry: CorpusEntry,
  anomalies: readonly FoundAnomaly[],
  rules: readonly string[],
): { outcomes: Record<string, Outcome>; problems: { rule: string; outcome: Outcome; detail: string }[]; found: FoundAnomaly[] };
export function describeFindings(found: readonly FoundAnomaly[]): string;
export function describeLabels(entry: CorpusEntry): string;

export function findingsOf(
  entry: CorpusEntry,
  analysis: {
    analyzeJavaScript: (source: string, path: string) => { parse: string; problem?: string; anomalies: FoundAnomaly[] };
    analyzePackage: (contents: { files: { path: string; size: number; mode: number; data: Buffer }[]; skipped: [] }) => Promise<unknown>;
    analysisAlerts: (analysis: never) => { rule: string; severity: string; message: string; evidence: { file: string; line: number }[] }[];
  },
): Promise<{ parse: string; problem?: string; anomalies: FoundAnomaly[] }>;
