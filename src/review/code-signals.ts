import PQueue from "p-queue";
import type { PackageAnalysis } from "../analysis/analyze-package.js";
import { analysisAlerts, compareCapabilities, type AnalysisAlert } from "../analysis/compare.js";
import { PackageReadError, type Capability } from "../analysis/model.js";
import type { VersionAnalyzer } from "../analysis/version-analyzer.js";
import type { DependencyChange } from "../lockfile/diff.js";
import { manifestConfusion, manifestConfusionAlert } from "../publication/signals.js";
import { TarballIntegrityError, TarballNotFoundError, type PackumentVersion } from "../registry/registry.js";
import type { Alert, RepositoryLocation } from "./alert.js";

/** A registry version the change brings in, with where the review shows it. */
export interface AnalysisTarget {
  change: DependencyChange;
  location: RepositoryLocation;
}

/** What a new version's code can do, for the review's summary. */
export interface CodeSummary {
  name: string;
  version: string;
  previous?: string;
  capabilities: { name: Capability; new: boolean; count: number }[];
  removed: Capability[];
}

export interface CodeSignals {
  alerts: Alert[];
  unreviewed: { subject: string; reason: string; location: RepositoryLocation }[];
  summaries: CodeSummary[];
}

const WHY: Record<AnalysisAlert["rule"], string> = {
  "new-capability":
    "Most compromised releases add exactly this: a package that never touched the network or the shell starts to, in a version nobody reviewed.",
  "install-script": "Install scripts run on every machine and CI job that installs the package, with the user's rights, before any code calls it.",
  "obfuscated-code": "Packages have no reason to hide their code; obfuscation in a dependency is how malware avoids review.",
  "suspicious-url": "Paste sites, webhook collectors, tunnels and raw addresses are where stolen data is sent; legitimate packages rarely name them.",
  "unicode-trojan": "Invisible and bidirectional characters make code read differently from how it runs.",
  "minified-code": "Minified code is hard to review; it is common in published bundles, so this is for information.",
  "hardcoded-secret": "A credential shipped in a public package is public: anyone can use it until it is revoked, and a package has no reason to carry one.",
  "credential-file-access":
    "Files such as ~/.npmrc, ~/.ssh and ~/.aws/credentials hold other tools' tokens and keys; reading them is the first step of every token theft.",
  "env-harvest": "Taking the whole environment collects every token a CI job or developer shell holds, which no library needs.",
  "token-exfiltration": "Sending a credential away is how stolen tokens reach an attacker; an SDK sends its own key to its own API, nothing else does.",
  "token-logging": "Tokens written to logs end up in CI output, log services and bug reports, where anyone who reads them can use them.",
  "token-in-url": "URLs are logged by proxies, servers and browsers' histories; a token in a query string leaks with them.",
  "insecure-transport": "Over plain http anyone on the network path reads the token.",
  "tls-verification-disabled": "Without certificate checks anyone on the network path can pose as the server and read or change the traffic, tokens included.",
  "jwt-unverified": "A JWT that is only decoded can be forged by anyone: its claims mean nothing until its signature is checked.",
};

const ACTION: Record<AnalysisAlert["rule"], string> = {
  "new-capability": "Read the code at the location shown; if the change is not explained by the release notes, keep the previous version.",
  "install-script": "Read what the script runs. If the package works without it, keep scripts off for it (npm: leave it out of allowScripts).",
  "obfuscated-code": "Do not merge until someone has read the decoded code; prefer the previous version or another package.",
  "suspicious-url": "Check where the code sends data to that address; keep the previous version unless the maintainers explain it.",
  "unicode-trojan": "Look at the file with the characters made visible, and keep the previous version until it is explained.",
  "minified-code": "No action needed unless other alerts point at this file.",
  "hardcoded-secret": "Tell the maintainers so they revoke it; if the value is a real credential of yours, revoke it now.",
  "credential-file-access": "Read what the code does with the file; unless the package's purpose is to manage that tool's login, keep the previous version.",
  "env-harvest": "Check where the collected environment goes; unless it only configures a child process, keep the previous version.",
  "token-exfiltration": "Check the destination against the package's documentation; if it is not the package's own service, keep the previous version and rotate the tokens it could reach.",
  "token-logging": "Make sure the logging is off in your use, or ask the maintainers to mask the value.",
  "token-in-url": "Prefer a version or an option that sends the token in a header.",
  "insecure-transport": "Use an https endpoint, or ask the maintainers to refuse plain http for authenticated requests.",
  "tls-verification-disabled": "Check whether it is only an opt-in option; if it applies by default, keep the previous version or set the option back.",
  "jwt-unverified": "Verify tokens with a key and an explicit list of algorithms before trusting their claims.",
};

