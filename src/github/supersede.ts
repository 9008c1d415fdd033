/**
 * Which review of a pull request is the newest. Registering a newer review (a new push, a re-run)
 * aborts the older one for the same PR, queued or running, so an older result can never overwrite
 * a newer one. Kept in memory: a shared queue for several processes needs a shared record keyed
 * the same way.
 */
export class LatestReviews {
  private readonly newest = new Map<string, number>();
  private readonly controllers = new Map<number, AbortController>();

  /** Registers a check run as the newest review of its PR, aborting the one it replaces. */
  begin(pullKey: string, checkRunId: number): void {
    const previous = this.newest.get(pullKey);
    if (previous !== undefined && previous !== checkRunId) {
      this.controllers.get(previous)?.abort(new SupersededError(checkRunId));
    }
    this.newest.set(pullKey, checkRunId);
    if (!this.controllers.has(checkRunId)) this.controllers.set(checkRunId, new AbortController());
  }

  /** The signal that tells a review it has been replaced. */
  signal(checkRunId: number): AbortSignal {
    let controller = this.controllers.get(checkRunId);
    if (!controller) this.controllers.set(checkRunId, (controller = new AbortController()));
    return controller.signal;
  }

  /** Forgets a finished review. */
  end(pullKey: string, checkRunId: number): void {
    this.controllers.delete(checkRunId);
    if (this.newest.get(pullKey) === checkRunId) this.newest.delete(pullKey);
  }
}

export class SupersededError extends Error {
  override readonly name = "SupersededError";
  constructor(readonly byCheckRunId: number) {
    super(`superseded by a newer review (check run ${byCheckRunId})`);
  }
}

export function pullKey(owner: string, repo: string, pullNumber: number): string {
  return `${owner}/${repo}#${pullNumber}`;
}
