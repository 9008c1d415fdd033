/** Recognising compiled code among a package's files, by name and by the magic numbers at their start. */

/**
 * What kind of compiled code a file is:
 * - `elf`, `pe`, `mach-o`: a native binary (Linux and most Unixes, Windows, macOS), known by its
 *   first bytes whatever its name; a `.node` addon is one of these too, and gets the format's kind.
 * - `node-addon`: a `.node` file whose bytes are none of those formats (Node loads `.node` files as
 *   native addons, so it is still native code, of a format not recognised here).
 * - `wasm`: a WebAssembly module: sandboxed, but compiled code that reading the JavaScript cannot see into.
 * - `binding.gyp`: not code itself, but node-gyp compiles the package's C/C++ on install because of it.
 */
export type NativeKind = "elf" | "pe" | "mach-o" | "node-addon" | "wasm" | "binding.gyp";

/** How much of a file's start `nativeFileKind` should be given: enough to see a PE header where it usually sits. */
export const NATIVE_HEAD_BYTES = 4096;

/** Beyond this, a PE header offset is taken for text that happens to start with `MZ` (text bytes make it at least 0x20000000). */
const MAX_PE_HEADER_OFFSET = 0x10000;

/**
 * The kind of compiled code a package file is, or undefined for anything else. `head` is the file's
 * start: the first NATIVE_HEAD_BYTES or the whole file (with less, a PE header past the end of
 * `head` is judged by its offset alone).
 */
export function nativeFileKind(path: string, head: Uint8Array): NativeKind | undefined {
  const byMagic = binaryFormat(head);
  if (byMagic !== undefined) {
    return byMagic;
  }
  const name = path.slice(path.lastIndexOf("/") + 1);
  if (name === "binding.gyp") {
    return "binding.gyp";
  }
  // Node's loader goes by the exact extension; `.node` alone is a dotfile's name, not an extension.
  if (name.endsWith(".node") && name !== ".node") {
    return "node-addon";
  }
  return undefined;
}

/** One line saying what a kind of native file is, for a report. */
export function describeNativeKind(kind: NativeKind): string {
  switch (kind) {
    case "elf":
      return "Linux or Unix native binary (ELF)";
    case "pe":
      return "Windows native binary (PE executable or DLL)";
    case "mach-o":
      return "macOS native binary (Mach-O)";
    case "node-addon":
      return "Node.js native addon (.node file of an unrecognised format)";
    case "wasm":
      return "WebAssembly module (compiled code)";
    case "binding.gyp":
      return "native addon build file (binding.gyp: node-gyp compiles C/C++ code at install)";
  }
}

function binaryFormat(head: Uint8Array): Exclude<NativeKind, "node-addon" | "binding.gyp"> | undefined {
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) {
    return "elf";
  }
  if (isPe(head)) {
    return "pe";
  }
  if (isMachO(head)) {
    return "mach-o";
  }
  // `\0asm` then version 1: the version keeps a file that merely starts with `\0asm` out.
  if (startsWith(head, [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])) {
    return "wasm";
  }
  return undefined;
}

/** `MZ` (the DOS header), then at 0x3c the offset of the `PE\0\0` header, which must be there when `head` reaches it. */
function isPe(head: Uint8Array): boolean {
  if (!startsWith(head, [0x4d, 0x5a]) || head.length < 0x40) {
    return false;
  }
  const offset = readUint32(head, 0x3c, "little");
  if (offset < 0x40 || offset > MAX_PE_HEADER_OFFSET) {
    return false;
  }
  return head.length < offset + 4 || startsWith(head.subarray(offset), [0x50, 0x45, 0x00, 0x00]);
}

const MACH_O_MAGICS = [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe];
const FAT_MAGICS = [0xcafebabe, 0xcafebabf];

/**
 * The thin Mach-O magics, both byte orders; or a universal ("fat") binary. Java class files share
 * 0xcafebabe, followed by their version (45 or more); a fat binary has its architecture count there,
 * which is small: below 20, as file(1) decides.
 */
function isMachO(head: Uint8Array): boolean {
  if (head.length < 4) {
    return false;
  }
  const magic = readUint32(head, 0, "big");
  if (MACH_O_MAGICS.includes(magic)) {
    return true;
  }
  if (!FAT_MAGICS.includes(magic) || head.length < 8) {
    return false;
  }
  const architectures = readUint32(head, 4, "big");
  return architectures > 0 && architectures < 20;
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}

function readUint32(bytes: Uint8Array, offset: number, order: "big" | "little"): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(offset, order === "little");
}
