import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { create } from "tar";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CONTENT_LIMITS, PackageReadError, type ContentLimits } from "../../src/analysis/model.js";
import { formatBytes, packagePath, readTarball, tallyFile } from "../../src/analysis/read-tarball.js";
import { makeTarball, TAR_END, tarArchive, tarEntry, tarHeader, type TarEntry } from "../support/tarballs.js";

const MB = 1024 * 1024;

/** The reason readTarball gives for refusing these bytes. */
async function refusal(data: Uint8Array, limits?: ContentLimits): Promise<string> {
  const error = await readTarball(data, limits).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PackageReadError);
  return (error as PackageReadError).message;
}

function paths(entries: TarEntry[], options?: { gzip?: boolean }) {
  const tar = tarArchive(entries);
  return readTarball(options?.gzip === false ? tar : gzipSync(tar));
}

describe("readTarball reads a package", () => {
  it("gives each file's path without the top folder, its bytes, size and mode, sorted by path", async () => {
    const tarball = makeTarball({ "package.json": '{"name":"a"}', "lib/z.js": "z()", "index.js": "module.exports = 1;\n" });
    const contents = await readTarball(tarball);
    expect(contents.skipped).toEqual([]);
    expect(contents.files.map((file) => [file.path, file.size, file.mode, file.data.toString()])).toEqual([
      ["index.js", 20, 0o644, "module.exports = 1;\n"],
      ["lib/z.js", 3, 0o644, "z()"],
      ["package.json", 12, 0o644, '{"name":"a"}'],
    ]);
  });

  it("reads a plain (uncompressed) tar, binary data intact", async () => {
    const binary = Buffer.from([0, 1, 2, 255, 254, 0]);
    const contents = await readTarball(makeTarball({ "bin.dat": binary, "a.js": "a" }, { gzip: false }));
    expect(contents.files.map((file) => file.path)).toEqual(["a.js", "bin.dat"]);
    expect(contents.files[1]?.data.equals(binary)).toBe(true);
  });

  it("accepts a Uint8Array that is a view into a larger buffer", async () => {
    const tarball = makeTarball({ "a.js": "a" });
    const larger = new Uint8Array(tarball.length + 20);
    larger.set(tarball, 10);
    const contents = await readTarball(larger.subarray(10, 10 + tarball.length));
    expect(contents.files.map((file) => file.path)).toEqual(["a.js"]);
  });

  it("strips whatever the top folder is called, as npm does", async () => {
    const contents = await readTarball(makeTarball({ "package.json": "{}", "lib/a.js": "a" }, { prefix: "node/" }));
    expect(contents.files.map((file) => file.path)).toEqual(["lib/a.js", "package.json"]);
  });

  it("keeps the file mode, executable bits included, and copies the data off the input", async () => {
    const tar = makeTarball({ "bin/cli.js": "#!/usr/bin/env node\n" }, { gzip: false, mode: 0o755 });
    const contents = await readTarball(tar);
    tar.fill(0);
    expect(contents.files[0]).toMatchObject({ path: "bin/cli.js", mode: 0o755 });
    expect(contents.files[0]?.data.toString()).toBe("#!/usr/bin/env node\n");
  });

  it("leaves folders out silently and normalises `.` and empty segments", async () => {
    const contents = await paths([
      { path: "package/", type: "directory" },
      { path: "package/lib/", type: "directory" },
      { path: "package/./lib//a.js", data: "a" },
      { path: "./package/b.js", data: "b" },
    ]);
    // `./package/b.js` loses `.` as its top folder, as npm's strip does, and lands in `package/`.
    expect(contents.files.map((file) => file.path)).toEqual(["lib/a.js", "package/b.js"]);
    expect(contents.skipped).toEqual([]);
  });

  it("gives an empty package for an archive that is only the end marker", async () => {
    expect(await readTarball(gzipSync(TAR_END))).toEqual({ files: [], skipped: [] });
  });

  it("lets a later entry with the same path win, as extraction would", async () => {
    const contents = await paths([
      { path: "package/a.js", data: "first" },
      { path: "package/b.js", data: "file" },
      { path: "package/a.js", data: "second" },
      { path: "package/b.js", type: "symlink", linkpath: "a.js" },
    ]);
    expect(contents.files.map((file) => [file.path, file.data.toString()])).toEqual([["a.js", "second"]]);
    expect(contents.skipped).toEqual([{ file: "b.js", reason: "symbolic link to a.js, not followed" }]);
  });

  it("ignores what follows the end-of-archive marker", async () => {
    const tar = Buffer.concat([tarArchive([{ path: "package/a.js", data: "a" }]), Buffer.from("trailing garbage".repeat(100))]);
    expect((await readTarball(tar)).files.map((file) => file.path)).toEqual(["a.js"]);
  });

  it("accepts an archive ended by a single zero block (nothing can be missing)", async () => {
    const tar = Buffer.concat([tarEntry({ path: "package/a.js", data: "a" }), Buffer.alloc(512)]);
    expect((await readTarball(tar)).files.map((file) => file.path)).toEqual(["a.js"]);
  });
});

