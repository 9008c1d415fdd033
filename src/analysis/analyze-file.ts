import { findCredentialHandling } from "./credential-handling.js";
import { findCapabilities } from "./find-capabilities.js";
import { secretFindings } from "./hardcoded-secrets.js";
import type { AnomalyFinding, CapabilityUse, InFile } from "./model.js";
import { minifiedFinding } from "./minified.js";
import { findObfuscation } from "./obfuscation.js";
import { parseJs, type ParseMode } from "./parse-js.js";
import { SourceLines } from "./source-lines.js";
import { classifyUrl, findSuspiciousUrls, URL_KIND_LABELS } from "./suspicious-url.js";
import { findUnicodeTrojans } from "./unicode-trojan.js";

/** What one file's code does, independent of its path: cached by content, so unchanged files are read once. */
export interface FileFindings {
  uses: InFile<CapabilityUse>[];
  anomalies: InFile<AnomalyFinding>[];
  /** Relative modules loaded with constant specifiers, to follow the code an install script runs. */
  requires: string[];
  parse: ParseMode | "not-parsed";
  /** Why the file was read tolerantly or not parsed. */
  problem?: string;
}

export interface FileAnalysisOptions {
  /** Files larger than this are scanned as text but not parsed. */
  maxParseBytes: number;
}

export const DEFAULT_MAX_PARSE_BYTES = 16 * 1024 * 1024;

/** Which files are code: JavaScript by extension, or a script whose first line runs node. */
export function isJavaScript(path: string, head: string): boolean {
  if (/\.(c|m)?js$/.test(path)) return true;
  return !/\.[^/]*$/.test(path) && /^#!.*\bnode\b/.test(head);
}

/** Analyses one JavaScript file: capabilities from its syntax tree, anomalies from its text. */
export function analyzeJavaScript(source: string, path: string, options: FileAnalysisOptions = { maxParseBytes: DEFAULT_MAX_PARSE_BYTES }): FileFindings {
  const lines = new SourceLines(source);
  const at = (offset: number) => ({ ...lines.position(offset), snippet: lines.snippet(offset) });
  const anomalies = [...findUnicodeTrojans(source), ...findObfuscation(source), ...findSuspiciousUrls(source), ...secretFindings(source, path)];
  const minified = minifiedFinding(source);
  if (minified) anomalies.push(minified);

  if (Buffer.byteLength(source) > options.maxParseBytes) {
    const megabytes = Math.round(options.maxParseBytes / (1024 * 1024));
    return { uses: [], anomalies, requires: [], parse: "not-parsed", problem: `larger than the ${megabytes} MB parse limit` };
  }
  const parsed = parseJs(source, path);
  if (!parsed.ast) return { uses: [], anomalies, requires: [], parse: "not-parsed", problem: parsed.problem };

  const found = findCapabilities(parsed.ast);
  const uses = found.uses.map(({ capability, detail, offset }) => ({ capability, detail, ...at(offset) }));
  for (const offset of found.decodedAndRun) {
    anomalies.push({ rule: "obfuscated-code", severity: "critical", message: "Runs code it decodes from an encoded string.", ...at(offset) });
  }
  for (const { value, offset } of found.decodedStrings) {
    const url = classifyUrl(value);
    if (url) {
      anomalies.push({
        rule: "suspicious-url",
        // Hiding any of these addresses is suspicious; naming an exact endpoint, more so.
        severity: url.endpoint ? "high" : "medium",
        message: `Hides a ${URL_KIND_LABELS[url.kind]} address (${url.host}) in an encoded string.`,
        ...at(offset),
      });
    }
  }
  for (const finding of findCredentialHandling(parsed.ast, source, found.environment)) {
    const related = finding.related.map(({ offset, label }) => ({ ...at(offset), label }));
    anomalies.push({
      rule: finding.rule,
      severity: finding.severity,
      message: finding.message,
      ...at(finding.offset),
      ...(related.length > 0 ? { related } : {}),
      ...(finding.tool ? { tool: finding.tool } : {}),
    });
  }
  return { uses, anomalies, requires: found.requires, parse: parsed.mode, ...(parsed.problem ? { problem: parsed.problem } : {}) };
}
