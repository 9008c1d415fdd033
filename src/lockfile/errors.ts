import { LockfileError } from "./model.js";

/*
 * The pieces of the LockfileErrors that every parser throws.
 */

/**
 * The parsers' safety net: a bug or a pathological input must still come out as an error that
 * names the file, never as a crash of the review. A LockfileError passes through unchanged.
 */
export function asLockfileError(path: string, error: unknown, fix: string): LockfileError {
  if (error instanceof LockfileError) return error;
  return new LockfileError(path, undefined, `could not be read (${describe(error)}): ${fix}`);
}

export function conflictMarkersError(path: string, line: number, fix: string): LockfileError {
  return new LockfileError(path, line, `committed merge-conflict markers: resolve the conflict and ${fix}`);
}

/** Text from the lockfile, shortened to fit in a message. */
export function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What went wrong, from anything thrown. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
