import { clip } from "./errors.js";
import { LockfileError } from "./model.js";

const SRI_LENGTHS: Record<string, number> = { sha1: 28, sha256: 44, sha384: 64, sha512: 88 };

/**
 * Rejects a malformed SRI string (`sha512-…`, space-separated when there are several): an integrity
 * cut short is the usual sign of a truncated file, and a wrong hash would otherwise be compared as if
 * it were real.
 */
export function checkIntegrity(path: string, line: number | undefined, integrity: string, fix: string): void {
  for (const token of integrity.trim().split(/\s+/)) {
    const dash = token.indexOf("-");
    const algorithm = dash === -1 ? "" : token.slice(0, dash);
    const expected = SRI_LENGTHS[algorithm];
    const hash = token.slice(dash + 1).replace(/\?.*$/, "");
    if (expected === undefined ? !/^[\w-]+-[A-Za-z0-9+/=_-]+$/.test(token) : hash.length !== expected || !/^[A-Za-z0-9+/]+=*$/.test(hash)) {
      throw new LockfileError(path, line, `integrity "${clip(integrity)}" is malformed (the file may be truncated or hand-edited): ${fix}`);
    }
  }
}
