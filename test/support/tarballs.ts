import { gzipSync } from "node:zlib";

/*
 * Tarballs built in memory for tests, byte by byte (POSIX ustar, with pax or GNU records for long
 * names), so a test can make what no honest packer would: `..` paths, links, lying sizes, cut-off archives.
 */

/** The entry kinds by name; `typeflag` on an entry gives any other flag (`S`, `x`, …). */
const TYPEFLAGS = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  "character-device": "3",
  "block-device": "4",
  directory: "5",
  fifo: "6",
} as const;

export type TarEntryType = keyof typeof TYPEFLAGS;

export interface TarEntry {
  /** The path exactly as written in the archive (`package/index.js`, `../evil`). */
  path: string;
  data?: string | Buffer;
  type?: TarEntryType;
  /** A raw type flag, overriding `type`. */
  typeflag?: string;
  linkpath?: string;
  mode?: number;
  /** The size the header claims, when it should not be the data's. */
  size?: number;
  /** How a path or link target over 100 bytes is written: a pax extended header (the default) or a GNU long-name entry. */
  longNames?: "pax" | "gnu";
}

/** The end-of-archive marker: two zero blocks. */
export const TAR_END = Buffer.alloc(1024);

/** One 512-byte ustar header with its checksum; `path` and `linkpath` are cut to their 100-byte fields. */
export function tarHeader(fields: { path: string; size: number; typeflag: string; linkpath?: string; mode?: number }): Buffer {
  const header = Buffer.alloc(512);
  header.write(fields.path.slice(0, 100), 0, 100, "utf8");
  writeOctal(header, 100, 8, fields.mode ?? (fields.typeflag === TYPEFLAGS.directory ? 0o755 : 0o644));
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, fields.size);
  writeOctal(header, 136, 12, 1_700_000_000);
  header.write(fields.typeflag, 156, 1, "latin1");
  header.write((fields.linkpath ?? "").slice(0, 100), 157, 100, "utf8");
  header.write("ustar\u000000", 257, 8, "latin1");
  // The checksum is taken with its own field as spaces, then written as six octal digits, NUL, space.
  header.fill(0x20, 148, 156);
  const sum = header.reduce((total, byte) => total + byte, 0);
  header.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "latin1");
  return header;
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, "0")}\u0000`, offset, length, "latin1");
}

/** The bytes of one entry: any long-name records, the header, the data padded to whole blocks. */
export function tarEntry(entry: TarEntry): Buffer {
  const data = typeof entry.data === "string" ? Buffer.from(entry.data) : (entry.data ?? Buffer.alloc(0));
  const typeflag = entry.typeflag ?? TYPEFLAGS[entry.type ?? "file"];
  const parts: Buffer[] = [];
  const longPath = Buffer.byteLength(entry.path) > 100;
  const longLink = entry.linkpath !== undefined && Buffer.byteLength(entry.linkpath) > 100;
  if (entry.longNames === "gnu") {
    if (longPath) parts.push(withData({ path: "././@LongLink", typeflag: "L" }, Buffer.from(`${entry.path}\u0000`)));
    if (longLink) parts.push(withData({ path: "././@LongLink", typeflag: "K" }, Buffer.from(`${entry.linkpath}\u0000`)));
  } else if (longPath || longLink) {
    const records = (longPath ? paxRecord("path", entry.path) : "") + (longLink ? paxRecord("linkpath", entry.linkpath ?? "") : "");
    parts.push(withData({ path: "PaxHeader/long", typeflag: "x" }, Buffer.from(records)));
  }
  const header = tarHeader({ path: entry.path, size: entry.size ?? data.length, typeflag, linkpath: entry.linkpath, mode: entry.mode });
  parts.push(header, padded(data));
  return Buffer.concat(parts);
}

function withData(fields: { path: string; typeflag: string }, data: Buffer): Buffer {
  return Buffer.concat([tarHeader({ ...fields, size: data.length }), padded(data)]);
}

/** `<length> <key>=<value>\n`, where the length counts its own digits. */
export function paxRecord(key: string, value: string): string {
  const rest = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(rest);
  while (String(length).length + Buffer.byteLength(rest) !== length) {
    length = String(length).length + Buffer.byteLength(rest);
  }
  return `${length}${rest}`;
}

function padded(data: Buffer): Buffer {
  const remainder = data.length % 512;
  return remainder === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - remainder)]);
}

/** An uncompressed tar of these entries, ended by the end-of-archive marker unless `end` is false. */
export function tarArchive(entries: TarEntry[], options: { end?: boolean } = {}): Buffer {
  return Buffer.concat([...entries.map(tarEntry), ...(options.end === false ? [] : [TAR_END])]);
}

/**
 * A gzipped npm-style package tarball of these files (path relative to the package root → content),
 * each under the `package/` top folder unless another `prefix` is given; `gzip: false` leaves it a plain tar.
 */
export function makeTarball(files: Record<string, string | Buffer>, options: { prefix?: string; gzip?: boolean; mode?: number } = {}): Buffer {
  const prefix = options.prefix ?? "package/";
  const tar = tarArchive(Object.entries(files).map(([path, data]) => ({ path: `${prefix}${path}`, data, mode: options.mode })));
  return options.gzip === false ? tar : gzipSync(tar);
}
