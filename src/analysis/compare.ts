import type { Severity } from "../review/alert.js";
import type { CapabilityReport, PackageAnalysis } from "./analyze-package.js";
import { isOwnTool } from "./credential-patterns.js";
import type { AnomalyFinding, AnomalyRule, Capability, CodeLocation } from "./model.js";

/** A finding of the analysis, before the review places it in a repository. */
export interface AnalysisAlert {
  rule: "new-capability" | "install-script" | AnomalyRule;
  severity: Severity;
  /** For `new-capability`: which one, so a policy can rank shell above environment. */
  capability?: Capability;
  message: string;
  /** The places that show it; for a flow, the sink first, then where the value was read (labelled). */
  evidence: (CodeLocation & { label?: string })[];
}

/** How much a capability the previous version did not have matters, before install time raises it. */
const NEW_CAPABILITY_SEVERITY: Record<Capability, Severity> = {
  "install-script": "high",
  shell: "high",
  "native-code": "high",
  eval: "high",
  network: "medium",
  "dynamic-require": "medium",
  filesystem: "low",
  environment: "low",
};

const RAISED: Record<Severity, Severity> = { info: "low", low: "medium", medium: "high", high: "critical", critical: "critical" };

/** The capabilities `current` has and `previous` did not, and those it dropped. */
export function compareCapabilities(previous: PackageAnalysis, current: PackageAnalysis): { added: CapabilityReport[]; removed: Capability[] } {
  const before = new Set(previous.capabilities.map((report) => report.name));
  const after = new Set(current.capabilities.map((report) => report.name));
  return {
    added: current.capabilities.filter((report) => !before.has(report.name)),
    removed: [...before].filter((name) => !after.has(name)),
  };
}

/**
 * The alerts of an analysed version: anomalies, install scripts, and for an update each capability
 * the previous version did not have. Install-time code ranks one step higher: it runs on every
 * machine that installs the package, before anyone calls it.
 */
export function analysisAlerts(current: PackageAnalysis, previous?: PackageAnalysis, options: { minified?: "always" | "when-new" } = {}): AnalysisAlert[] {
  const alerts: AnalysisAlert[] = [];
  const label = `${current.package.name}@${current.package.version}`;

  if (previous) {
    for (const report of compareCapabilities(previous, current).added) {
      if (report.name === "install-script") continue; // reported below, with the command
      const installTime = report.locations.some((found) => found.installTime);
      const base = NEW_CAPABILITY_SEVERITY[report.name];
      const first = report.locations[0]!;
      alerts.push({
        rule: "new-capability",
        capability: report.name,
        severity: installTime ? RAISED[base] : base,
        message: `${label} uses ${report.name} (${first.detail}${report.count > 1 ? ` and ${report.count - 1} more` : ""}), which ${previous.package.version} did not${installTime ? ", at install time" : ""}.`,
        evidence: report.locations.slice(0, 3).map(withoutExtras),
      });
    }
  }

  const previousScripts = new Set(previous?.installScripts.map((script) => `${script.event}\0${script.command}`));
  for (const script of current.installScripts) {
    if (previous && previousScripts.has(`${script.event}\0${script.command}`)) continue;
    const added = previous ? ` (new since ${previous.package.version})` : "";
    const runs = script.files.length > 0 ? `, running ${script.files.join(", ")}` : "";
    const location = current.capabilities.find((report) => report.name === "install-script")?.locations.find((found) => found.detail.startsWith(`${script.event}:`));
    alerts.push({
      rule: "install-script",
      severity: previous ? "high" : "medium",
      message: `${label} runs \`${script.command}\` on ${script.event}${runs}${added}.`,
      evidence: location ? [withoutExtras(location)] : [],
    });
  }

  // Minified code is for information: reported when asked for, or when an update brings it to a
  // package that had none (most published bundles are minified, and saying so every time is noise).
  const hadMinified = previous?.anomalies.some((anomaly) => anomaly.rule === "minified-code") ?? false;
  const showMinified = options.minified === "always" || (previous !== undefined && !hadMinified);
  // Information (an SDK sending its own key home) is said once, not again at every update.
  const previousInformation = new Set(previous?.anomalies.filter((anomaly) => anomaly.severity === "info").map((anomaly) => `${anomaly.rule}\0${anomaly.message}`));
  const seen = new Set<string>();
  for (const anomaly of current.anomalies) {
    if (anomaly.rule === "minified-code" && !showMinified) continue;
    const own = anomaly.tool && isOwnTool(current.package.name, anomaly.tool);
    // Credentials handled by install-time code are handled on every machine that installs the package.
    const severity = own ? "info" : anomaly.installTime && anomaly.severity !== "info" ? RAISED[anomaly.severity] : anomaly.severity;
    if (severity === "info" && anomaly.rule !== "minified-code" && previousInformation.has(`${anomaly.rule}\0${anomaly.message}`)) continue;
    // One alert per rule and file: a bundle full of one pattern is one finding.
    const key = `${anomaly.rule}\0${anomaly.file}\0${anomaly.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const message = anomaly.installTime && !own ? `${anomaly.message.replace(/\.$/, "")}, at install time.` : anomaly.message;
    alerts.push({ rule: anomaly.rule, severity, message, evidence: evidenceOf(anomaly) });
  }
  return alerts;
}

/** The finding's own place, then the places that explain it (where a sent token was read). */
function evidenceOf(anomaly: AnomalyFinding): (CodeLocation & { label?: string })[] {
  const related = (anomaly.related ?? []).map(({ line, column, snippet, label }) => ({ file: anomaly.file, line, column, snippet, label }));
  return [withoutExtras(anomaly), ...related];
}

function withoutExtras({ file, line, column, snippet }: CodeLocation): CodeLocation {
  return { file, line, column, snippet };
}
