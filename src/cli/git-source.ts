import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ReviewSource } from "../review/review.js";

const run = promisify(execFile);

/** Errors from git that the CLI shows as its one-line reason. */
export class GitError extends Error {
  override readonly name = "GitError";
}

async function git(repo: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", ["-C", repo, ...args], { maxBuffer: 256 * 1024 * 1024, encoding: "utf8" });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? "").trim().split("\n")[0];
    throw new GitError(`git ${args[0]} failed${stderr ? `: ${stderr}` : ""}`);
  }
}

/** The commit a ref names, or a GitError that says the ref is unknown. */
export async function resolveRef(repo: string, ref: string): Promise<string> {
  try {
    return (await git(repo, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim();
  } catch {
    throw new GitError(`unknown git ref "${ref}" in ${repo}`);
  }
}

/**
 * The base to compare with when none is given: the merge base with the default branch (origin's
 * HEAD, else main or master) when HEAD is not on it, else the commit before HEAD.
 */
export async function defaultBase(repo: string, head: string): Promise<string> {
  for (const branch of ["origin/HEAD", "origin/main", "origin/master", "main", "master"]) {
    let tip: string;
    try {
      tip = await resolveRef(repo, branch);
    } catch {
      continue;
    }
    const mergeBase = (await git(repo, ["merge-base", tip, head]).catch(() => "")).trim();
    if (mergeBase && mergeBase !== head) return mergeBase;
  }
  return resolveRef(repo, `${head}~1`);
}

/** Two commits of a local repository as a review source. */
export async function createGitSource(repo: string, base: string, head: string): Promise<ReviewSource> {
  const listing = await git(repo, ["diff", "--name-only", "--no-renames", "-z", base, head]);
  const changedPaths = listing.split("\0").filter(Boolean);
  return {
    changedPaths,
    async read(path, side) {
      const commit = side === "base" ? base : head;
      const exists = await git(repo, ["cat-file", "-e", `${commit}:${path}`]).then(
        () => true,
        () => false,
      );
      return exists ? git(repo, ["show", `${commit}:${path}`]) : undefined;
    },
  };
}

/** The repository's top folder, or a GitError naming the folder that is not a repository. */
export async function repositoryRoot(folder: string): Promise<string> {
  try {
    return (await git(folder, ["rev-parse", "--show-toplevel"])).trim();
  } catch {
    throw new GitError(`${folder} is not inside a git repository`);
  }
}
