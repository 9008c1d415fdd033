import type { Verdict } from "../policy/apply.js";
import { RULES, isRuleId } from "../policy/rules.js";
import type { Review } from "../review/review.js";

const SARIF_LEVEL = { error: "error", warning: "warning", notice: "note" } as const;

/**
 * The review as SARIF 2.1.0, for code scanning upload: one result per finding on its lockfile line,
 * and one per file that could not be reviewed.
 */
export function renderSarif(review: Review, verdict: Verdict, toolVersion: string) {
  const ruleIds = [...new Set(verdict.findings.map((finding) => finding.rule))].sort();
  const results = verdict.findings.map((finding) => ({
    ruleId: finding.rule,
    level: SARIF_LEVEL[finding.level],
    message: { text: `${finding.message} What to do: ${finding.action}` },
    locations: [location(finding.location.path, finding.location.line)],
    ...(finding.location.manifest ? { relatedLocations: [{ id: 1, ...location(finding.location.manifest.path, finding.location.manifest.line) }] } : {}),
    // Stable across runs, so code scanning tracks one alert per package version and rule.
    partialFingerprints: { "tollgate/v1": `${finding.rule}:${finding.package.name}@${finding.package.version ?? ""}` },
  }));
  for (const item of review.unreviewed) {
    results.push({
      ruleId: "not-reviewed",
      level: "warning",
      message: { text: `${item.subject} could not be reviewed: ${item.reason}` },
      locations: [location(item.location?.path ?? ".", item.location?.line)],
      partialFingerprints: { "tollgate/v1": `not-reviewed:${item.subject}` },
    });
  }
  const rules = ruleIds.map((id) => ({
    id,
    name: id,
    shortDescription: { text: isRuleId(id) ? RULES[id].title : id },
  }));
  if (review.unreviewed.length > 0) rules.push({ id: "not-reviewed", name: "not-reviewed", shortDescription: { text: "Could not be reviewed" } });
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [{ tool: { driver: { name: "Tollgate", version: toolVersion, rules } }, results }],
  };
}

function location(path: string, line: number | undefined) {
  return { physicalLocation: { artifactLocation: { uri: path }, region: { startLine: line ?? 1 } } };
}
