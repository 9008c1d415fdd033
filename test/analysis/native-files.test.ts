import { describe, expect, it } from "vitest";
import { describeNativeKind, nativeFileKind, NATIVE_HEAD_BYTES, type NativeKind } from "../../src/analysis/native-files.js";

/** A file start: these bytes, then zeros up to `length`. */
function head(bytes: number[], length = 64): Uint8Array {
  const result = new Uint8Array(Math.max(length, bytes.length));
  result.set(bytes);
  return result;
}

/** A DOS stub whose header offset (at 0x3c) points at `offset`, with `PE\0\0` there unless `signature` is false. */
function peFile(offset: number, options: { signature?: boolean; length?: number } = {}): Uint8Array {
  const bytes = head([0x4d, 0x5a], options.length ?? NATIVE_HEAD_BYTES);
  new DataView(bytes.buffer).setUint32(0x3c, offset, true);
  if (options.signature !== false && offset + 4 <= bytes.length) {
    bytes.set([0x50, 0x45, 0, 0], offset);
  }
  return bytes;
}

const ELF = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1];
const text = (value: string) => new TextEncoder().encode(value);

describe("nativeFileKind", () => {
  it("knows an ELF binary by its magic, whatever its name", () => {
    expect(nativeFileKind("build/Release/addon.node", head(ELF))).toBe("elf");
    expect(nativeFileKind("vendor/esbuild", head(ELF))).toBe("elf");
    expect(nativeFileKind("lib/data.js", head(ELF))).toBe("elf");
  });

  it("knows a PE binary by `MZ` and a `PE\\0\\0` header where the DOS header points", () => {
    expect(nativeFileKind("bin/tool.exe", peFile(0x80))).toBe("pe");
    expect(nativeFileKind("prebuilds/win32-x64/addon.node", peFile(0xf8))).toBe("pe");
  });

  it("judges a PE header beyond the given start by a plausible offset alone", () => {
    expect(nativeFileKind("x.dll", peFile(0x80, { length: 64 }))).toBe("pe");
    expect(nativeFileKind("x.dll", peFile(0x20000, { length: 64 }))).toBeUndefined();
  });

  it("does not take text that starts with MZ for a PE binary", () => {
    expect(nativeFileKind("notes.txt", text("MZ is the DOS signature, named after Mark Zbikowski, a Microsoft engineer."))).toBeUndefined();
    expect(nativeFileKind("a.bin", peFile(0x80, { signature: false }))).toBeUndefined();
    expect(nativeFileKind("a.bin", peFile(0x10))).toBeUndefined();
    expect(nativeFileKind("short", text("MZ"))).toBeUndefined();
  });

  it.each([
    ["32-bit big-endian", [0xfe, 0xed, 0xfa, 0xce]],
    ["64-bit big-endian", [0xfe, 0xed, 0xfa, 0xcf]],
    ["32-bit little-endian", [0xce, 0xfa, 0xed, 0xfe]],
    ["64-bit little-endian (Apple silicon, Intel)", [0xcf, 0xfa, 0xed, 0xfe]],
    ["universal, 2 architectures", [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]],
    ["universal 64, 1 architecture", [0xca, 0xfe, 0xba, 0xbf, 0, 0, 0, 1]],
  ])("knows a Mach-O binary: %s", (_name, bytes) => {
    expect(nativeFileKind("prebuilds/darwin/addon.node", head(bytes))).toBe("mach-o");
  });

  it("tells a Java class file (0xcafebabe, then its version) from a universal binary", () => {
    // Java 8: minor 0, major 52.
    expect(nativeFileKind("lib/Main.class", head([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]))).toBeUndefined();
    expect(nativeFileKind("lib/odd.bin", head([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0]))).toBeUndefined();
    expect(nativeFileKind("lib/cut.bin", new Uint8Array([0xca, 0xfe, 0xba, 0xbe]))).toBeUndefined();
  });

  it("knows a WebAssembly module by `\\0asm` and version 1", () => {
    expect(nativeFileKind("dist/engine.wasm", head([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toBe("wasm");
    expect(nativeFileKind("dist/data.bin", head([0x00, 0x61, 0x73, 0x6d, 9, 9, 9, 9]))).toBeUndefined();
  });

  it("calls a .node file of no known format a Node addon, by name", () => {
    expect(nativeFileKind("build/Release/addon.node", text("unknown format"))).toBe("node-addon");
    expect(nativeFileKind("addon.node", new Uint8Array(0))).toBe("node-addon");
    expect(nativeFileKind("lib/.node", text("a dotfile"))).toBeUndefined();
    expect(nativeFileKind("lib/addon.node.js", text("module.exports = 1"))).toBeUndefined();
  });

  it("knows binding.gyp by its exact name, anywhere", () => {
    expect(nativeFileKind("binding.gyp", text("{ 'targets': [] }"))).toBe("binding.gyp");
    expect(nativeFileKind("deps/sub/binding.gyp", text("{}"))).toBe("binding.gyp");
    expect(nativeFileKind("not-binding.gyp", text("{}"))).toBeUndefined();
  });

  it("ignores ordinary files", () => {
    expect(nativeFileKind("index.js", text("module.exports = require('./lib');\n"))).toBeUndefined();
    expect(nativeFileKind("empty.js", new Uint8Array(0))).toBeUndefined();
  });

  it("reads a head that is a view into a larger buffer", () => {
    const buffer = Buffer.concat([Buffer.from("prefix"), Buffer.from(ELF)]);
    expect(nativeFileKind("x", buffer.subarray(6))).toBe("elf");
    const fat = Buffer.concat([Buffer.from("xyz"), Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 3])]);
    expect(nativeFileKind("x", fat.subarray(3))).toBe("mach-o");
  });
});

describe("describeNativeKind", () => {
  it.each<[NativeKind, string]>([
    ["elf", "Linux or Unix native binary (ELF)"],
    ["pe", "Windows native binary (PE executable or DLL)"],
    ["mach-o", "macOS native binary (Mach-O)"],
    ["node-addon", "Node.js native addon (.node file of an unrecognised format)"],
    ["wasm", "WebAssembly module (compiled code)"],
    ["binding.gyp", "native addon build file (binding.gyp: node-gyp compiles C/C++ code at install)"],
  ])("describes %s in one line", (kind, description) => {
    expect(describeNativeKind(kind)).toBe(description);
  });
});