describe("readTarball reads long names", () => {
  const longPath = `package/${"deep/".repeat(30)}file-with-a-long-name.js`;
  const longTarget = `${"../".repeat(5)}${"x".repeat(120)}`;

  it("takes a path over 100 bytes from a pax header", async () => {
    const contents = await paths([{ path: longPath, data: "pax" }]);
    expect(contents.files.map((file) => [file.path, file.data.toString()])).toEqual([[longPath.slice("package/".length), "pax"]]);
  });

  it("takes a path over 100 bytes from a GNU long-name entry", async () => {
    const contents = await paths([{ path: longPath, data: "gnu", longNames: "gnu" }]);
    expect(contents.files.map((file) => [file.path, file.data.toString()])).toEqual([[longPath.slice("package/".length), "gnu"]]);
  });

  it("reports a link's long target, from pax and from GNU records", async () => {
    const contents = await paths([
      { path: "package/pax-link", type: "symlink", linkpath: longTarget },
      { path: "package/gnu-link", type: "symlink", linkpath: longTarget, longNames: "gnu" },
    ]);
    expect(contents.skipped).toEqual([
      { file: "gnu-link", reason: `symbolic link to ${longTarget}, not followed` },
      { file: "pax-link", reason: `symbolic link to ${longTarget}, not followed` },
    ]);
  });

  describe("from an archive written by the tar package itself", () => {
    const root = mkdtempSync(join(tmpdir(), "tollgate-tar-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it("reads every file, a 150-character name and a symlink included", async () => {
      const longName = `${"n".repeat(150)}.js`;
      mkdirSync(join(root, "package", "lib"), { recursive: true });
      writeFileSync(join(root, "package", "package.json"), '{"name":"real"}');
      writeFileSync(join(root, "package", "lib", longName), "long");
      symlinkSync("../package.json", join(root, "package", "lib", "manifest"));
      const stream = create({ cwd: root, gzip: true, portable: true }, ["package"]);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      const contents = await readTarball(Buffer.concat(chunks));
      expect(contents.files.map((file) => [file.path, file.data.toString()])).toEqual([
        [`lib/${longName}`, "long"],
        ["package.json", '{"name":"real"}'],
      ]);
      expect(contents.skipped).toEqual([{ file: "lib/manifest", reason: "symbolic link to ../package.json, not followed" }]);
    });
  });
});

