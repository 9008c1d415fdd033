import { LockfileError, type LockfileFormat } from "./model.js";

/** File names of the lockfiles Tollgate reads (bun.lockb is recognised in order to explain it cannot be read). */
export const LOCKFILE_NAMES = [
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "bun.lockb",
] as const;

/** What a file is, as far as Tollgate is concerned. */
export type DetectedFormat = LockfileFormat | "bun-binary";

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

export function isLockfilePath(path: string): boolean {
  return (LOCKFILE_NAMES as readonly string[]).includes(baseName(path));
}

export function isManifestPath(path: string): boolean {
  return baseName(path) === "package.json" && !path.split("/").includes("node_modules");
}

/**
 * Detects the lockfile format from the file name, then the content. The content decides between
 * yarn classic and berry, and names that are not a lockfile's usual name (`tollgate diff old.json new.json`).
 */
export function detectFormat(path: string, text: string): DetectedFormat {
  const head = text.slice(0, 4096);
  if (head.includes("\u0000") || head.startsWith("#!/usr/bin/env bun")) return "bun-binary";
  switch (baseName(path)) {
    case "package-lock.json":
    case "npm-shrinkwrap.json":
      return "npm";
    case "pnpm-lock.yaml":
      return "pnpm";
    case "bun.lock":
      return "bun";
    case "bun.lockb":
      return "bun-binary";
    case "yarn.lock":
      return /^__metadata:/m.test(text) ? "yarn-berry" : "yarn-classic";
  }
  if (/^# yarn lockfile v1/m.test(head)) return "yarn-classic";
  if (/^__metadata:/m.test(text)) return "yarn-berry";
  if (/^lockfileVersion:/m.test(head)) return "pnpm";
  if (/^\s*\{/.test(head)) {
    // bun.lock is JSON with trailing commas and a top-level "workspaces" map of arrays-based packages.
    if (/^\s*\{\s*"lockfileVersion":\s*\d+,\s*(?:"configVersion":\s*\d+,\s*)?"workspaces"/.test(head)) return "bun";
    if (head.includes('"lockfileVersion"') || head.includes('"dependencies"')) return "npm";
  }
  throw new LockfileError(
    path,
    undefined,
    `not a lockfile Tollgate recognises (expected one of ${LOCKFILE_NAMES.join(", ")})`,
  );
}
