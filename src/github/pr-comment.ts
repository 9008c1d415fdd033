import { isReviewComment, readCommentState, type CommentState } from "../report/comment.js";
import type { RepoRef } from "./checks.js";
import type { Octokit } from "./octokit.js";

/** Tollgate's comment on a pull request, with its hidden state. */
export interface TollgateComment {
  id: number;
  body: string;
  state: CommentState;
}

interface ListedComment {
  id: number;
  body?: string | null;
  user: { login: string; type?: string } | null;
}

/**
 * Finds Tollgate's comment among the pull request's comments: written by the app's bot user and
 * starting with the marker. Only the bot's own comments count, so nobody can plant state (an
 * ignore) by pasting the marker into a comment of their own. Pages through the comments and stops
 * at the first match.
 */
export async function findTollgateComment(octokit: Octokit, repo: RepoRef, pullNumber: number, botLogin: string): Promise<TollgateComment | undefined> {
  const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, { ...repo, issue_number: pullNumber, per_page: 100 });
  for await (const { data } of pages) {
    for (const comment of data as ListedComment[]) {
      const body = comment.body ?? "";
      if (comment.user?.type === "Bot" && comment.user.login === botLogin && isReviewComment(body)) {
        return { id: comment.id, body, state: readCommentState(body) };
      }
    }
  }
  return undefined;
}

/** Creates Tollgate's comment, or edits the existing one in place; leaves it alone when nothing changed. */
export async function writeTollgateComment(
  octokit: Octokit,
  repo: RepoRef,
  pullNumber: number,
  existing: TollgateComment | undefined,
  body: string,
): Promise<"created" | "updated" | "unchanged"> {
  if (!existing) {
    await octokit.rest.issues.createComment({ ...repo, issue_number: pullNumber, body });
    return "created";
  }
  if (existing.body === body) return "unchanged";
  await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body });
  return "updated";
}

/** A short reply on the pull request (to a command). */
export async function replyOnPullRequest(octokit: Octokit, repo: RepoRef, pullNumber: number, body: string): Promise<void> {
  await octokit.rest.issues.createComment({ ...repo, issue_number: pullNumber, body });
}

/**
 * Runs tasks on the same key one after another, so an ignore command and a review writing the same
 * comment never interleave their read and write within this process. (Several processes would
 * need a shared lock keyed the same way.)
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
