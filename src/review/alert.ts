/** The shape every finding takes, whichever part of Tollgate found it. */

/** How bad a finding is in itself; the policy turns it into a level (error, warning, notice, off). */
export type Severity = "critical" | "high" | "medium" | "low" | "info";

export const SEVERITY_ORDER: readonly Severity[] = ["critical", "high", "medium", "low", "info"];

/** A place inside a package that shows what was found. */
export interface Evidence {
  file: string;
  line: number;
  column?: number;
  /** A short excerpt, with secrets masked. */
  snippet?: string;
  /** The file at that line in a public code viewer, for packages from the public registry. */
  url?: string;
  /** What happens there, when a finding spans places (`reads process.env.NPM_TOKEN` before the line that sends it). */
  label?: string;
}

/** Where a finding is shown in the repository under review. */
export interface RepositoryLocation {
  /** The lockfile (or package.json, or config file) the finding is about. */
  path: string;
  /** 1-based line in that file. */
  line?: number;
  /** For a direct dependency, where the package.json declares it. */
  manifest?: { path: string; line: number };
}

export interface Alert {
  /** The rule id (`git-dependency`, `integrity-changed`, …): what the policy file names. */
  rule: string;
  severity: Severity;
  /** The package the finding is about; `version` is null for a removal, `previous` the version it replaces. */
  package: { name: string; version: string | null; previous?: string };
  /** One sentence: what was found. */
  message: string;
  /** Why it matters, for a reader who does not know the rule. */
  why: string;
  /** What to do about it. */
  action: string;
  location: RepositoryLocation;
  evidence?: Evidence[];
  /** For `new-capability`: the capability (`shell`, `network`, …), which the policy may rank on its own. */
  capability?: string;
  /** The package is only installed for development (the policy may rank it lower). */
  devOnly?: boolean;
}

export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b);
}
