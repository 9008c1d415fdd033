/**
 * Reading a package from a folder on disk (`tollgate analyze DIR`) into the same contents a tarball
 * gives: links are never followed, and the limits hold as for a tarball.
 */

import { constants, type Stats } from "node:fs";
import { lstat, open, readdir, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import {
  DEFAULT_CONTENT_LIMITS,
  PackageReadError,
  type ContentLimits,
  type NotAnalysed,
  type PackageContents,
  type PackageFile,
} from "./model.js";
import { comparePaths, tallyFile, type Tally } from "./read-tarball.js";

/** Folders that are not the package's own files, and why they are left out. */
const LEFT_OUT_FOLDERS: Record<string, string> = {
  node_modules: "installed dependencies (node_modules), not the package's own files: not read",
  ".git": "git repository data (.git), not part of the package: not read",
};

/**
 * No symlink is followed, even if a file is swapped for one after it was listed; non-blocking, so a
 * file swapped for a named pipe cannot hang the read. (Both are 0 where the platform lacks them.)
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Reads the files of the package in `dir`, walking it without following links. Files come back
 * sorted by `/`-separated path relative to `dir`; links, devices, unreadable files and each
 * `node_modules` or `.git` folder (once, not its contents) are listed in `skipped`. Over a limit,
 * or when `dir` is not a folder, throws PackageReadError.
 */
export async function readFolder(dir: string, limits: ContentLimits = DEFAULT_CONTENT_LIMITS): Promise<PackageContents> {
  await checkIsFolder(dir);
  const files: PackageFile[] = [];
  const skipped: NotAnalysed[] = [];
  const tally: Tally = { files: 0, bytes: 0 };
  const pending: string[] = [""];
  for (let folder = pending.pop(); folder !== undefined; folder = pending.pop()) {
    const names = await readdir(join(dir, folder)).catch((error: NodeJS.ErrnoException) => {
      if (folder === "") {
        throw new PackageReadError(`cannot read the folder ${dir} (${error.code ?? error.message})`);
      }
      skipped.push({ file: folder, reason: `folder cannot be read (${error.code ?? error.message})` });
      return [];
    });
    for (const name of names.sort()) {
      const path = folder === "" ? name : `${folder}/${name}`;
      const full = join(dir, path);
      const stats = await lstat(full).catch((error: NodeJS.ErrnoException) => {
        skipped.push({ file: path, reason: `cannot be read (${error.code ?? error.message})` });
        return undefined;
      });
      if (stats === undefined) {
        continue;
      }
      if (stats.isDirectory()) {
        const leftOut = LEFT_OUT_FOLDERS[name];
        if (leftOut === undefined) {
          pending.push(path);
        } else {
          skipped.push({ file: path, reason: leftOut });
        }
        continue;
      }
      tallyFile(tally, stats.isFile() ? stats.size : 0, limits);
      if (!stats.isFile()) {
        skipped.push({ file: path, reason: await notReadReason(full, stats) });
        continue;
      }
      const read = await readRegularFile(full, path);
      if ("reason" in read) {
        skipped.push(read);
      } else {
        files.push(read);
      }
    }
  }
  return { files: files.sort((a, b) => comparePaths(a.path, b.path)), skipped: skipped.sort((a, b) => comparePaths(a.file ?? "", b.file ?? "")) };
}

async function checkIsFolder(dir: string): Promise<void> {
  let stats: Stats;
  try {
    stats = await stat(dir);
  } catch (error) {
    throw new PackageReadError(`cannot read the folder ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  if (!stats.isDirectory()) {
    throw new PackageReadError(`${dir} is not a folder`);
  }
}

/** The file's bytes, or why they could not be read; opened so that a link put in its place is not followed. */
async function readRegularFile(full: string, path: string): Promise<PackageFile | NotAnalysed> {
  let handle;
  try {
    handle = await open(full, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { file: path, reason: code === "ELOOP" ? "became a symbolic link while being read, not followed" : `cannot be read (${code ?? String(error)})` };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      return { file: path, reason: "changed into something other than a file while being read, not read" };
    }
    const data = await handle.readFile();
    return { path, size: data.length, mode: stats.mode & 0o7777, data };
  } catch (error) {
    return { file: path, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  } finally {
    await handle.close();
  }
}

async function notReadReason(full: string, stats: Stats): Promise<string> {
  if (stats.isSymbolicLink()) {
    const target = await readlink(full).catch(() => "an unreadable target");
    return `symbolic link to ${target}, not followed`;
  }
  if (stats.isFIFO()) {
    return "named pipe (FIFO), not read";
  }
  if (stats.isSocket()) {
    return "socket, not read";
  }
  if (stats.isCharacterDevice()) {
    return "character device, not read";
  }
  if (stats.isBlockDevice()) {
    return "block device, not read";
  }
  return "not a regular file, not read";
}