export interface CodeSignalDeps {
  analyzer: VersionAnalyzer;
  /** The registry's record of a version, to compare with the package.json inside its tarball. */
  registryVersion?: (name: string, version: string) => PackumentVersion | undefined;
  /** A link to a file of a version in a public code viewer, when the package is public. */
  viewerUrl?: (name: string, version: string, file: string, line: number) => string | undefined;
  /** Packages analysed at once. */
  concurrency?: number;
  signal?: AbortSignal;
}

/**
 * Analyses each new registry version the review found (and the version it replaces, first, so
 * unchanged files are read once) and turns what the code can do into alerts. Whatever cannot be
 * analysed is named with the reason; a tarball that differs from the lockfile's integrity is an alert.
 */
export async function codeSignals(targets: readonly AnalysisTarget[], deps: CodeSignalDeps): Promise<CodeSignals> {
  const result: CodeSignals = { alerts: [], unreviewed: [], summaries: [] };
  const queue = new PQueue({ concurrency: deps.concurrency ?? 4 });
  await Promise.all(targets.map((target) => queue.add(() => analyzeTarget(target, deps, result))));
  result.summaries.sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
  return result;
}

async function analyzeTarget({ change, location }: AnalysisTarget, deps: CodeSignalDeps, result: CodeSignals): Promise<void> {
  const head = change.head!;
  const base = change.type === "updated" && change.base?.source === "registry" ? change.base : undefined;
  const subject = `${change.name}@${head.version}`;
  const pkg = { name: change.name, version: head.version, ...(base ? { previous: base.version } : {}) };

  let previous: PackageAnalysis | undefined;
  if (base) {
    try {
      previous = await deps.analyzer.analyze(change.name, base.version, base.integrity, deps.signal);
    } catch (error) {
      if (deps.signal?.aborted) throw error;
      result.unreviewed.push({ subject, reason: `not compared with ${base.version}: ${reasonOf(error)}`, location });
    }
  }
  let current: PackageAnalysis;
  try {
    current = await deps.analyzer.analyze(change.name, head.version, head.integrity, deps.signal);
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    if (error instanceof TarballIntegrityError) {
      result.alerts.push({
        rule: "integrity-mismatch",
        severity: "critical",
        package: pkg,
        message: `The registry's tarball of ${subject} is not the one the lockfile records (${head.integrity?.slice(0, 24)}…).`,
        why: "Published versions cannot change: different content under the same version means a tampered registry, mirror or cache, or a forged lockfile.",
        action: "Do not install it. Find out where the lockfile's integrity came from and regenerate the lockfile from the public registry.",
        location,
        ...(head.dev ? { devOnly: true } : {}),
      });
      return;
    }
    result.unreviewed.push({ subject, reason: `code not analysed: ${reasonOf(error)}`, location });
    return;
  }

  const lost = current.notAnalysed.filter((entry) => !entry.reason.startsWith("parsed tolerantly"));
  if (lost.length > 0) {
    const shown = lost.slice(0, 3).map((entry) => `${entry.file ?? "(package)"}: ${entry.reason}`).join("; ");
    result.unreviewed.push({ subject, reason: `${lost.length} file${lost.length === 1 ? "" : "s"} not analysed (${shown}${lost.length > 3 ? "; …" : ""})`, location });
  }

  for (const alert of analysisAlerts(current, previous)) {
    result.alerts.push({
      rule: alert.rule,
      severity: alert.severity,
      ...(alert.capability ? { capability: alert.capability } : {}),
      package: pkg,
      message: alert.message,
      why: WHY[alert.rule],
      action: ACTION[alert.rule],
      location,
      evidence: alert.evidence.map((evidence) => {
        const url = deps.viewerUrl?.(change.name, head.version, evidence.file, evidence.line);
        return url ? { ...evidence, url } : evidence;
      }),
      ...(head.dev ? { devOnly: true } : {}),
    });
  }
  const registryRecord = deps.registryVersion?.(change.name, head.version);
  if (registryRecord && current.manifest) {
    const confusion = manifestConfusionAlert(pkg, manifestConfusion(registryRecord, current.manifest), location);
    if (confusion) result.alerts.push(head.dev ? { ...confusion, devOnly: true } : confusion);
  }
  const comparison = previous ? compareCapabilities(previous, current) : undefined;
  const added = new Set(comparison?.added.map((report) => report.name));
  result.summaries.push({
    name: change.name,
    version: head.version,
    ...(base ? { previous: base.version } : {}),
    capabilities: current.capabilities.map((report) => ({ name: report.name, new: added.has(report.name), count: report.count })),
    removed: comparison?.removed ?? [],
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof PackageReadError || error instanceof TarballNotFoundError) return error.message;
  return (error as Error).message ?? String(error);
}