describe("readTarball refuses to follow or place unsafe entries", () => {
  it("skips paths that climb out with `..`, whatever the separator, and absolute paths", async () => {
    const contents = await paths([
      { path: "package/../../etc/cron.d/evil", data: "x" },
      { path: "../evil.js", data: "x" },
      { path: "package/a\\..\\..\\evil.js", data: "x" },
      { path: "/etc/passwd", data: "x" },
      { path: "C:\\Windows\\evil.dll", data: "x" },
      { path: "package/ok.js", data: "ok" },
    ]);
    expect(contents.files.map((file) => file.path)).toEqual(["ok.js"]);
    const climbs = "path with `..` that could reach outside the package, not read";
    expect(contents.skipped).toEqual([
      { file: "../evil.js", reason: climbs },
      { file: "/etc/passwd", reason: "absolute path, not read" },
      { file: "C:\\Windows\\evil.dll", reason: "absolute path, not read" },
      { file: "package/../../etc/cron.d/evil", reason: climbs },
      { file: "package/a\\..\\..\\evil.js", reason: climbs },
    ]);
  });

  it("lists links, devices and pipes with what they are, and reads none of them", async () => {
    const contents = await paths([
      { path: "package/index.js", data: "i" },
      { path: "package/passwd", type: "symlink", linkpath: "/etc/passwd" },
      { path: "package/copy.js", type: "hardlink", linkpath: "package/index.js" },
      { path: "package/tty", type: "character-device" },
      { path: "package/disk", type: "block-device" },
      { path: "package/pipe", type: "fifo" },
    ]);
    expect(contents.files.map((file) => file.path)).toEqual(["index.js"]);
    expect(contents.skipped).toEqual([
      { file: "copy.js", reason: "hard link to index.js, not followed" },
      { file: "disk", reason: "block device, not read" },
      { file: "passwd", reason: "symbolic link to /etc/passwd, not followed" },
      { file: "pipe", reason: "named pipe (FIFO), not read" },
      { file: "tty", reason: "character device, not read" },
    ]);
  });

  it("lists an entry type tar does not support (a sparse file) and reads on", async () => {
    const contents = await paths([
      { path: "package/sparse.bin", typeflag: "S", data: "sparse data" },
      { path: "package/b.js", data: "b" },
    ]);
    expect(contents.files.map((file) => file.path)).toEqual(["b.js"]);
    expect(contents.skipped).toEqual([{ file: "sparse.bin", reason: "unsupported tar entry type (SparseFile), not read" }]);
  });

  it("lists a file outside any top folder", async () => {
    const contents = await paths([{ path: "loose.js", data: "x" }]);
    expect(contents).toEqual({ files: [], skipped: [{ file: "loose.js", reason: "not inside the tarball's top folder, not read" }] });
  });
});

describe("readTarball refuses damaged input", () => {
  const twoFiles = tarArchive([
    { path: "package/a.js", data: "a".repeat(1000) },
    { path: "package/b.js", data: "b".repeat(1000) },
  ]);

  it("refuses empty input", async () => {
    expect(await refusal(new Uint8Array(0))).toBe("not a gzip or tar file (it is empty)");
  });

  it.each([
    ["short text", Buffer.from("hello world")],
    ["a page of text", Buffer.from("not a tarball at all\n".repeat(100))],
    ["a zip file", Buffer.concat([Buffer.from("PK\u0003\u0004"), Buffer.alloc(2000, 7)])],
  ])("refuses %s as not a tarball", async (_name, data) => {
    expect(await refusal(data)).toBe("not a gzip or tar file");
  });

  it("refuses gzip data that is not a tar, or a second gzip", async () => {
    expect(await refusal(gzipSync("just some text"))).toBe("the gzip data is not a tar archive");
    expect(await refusal(gzipSync(""))).toBe("the gzip data is not a tar archive");
    expect(await refusal(gzipSync(gzipSync(twoFiles)))).toBe("the gzip data is a second gzip, not a tar archive");
  });

  it("refuses an archive cut inside a file's data, never giving a partial list", async () => {
    expect(await refusal(twoFiles.subarray(0, 512 * 4 + 100))).toBe("truncated tarball (a file's data is cut short)");
    expect(await refusal(gzipSync(twoFiles.subarray(0, 512 * 4 + 100)))).toBe("truncated tarball (a file's data is cut short)");
  });

  it("refuses an archive cut between entries or inside a header, where tar itself notices nothing", async () => {
    const reason = "truncated tarball (it ends before the end-of-archive marker)";
    expect(await refusal(twoFiles.subarray(0, 512 * 3))).toBe(reason);
    expect(await refusal(twoFiles.subarray(0, 512 * 3 + 200))).toBe(reason);
    expect(await refusal(twoFiles.subarray(0, 512 * 6))).toBe(reason);
    expect(await refusal(Buffer.concat([twoFiles.subarray(0, 512 * 6), Buffer.alloc(512), Buffer.from("partial")]))).toBe(reason);
    // A lone zero block between entries is no end marker once another entry follows it.
    expect(await refusal(Buffer.concat([twoFiles.subarray(0, 512 * 3), Buffer.alloc(512), twoFiles.subarray(512 * 3, 512 * 6)]))).toBe(reason);
  });

  it("refuses a gzip stream cut short", async () => {
    const tarball = gzipSync(twoFiles);
    expect(await refusal(tarball.subarray(0, tarball.length - 10))).toBe("truncated tarball (the gzip data ends early)");
  });

  it("refuses corrupt gzip data", async () => {
    const tarball = gzipSync(twoFiles);
    const corrupt = Buffer.concat([tarball.subarray(0, 10), Buffer.alloc(tarball.length - 10, 0xff)]);
    expect(await refusal(corrupt)).toMatch(/^corrupt gzip data \(.+\)$/);
  });

  it("refuses a header with a bad checksum after good entries, rather than reading its data as headers", async () => {
    const damaged = Buffer.from(twoFiles);
    damaged[512 * 3 + 10] = 0x41; // inside the second header's name
    expect(await refusal(damaged)).toBe("corrupt tarball (checksum failure)");
  });
});

