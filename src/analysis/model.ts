/** The shapes the package analysis works with: what a package's files are, and what its code can do. */

import type { Severity } from "../review/alert.js";

/** What a package's code can do, by kind. */
export const CAPABILITIES = [
  "network",
  "filesystem",
  "shell",
  "environment",
  "eval",
  "dynamic-require",
  "native-code",
  "install-script",
] as const;

export type Capability = (typeof CAPABILITIES)[number];

/** A place inside a package: the file (relative to the package root, `lib/index.js`), 1-based line, 0-based column. */
export interface CodeLocation {
  file: string;
  line: number;
  column: number;
  /** The line's text around the finding, at most a line long, secrets masked. */
  snippet: string;
}

/** One use of a capability: where, and exactly what (`child_process`, `process.env.NPM_TOKEN`, `fetch`). */
export interface CapabilityUse extends CodeLocation {
  capability: Capability;
  detail: string;
  /** The code runs when the package is installed (an install script or code it reaches). */
  installTime?: boolean;
}

/** How a package handles API tokens and credentials: shipped, read, harvested, sent, logged or weakened. */
export const CREDENTIAL_RULES = [
  "hardcoded-secret",
  "credential-file-access",
  "env-harvest",
  "token-exfiltration",
  "token-logging",
  "token-in-url",
  "insecure-transport",
  "tls-verification-disabled",
  "jwt-unverified",
] as const;

export type CredentialRule = (typeof CREDENTIAL_RULES)[number];

export function isCredentialRule(rule: string): rule is CredentialRule {
  return (CREDENTIAL_RULES as readonly string[]).includes(rule);
}

/** Findings that are suspicious in themselves, whatever the previous version did. */
export const ANOMALY_RULES = ["obfuscated-code", "suspicious-url", "unicode-trojan", "minified-code", ...CREDENTIAL_RULES] as const;

export type AnomalyRule = (typeof ANOMALY_RULES)[number];

/** Another place in the same file that explains a finding: where a token was read, before the sink that sends it. */
export interface RelatedLocation {
  line: number;
  column: number;
  snippet: string;
  /** What happens there, in a few words (`reads process.env.NPM_TOKEN`). */
  label: string;
}

export interface AnomalyFinding extends CodeLocation {
  rule: AnomalyRule;
  severity: Severity;
  /** One sentence: what was found. */
  message: string;
  /** For flows: the source (and steps) that lead to this location, the sink. */
  related?: RelatedLocation[];
  /** For another tool's credentials: the tool (`aws`, `ssh`), so that tool's own packages are not blamed. */
  tool?: string;
  /** The code runs when the package is installed (an install script or code it reaches). */
  installTime?: boolean;
}

/** A location without its file: what one file's analysis produces, cached by the file's content. */
export type InFile<T extends CodeLocation> = Omit<T, "file">;

/** One file of a package, read from its tarball or folder. */
export interface PackageFile {
  /** Relative to the package root, `/`-separated, never absolute, never with `..`. */
  path: string;
  size: number;
  /** The file mode from the tarball (executable bits matter for native code). */
  mode: number;
  data: Buffer;
}

/** Something in a package that was not analysed, and why: never skipped in silence. */
export interface NotAnalysed {
  /** The file, or undefined when the whole package could not be read. */
  file?: string;
  reason: string;
}

/** A package's files as read, and what was left out of them. */
export interface PackageContents {
  files: PackageFile[];
  skipped: NotAnalysed[];
}

/** Bounds on what reading one package may cost; what goes over one is reported, not read. */
export interface ContentLimits {
  /** The gzipped tarball. */
  compressedBytes: number;
  /** The sum of the files' sizes once unpacked. */
  unpackedBytes: number;
  /** The number of entries. */
  files: number;
}

export const DEFAULT_CONTENT_LIMITS: ContentLimits = {
  compressedBytes: 128 * 1024 * 1024,
  unpackedBytes: 512 * 1024 * 1024,
  files: 50_000,
};

/** The whole package cannot be read (a corrupt tarball, a limit exceeded): the message is the reason. */
export class PackageReadError extends Error {
  override name = "PackageReadError";
}

/** A lifecycle script that runs when the package is installed. */
export interface InstallScript {
  event: "preinstall" | "install" | "postinstall";
  /** The command text, as package.json has it (or `node-gyp rebuild` when implicit). */
  command: string;
  /** npm runs `node-gyp rebuild` for a package with a binding.gyp and no install script of its own. */
  implicit: boolean;
  /** Package files the command runs (`scripts/postinstall.js`), relative to the package root. */
  files: string[];
}
