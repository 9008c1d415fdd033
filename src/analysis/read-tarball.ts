/**
 * Reading an npm package tarball in memory: nothing is written to disk, no link is followed, and
 * every limit is enforced while the tarball is read, so a bomb stops early.
 */

import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import {
  DEFAULT_CONTENT_LIMITS,
  PackageReadError,
  type ContentLimits,
  type NotAnalysed,
  type PackageContents,
  type PackageFile,
} from "./model.js";

/** The size of the pieces the tar stream is fed in, so a failure stops the work between two of them. */
const CHUNK_BYTES = 256 * 1024;

/**
 * The tar stream is bigger than the files in it: each entry has a header, maybe an extended header,
 * and padding. Past the files' own bytes, this much per entry (plus the slack, which covers one
 * large extended header and the piece being fed) is allowed before the stream counts as a bomb.
 */
const TAR_BYTES_PER_ENTRY = 4 * 1024;
const TAR_SLACK_BYTES = 2 * 1024 * 1024;

/** What the files read so far cost, to hold against the limits. */
export interface Tally {
  files: number;
  bytes: number;
}

/** Counts one more file (anything but a folder) of this size; throws PackageReadError when that goes over a limit. */
export function tallyFile(tally: Tally, size: number, limits: ContentLimits): void {
  tally.files += 1;
  tally.bytes += size;
  if (tally.files > limits.files) {
    throw new PackageReadError(`more than ${limits.files.toLocaleString("en-US")} files`);
  }
  if (tally.bytes > limits.unpackedBytes) {
    throw new PackageReadError(unpackedTooLarge(limits));
  }
}

function unpackedTooLarge(limits: ContentLimits): string {
  return `unpacked size exceeds the ${formatBytes(limits.unpackedBytes)} limit`;
}

/** A size in the units people use: `512 MB`, `1.5 KB`, `300 bytes`. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ["GB", 1024 ** 3],
    ["MB", 1024 ** 2],
    ["KB", 1024],
  ] as const) {
    if (bytes >= size) {
      return `${Number((bytes / size).toFixed(1)).toLocaleString("en-US")} ${unit}`;
    }
  }
  return `${bytes} bytes`;
}

/**
 * Where a tarball entry goes inside the package, as npm unpacks it: the first path segment (the top
 * folder, usually `package/`) is dropped, and `.` and empty segments are removed. Absolute paths
 * and paths with a `..` segment (a backslash counts as a separator, as it does on Windows) are
 * refused with the reason.
 */
export function packagePath(entryPath: string): { path: string } | { reason: string } {
  if (/^([/\\]|[A-Za-z]:)/.test(entryPath)) {
    return { reason: "absolute path, not read" };
  }
  if (entryPath.split(/[/\\]/).includes("..")) {
    return { reason: "path with `..` that could reach outside the package, not read" };
  }
  const segments = entryPath.split("/").slice(1).filter((segment) => segment !== "" && segment !== ".");
  if (segments.length === 0) {
    return { reason: "not inside the tarball's top folder, not read" };
  }
  return { path: segments.join("/") };
}

/**
 * Reads a package tarball (gzipped, or a plain tar) entirely in memory. Files come back sorted by
 * path; links, devices and entries with unsafe paths are listed in `skipped`, never read or followed;
 * folders are left out. When two entries have the same path the later one wins, as on extraction.
 * A corrupt or truncated tarball, or one over a limit, throws PackageReadError with the reason.
 */
export async function readTarball(data: Uint8Array, limits: ContentLimits = DEFAULT_CONTENT_LIMITS): Promise<PackageContents> {
  if (data.length === 0) {
    throw new PackageReadError("not a gzip or tar file (it is empty)");
  }
  if (data.length > limits.compressedBytes) {
    throw new PackageReadError(`compressed size exceeds the ${formatBytes(limits.compressedBytes)} limit`);
  }
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const gzipped = startsWithGzipMagic(input);
  const reading = new TarReading(limits, gzipped);
  if (gzipped) {
    // Gunzipped here rather than by the Parser, so every byte of its output is counted before it is parsed.
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
    gunzip.on("data", (chunk: Buffer) => {
      if (!reading.write(chunk)) {
        gunzip.destroy();
        reading.end();
      }
    });
    gunzip.on("end", () => reading.end());
    gunzip.on("error", (error: NodeJS.ErrnoException) => reading.fail(gzipErrorReason(error)));
    gunzip.end(input);
  } else {
    let at = 0;
    while (at < input.length && reading.write(input.subarray(at, at + CHUNK_BYTES))) {
      at += CHUNK_BYTES;
    }
    reading.end();
  }
  return reading.done;
}

