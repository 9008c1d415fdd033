import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { FileFindings } from "./analyze-file.js";
import type { FindingsCache, PackageAnalysis } from "./analyze-package.js";

/** Finished analyses by key (the analyser's version and the tarball's integrity): a version is analysed once. */
export interface AnalysisStore {
  get(key: string): Promise<PackageAnalysis | undefined>;
  set(key: string, analysis: PackageAnalysis): Promise<void>;
}

/** A Map that forgets the least recently used entries beyond `capacity`. */
class LruMap<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** Findings by file content hash, in memory: shared by the versions of a review and by later reviews. */
export function memoryFindingsCache(capacity = 50_000): FindingsCache {
  const map = new LruMap<FileFindings>(capacity);
  return { get: (hash) => map.get(hash), set: (hash, findings) => map.set(hash, findings) };
}

export function memoryAnalysisStore(capacity = 2_000): AnalysisStore {
  const map = new LruMap<PackageAnalysis>(capacity);
  return { get: async (key) => map.get(key), set: async (key, analysis) => map.set(key, analysis) };
}

/**
 * Analyses as JSON files in a folder, so they outlive the process (the server's and the CLI's
 * cache). Written to a temporary name and renamed, so a reader never sees half a file.
 */
export function directoryAnalysisStore(folder: string): AnalysisStore {
  const fileOf = (key: string) => join(folder, `${createHash("sha256").update(key).digest("hex")}.json`);
  return {
    async get(key) {
      try {
        const analysis = JSON.parse(await readFile(fileOf(key), "utf8")) as PackageAnalysis & { key?: string };
        return analysis.key === key ? analysis : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, analysis) {
      await mkdir(folder, { recursive: true });
      const file = fileOf(key);
      const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(temporary, JSON.stringify({ ...analysis, key }));
      await rename(temporary, file);
    },
  };
}
