import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CONTENT_LIMITS, PackageReadError, type ContentLimits } from "../../src/analysis/model.js";
import { readFolder } from "../../src/analysis/read-folder.js";

const scratch = mkdtempSync(join(tmpdir(), "tollgate-folder-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let folders = 0;

/** A fresh folder holding these files (path → content). */
function folderWith(files: Record<string, string | Buffer>): string {
  const root = join(scratch, `package-${(folders += 1)}`);
  mkdirSync(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

async function refusal(dir: string, limits?: ContentLimits): Promise<string> {
  const error = await readFolder(dir, limits).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(PackageReadError);
  return (error as PackageReadError).message;
}

describe("readFolder", () => {
  it("reads every file with its `/`-separated path, size, mode and bytes, sorted by path", async () => {
    const root = folderWith({ "package.json": "{}", "lib/b.js": "b", "lib/deep/a.js": "aa", "bin/cli.js": "#!/usr/bin/env node" });
    chmodSync(join(root, "bin/cli.js"), 0o755);
    chmodSync(join(root, "lib/b.js"), 0o644);
    const contents = await readFolder(root);
    expect(contents.skipped).toEqual([]);
    expect(contents.files.map((file) => [file.path, file.size, file.data.toString()])).toEqual([
      ["bin/cli.js", 19, "#!/usr/bin/env node"],
      ["lib/b.js", 1, "b"],
      ["lib/deep/a.js", 2, "aa"],
      ["package.json", 2, "{}"],
    ]);
    expect(contents.files.find((file) => file.path === "bin/cli.js")?.mode).toBe(0o755);
    expect(contents.files.find((file) => file.path === "lib/b.js")?.mode).toBe(0o644);
  });

  it("gives nothing for an empty folder", async () => {
    expect(await readFolder(folderWith({}))).toEqual({ files: [], skipped: [] });
  });

  it("lists symbolic links, to files, folders or nowhere, and follows none of them", async () => {
    const outside = folderWith({ "secret.txt": "do not read", "dir/inner.js": "nor this" });
    const root = folderWith({ "index.js": "i" });
    symlinkSync(join(outside, "secret.txt"), join(root, "secret.txt"));
    symlinkSync(join(outside, "dir"), join(root, "linked-dir"));
    symlinkSync("missing.js", join(root, "dangling.js"));
    const contents = await readFolder(root);
    expect(contents.files.map((file) => file.path)).toEqual(["index.js"]);
    expect(contents.skipped).toEqual([
      { file: "dangling.js", reason: "symbolic link to missing.js, not followed" },
      { file: "linked-dir", reason: `symbolic link to ${join(outside, "dir")}, not followed` },
      { file: "secret.txt", reason: `symbolic link to ${join(outside, "secret.txt")}, not followed` },
    ]);
  });

  it("leaves out node_modules and .git folders, wherever they are, listing each once", async () => {
    const root = folderWith({
      "index.js": "i",
      "node_modules/dep/index.js": "dep",
      "node_modules/dep/node_modules/inner/index.js": "inner",
      ".git/HEAD": "ref: refs/heads/main",
      "lib/node_modules/x.js": "x",
      "lib/a.js": "a",
    });
    const contents = await readFolder(root);
    expect(contents.files.map((file) => file.path)).toEqual(["index.js", "lib/a.js"]);
    expect(contents.skipped).toEqual([
      { file: ".git", reason: "git repository data (.git), not part of the package: not read" },
      { file: "lib/node_modules", reason: "installed dependencies (node_modules), not the package's own files: not read" },
      { file: "node_modules", reason: "installed dependencies (node_modules), not the package's own files: not read" },
    ]);
  });

  it("reads a file merely named like those folders", async () => {
    const contents = await readFolder(folderWith({ node_modules: "a file, not a folder" }));
    expect(contents.files.map((file) => file.path)).toEqual(["node_modules"]);
  });

  it.skipIf(process.platform === "win32")("lists a named pipe without opening it (which would hang)", async () => {
    const root = folderWith({ "index.js": "i" });
    expect(spawnSync("mkfifo", [join(root, "pipe")]).status).toBe(0);
    const contents = await readFolder(root);
    expect(contents.files.map((file) => file.path)).toEqual(["index.js"]);
    expect(contents.skipped).toEqual([{ file: "pipe", reason: "named pipe (FIFO), not read" }]);
  });

  it.skipIf(process.platform === "win32" || process.getuid?.() === 0)("lists a file it may not read, and reads on", async () => {
    const root = folderWith({ "index.js": "i", "private.js": "p" });
    chmodSync(join(root, "private.js"), 0o000);
    const contents = await readFolder(root);
    expect(contents.files.map((file) => file.path)).toEqual(["index.js"]);
    expect(contents.skipped).toEqual([{ file: "private.js", reason: "cannot be read (EACCES)" }]);
  });

  it("refuses more files than the limit, counting links but not folders", async () => {
    const root = folderWith({ "a.js": "a", "lib/b.js": "b" });
    symlinkSync("a.js", join(root, "c.js"));
    const limits = { ...DEFAULT_CONTENT_LIMITS, files: 3 };
    expect((await readFolder(root, limits)).files).toHaveLength(2);
    writeFileSync(join(root, "lib/d.js"), "d");
    expect(await refusal(root, limits)).toBe("more than 3 files");
  });

  it("refuses files whose sizes add up past the unpacked limit", async () => {
    const root = folderWith({ "a.js": "a".repeat(600), "b.js": "b".repeat(600) });
    const limits = { ...DEFAULT_CONTENT_LIMITS, unpackedBytes: 1024 };
    expect(await refusal(root, limits)).toBe("unpacked size exceeds the 1 KB limit");
  });

  it("refuses what is not a folder", async () => {
    const root = folderWith({ "file.js": "f" });
    expect(await refusal(join(root, "file.js"))).toBe(`${join(root, "file.js")} is not a folder`);
    expect(await refusal(join(root, "missing"))).toBe(`cannot read the folder ${join(root, "missing")} (ENOENT)`);
  });
});