function startsWithGzipMagic(bytes: Buffer): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gzipErrorReason(error: NodeJS.ErrnoException): string {
  return error.code === "Z_BUF_ERROR" ? "truncated tarball (the gzip data ends early)" : `corrupt gzip data (${error.message})`;
}

/** One tarball being parsed: the Parser, what it has produced so far, and how the reading ended. */
class TarReading {
  readonly done: Promise<PackageContents>;
  private resolve!: (contents: PackageContents) => void;
  private reject!: (error: PackageReadError) => void;
  private settled = false;
  private readonly parser = new Parser({ brotli: false, zstd: false });
  /** By package path: the file, or why it was not read. A later entry replaces an earlier one. */
  private readonly byPath = new Map<string, PackageFile | NotAnalysed>();
  /** Entries with no safe place in the package. */
  private readonly unplaced: NotAnalysed[] = [];
  private readonly tally: Tally = { files: 0, bytes: 0 };
  private tarBytes = 0;
  private entries = 0;
  /** The Parser recognised a header or a zero block: later garbage is corruption, not a non-tar file. */
  private sawTarData = false;
  /** A zero block came after the last entry: one marks the end (two are standard, one loses nothing). */
  private sawEndMarker = false;
  /** Two zero blocks: the end of the archive; what follows is ignored, as tar does. */
  private sawEof = false;

  private readonly limits: ContentLimits;
  private readonly gzipped: boolean;

  constructor(limits: ContentLimits, gzipped: boolean) {
    this.limits = limits;
    this.gzipped = gzipped;
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.parser.on("entry", (entry: ReadEntry) => this.onEntry(entry));
    this.parser.on("ignoredEntry", (entry: ReadEntry) => this.onIgnoredEntry(entry));
    this.parser.on("meta", () => this.onHeader());
    this.parser.on("nullBlock", () => this.onZeroBlock());
    this.parser.on("eof", () => {
      this.onZeroBlock();
      this.sawEof = true;
    });
    // The Parser reports damage as warnings and carries on; here every one of them ends the reading.
    this.parser.on("warn", (code: string, message: string) => this.onWarning(code, message));
    this.parser.on("error", (error: Error) => this.fail(`unreadable tarball (${error.message})`));
    this.parser.on("end", () => this.finish());
  }

  /** Feeds the next piece of the tar stream; false once no more is wanted (the archive ended, or the reading failed). */
  write(chunk: Buffer): boolean {
    if (this.settled || this.sawEof) {
      return false;
    }
    if (this.gzipped && this.tarBytes === 0 && startsWithGzipMagic(chunk)) {
      // The Parser would gunzip an inner layer itself, where its output escapes the count; npm tarballs are gzipped once.
      this.fail("the gzip data is a second gzip, not a tar archive");
      return false;
    }
    this.tarBytes += chunk.length;
    if (this.tarBytes > this.limits.unpackedBytes + this.entries * TAR_BYTES_PER_ENTRY + TAR_SLACK_BYTES) {
      this.fail(unpackedTooLarge(this.limits));
      return false;
    }
    this.parser.write(chunk);
    return !this.settled && !this.sawEof;
  }

  /** The tar stream is over: let the Parser finish what it holds. */
  end(): void {
    if (!this.settled) {
      this.parser.end();
    }
  }

  /** Ends the reading with this reason; the first reason is the one reported. */
  fail(reason: string): void {
    if (this.settled) {
      return;
    }
    this.settled = true;
    this.parser.abort(new PackageReadError(reason));
    this.reject(new PackageReadError(reason));
  }

  private onHeader(): void {
    this.sawTarData = true;
    this.sawEndMarker = false;
  }

  private onZeroBlock(): void {
    this.sawTarData = true;
    this.sawEndMarker = true;
  }