describe("readTarball enforces the limits", () => {
  it("refuses a tarball over the compressed size limit before reading it", async () => {
    const limits = { ...DEFAULT_CONTENT_LIMITS, compressedBytes: 100 };
    expect(await refusal(Buffer.alloc(101, 0x1f), limits)).toBe("compressed size exceeds the 100 bytes limit");
  });

  it("refuses more files than the limit allows, counting links as files and folders not", async () => {
    const limits = { ...DEFAULT_CONTENT_LIMITS, files: 3 };
    const three: TarEntry[] = [
      { path: "package/", type: "directory" },
      { path: "package/a.js", data: "a" },
      { path: "package/b.js", data: "b" },
      { path: "package/c", type: "symlink", linkpath: "a.js" },
    ];
    expect((await readTarball(tarArchive(three), limits)).files).toHaveLength(2);
    expect(await refusal(tarArchive([...three, { path: "package/d.js", data: "d" }]), limits)).toBe("more than 3 files");
  });

  it("refuses files whose sizes add up past the unpacked limit", async () => {
    const limits = { ...DEFAULT_CONTENT_LIMITS, unpackedBytes: 1500 };
    const entries = [
      { path: "package/a.js", data: "a".repeat(1000) },
      { path: "package/b.js", data: "b".repeat(1000) },
    ];
    expect(await refusal(tarArchive(entries), limits)).toBe("unpacked size exceeds the 1.5 KB limit");
  });

  it("refuses a header claiming 600 MB as soon as it arrives, without the data", async () => {
    const header = tarHeader({ path: "package/huge.bin", size: 600 * MB, typeflag: "0" });
    expect(await refusal(gzipSync(Buffer.concat([header, Buffer.alloc(4096)])))).toBe("unpacked size exceeds the 512 MB limit");
  });

  it("stops a gzip bomb that no file entry accounts for (600 MB of zeros in an ignored extended header)", async () => {
    // gzip members may be concatenated: one megabyte of zeros compressed once, repeated, is a small bomb quickly made.
    const megabyteOfZeros = gzipSync(Buffer.alloc(MB), { level: 9 });
    const header = gzipSync(tarHeader({ path: "PaxHeader/bomb", size: 600 * MB, typeflag: "x" }));
    const bomb = Buffer.concat([header, ...Array.from({ length: 600 }, () => megabyteOfZeros)]);
    expect(bomb.length).toBeLessThan(MB);
    expect(await refusal(bomb)).toBe("unpacked size exceeds the 512 MB limit");
  });

  it("states the default limits in plain figures", () => {
    const tally = { files: DEFAULT_CONTENT_LIMITS.files, bytes: 0 };
    expect(() => tallyFile(tally, 0, DEFAULT_CONTENT_LIMITS)).toThrow(new PackageReadError("more than 50,000 files"));
    expect(() => tallyFile({ files: 0, bytes: 0 }, 512 * MB + 1, DEFAULT_CONTENT_LIMITS)).toThrow("unpacked size exceeds the 512 MB limit");
  });
});

describe("packagePath", () => {
  it.each([
    ["package/index.js", { path: "index.js" }],
    ["package/a/./b//c.js", { path: "a/b/c.js" }],
    ["node-v0.1/lib/x.js", { path: "lib/x.js" }],
    ["package/", { reason: "not inside the tarball's top folder, not read" }],
    ["package/..", { reason: "path with `..` that could reach outside the package, not read" }],
    ["package/a..b/c..", { path: "a..b/c.." }],
    ["\\\\server\\share", { reason: "absolute path, not read" }],
  ])("places %s", (entryPath, expected) => {
    expect(packagePath(entryPath)).toEqual(expected);
  });
});

describe("formatBytes", () => {
  it.each([
    [300, "300 bytes"],
    [1536, "1.5 KB"],
    [512 * MB, "512 MB"],
    [128 * MB, "128 MB"],
    [3 * 1024 * MB, "3 GB"],
  ])("writes %d as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
