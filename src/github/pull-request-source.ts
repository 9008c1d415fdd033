import { isLockfilePath, isManifestPath } from "../lockfile/detect.js";
import { CONFIG_PATH } from "../config/validate.js";
import type { ReviewSource, Side } from "../review/review.js";
import type { Octokit, PullRequestRef } from "./octokit.js";

/** GitHub lists at most this many files of a pull request. */
export const MAX_PULL_REQUEST_FILES = 3_000;

interface ChangedFile {
  filename: string;
  status: string;
  previous_filename?: string;
}

/**
 * The pull request as a review source: the changed dependency files from the PR files API, read
 * at the merge base and at the head (the same comparison GitHub shows in "Files changed").
 */
export async function createPullRequestSource(octokit: Octokit, pull: PullRequestRef): Promise<ReviewSource & { truncated: boolean }> {
  const { owner, repo } = pull;
  const files: ChangedFile[] = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner,
    repo,
    pull_number: pull.pullNumber,
    per_page: 100,
  });
  const comparison = await octokit.rest.repos.compareCommitsWithBasehead({
    owner,
    repo,
    basehead: `${pull.baseSha}...${pull.headSha}`,
    per_page: 1,
  });
  const mergeBase = comparison.data.merge_base_commit.sha;
  const relevant = files.filter((file) => isDependencyFile(file.filename) || (file.previous_filename && isDependencyFile(file.previous_filename)));
  const byPath = new Map(relevant.map((file) => [file.filename, file]));

  return {
    changedPaths: relevant.map((file) => file.filename),
    truncated: files.length >= MAX_PULL_REQUEST_FILES,
    async read(path: string, side: Side) {
      const file = byPath.get(path);
      if (side === "base" && file?.status === "added") return undefined;
      if (side === "head" && file?.status === "removed") return undefined;
      const basePath = side === "base" && file?.status === "renamed" && file.previous_filename ? file.previous_filename : path;
      return readFile(octokit, owner, repo, basePath, side === "base" ? mergeBase : pull.headSha);
    },
  };
}

function isDependencyFile(path: string): boolean {
  return isLockfilePath(path) || isManifestPath(path) || path === CONFIG_PATH;
}

/** A file's text at a commit; files over 1 MB come through the git blobs API. Undefined when absent. */
export async function readFile(octokit: Octokit, owner: string, repo: string, path: string, ref: string): Promise<string | undefined> {
  let data;
  try {
    ({ data } = await octokit.rest.repos.getContent({ owner, repo, path, ref }));
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
  if (Array.isArray(data) || data.type !== "file") return undefined;
  if ("encoding" in data && data.encoding === "base64" && (data.content || data.size === 0)) {
    return Buffer.from(data.content, "base64").toString("utf8");
  }
  const blob = await octokit.rest.git.getBlob({ owner, repo, file_sha: data.sha });
  return Buffer.from(blob.data.content, blob.data.encoding === "base64" ? "base64" : "utf8").toString("utf8");
}