  private onEntry(entry: ReadEntry): void {
    this.onHeader();
    if (this.settled) {
      entry.resume();
      return;
    }
    this.entries += 1;
    if (entry.type === "Directory" || entry.type === "GNUDumpDir") {
      entry.resume();
      return;
    }
    if (!this.counted(entry)) {
      return;
    }
    const place = packagePath(entry.path);
    if ("reason" in place) {
      this.unplaced.push({ file: entry.path, reason: place.reason });
      entry.resume();
      return;
    }
    const path = place.path;
    if (entry.type === "File" || entry.type === "OldFile" || entry.type === "ContiguousFile") {
      const chunks: Buffer[] = [];
      entry.on("data", (chunk: Buffer) => chunks.push(chunk));
      entry.on("end", () => {
        // Copied, so no file holds on to the caller's buffer or to a whole gunzipped piece.
        const data = Buffer.concat(chunks);
        this.byPath.set(path, { path, size: data.length, mode: entry.mode ?? 0o644, data });
      });
      return;
    }
    this.byPath.set(path, { file: path, reason: notReadReason(entry) });
    entry.resume();
  }

  /** Entry types the Parser skips (sparse files, ACLs, oversized extended headers): listed, never silent. */
  private onIgnoredEntry(entry: ReadEntry): void {
    this.onHeader();
    entry.resume();
    if (this.settled) {
      return;
    }
    this.entries += 1;
    if (entry.meta) {
      this.unplaced.push({ reason: `an extended header of ${formatBytes(entry.size)} was too large and was ignored` });
      return;
    }
    if (!this.counted(entry)) {
      return;
    }
    const place = packagePath(entry.path);
    const file = "path" in place ? place.path : entry.path;
    this.unplaced.push({ file, reason: `unsupported tar entry type (${entry.type}), not read` });
  }

  private counted(entry: ReadEntry): boolean {
    try {
      tallyFile(this.tally, entry.size, this.limits);
      return true;
    } catch (error) {
      entry.resume();
      this.fail((error as PackageReadError).message);
      return false;
    }
  }

  private onWarning(code: string, message: string): void {
    if (code === "TAR_BAD_ARCHIVE" && message.startsWith("Truncated")) {
      this.fail("truncated tarball (a file's data is cut short)");
    } else if (code === "TAR_BAD_ARCHIVE" && this.sawEof && this.entries === 0) {
      // An archive with no entries at all, only its end marker: empty, but a valid tar.
    } else if (code === "TAR_BAD_ARCHIVE" || (code === "TAR_ENTRY_INVALID" && !this.sawTarData)) {
      this.fail(this.gzipped ? "the gzip data is not a tar archive" : "not a gzip or tar file");
    } else if (code === "TAR_ENTRY_INVALID") {
      // Skipping a bad header as tar does would read its data as headers, maybe not as npm reads them.
      this.fail(`corrupt tarball (${message})`);
    } else {
      this.fail(`unreadable tarball (${message})`);
    }
  }

  private finish(): void {
    if (this.settled) {
      return;
    }
    // The Parser ends quietly when input stops at an entry boundary or inside a header, so only the
    // end marker proves nothing is missing; a lone zero block counts only if no partial block follows it.
    if (!this.sawEof && !(this.sawEndMarker && this.tarBytes % 512 === 0)) {
      this.fail("truncated tarball (it ends before the end-of-archive marker)");
      return;
    }
    this.settled = true;
    const files: PackageFile[] = [];
    const skipped = [...this.unplaced];
    for (const item of this.byPath.values()) {
      if ("data" in item) {
        files.push(item);
      } else {
        skipped.push(item);
      }
    }
    this.resolve({ files: files.sort((a, b) => comparePaths(a.path, b.path)), skipped: skipped.sort((a, b) => comparePaths(a.file ?? "", b.file ?? "")) });
  }
}

function notReadReason(entry: ReadEntry): string {
  switch (entry.type) {
    case "SymbolicLink":
      return `symbolic link to ${entry.linkpath ?? "nothing"}, not followed`;
    case "Link": {
      const target = packagePath(entry.linkpath ?? "");
      return `hard link to ${"path" in target ? target.path : entry.linkpath}, not followed`;
    }
    case "CharacterDevice":
      return "character device, not read";
    case "BlockDevice":
      return "block device, not read";
    case "FIFO":
      return "named pipe (FIFO), not read";
    default:
      return `unsupported tar entry type (${entry.type}), not read`;
  }
}

/** Orders paths by UTF-16 code units: the same order on every machine, whatever the locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
