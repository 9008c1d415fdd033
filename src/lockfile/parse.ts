import { binaryBunLockfileError, parseBunLockfile } from "./bun.js";
import type { ParseContext } from "./context.js";
import { detectFormat } from "./detect.js";
import { conflictMarkerLine } from "./lines.js";
import { LockfileError, type Lockfile } from "./model.js";
import { parseNpmLockfile } from "./npm.js";
import { parsePnpmLockfile } from "./pnpm.js";
import { parseYarnBerryLockfile } from "./yarn-berry.js";
import { parseYarnClassicLockfile } from "./yarn-classic.js";

const REGENERATE: Record<string, string> = {
  npm: "npm install",
  "yarn-classic": "yarn install",
  "yarn-berry": "yarn install",
  pnpm: "pnpm install",
  bun: "bun install",
};

/**
 * Parses any supported lockfile into the normalised model. Throws only `LockfileError`, naming the
 * file, the line when known, and what to do.
 */
export function parseLockfile(path: string, text: string, context: ParseContext = {}): Lockfile {
  const format = detectFormat(path, text);
  if (format === "bun-binary") throw binaryBunLockfileError(path);
  // JSON readers look for conflict markers only once JSON.parse fails (a marker is never valid JSON),
  // which keeps the scan off the hot path; the YAML-like formats could parse around one.
  const conflict = format === "npm" || format === "bun" ? undefined : conflictMarkerLine(text);
  if (conflict !== undefined) {
    throw new LockfileError(
      path,
      conflict,
      `committed merge-conflict markers: resolve the conflict and regenerate the lockfile with \`${REGENERATE[format]}\``,
    );
  }
  try {
    switch (format) {
      case "npm":
        return parseNpmLockfile(path, text, context);
      case "yarn-classic":
        return parseYarnClassicLockfile(path, text, context);
      case "yarn-berry":
        return parseYarnBerryLockfile(path, text, context);
      case "pnpm":
        return parsePnpmLockfile(path, text);
      case "bun":
        return parseBunLockfile(path, text);
    }
  } catch (error) {
    if (error instanceof LockfileError) throw error;
    // A parser bug must still name the file rather than crash the review.
    throw new LockfileError(path, undefined, `could not be read: ${(error as Error).message}`);
  }
}
