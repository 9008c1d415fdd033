import PQueue from "p-queue";

/**
 * Where webhook handlers put review work so they can answer GitHub at once. In memory for one
 * process; a shared (Redis) queue for several processes implements the same interface.
 */
export interface JobQueue<Job> {
  /** Accepts a job; resolves once it is queued, not when it is done. */
  enqueue(job: Job): Promise<void>;
  /** Resolves when every accepted job has finished. */
  drain(): Promise<void>;
}

/** Runs jobs in this process, at most `concurrency` at once. A failing job never stops the queue. */
export function createMemoryQueue<Job>(
  worker: (job: Job) => Promise<void>,
  options: { concurrency: number; onError: (error: unknown, job: Job) => void },
): JobQueue<Job> {
  const queue = new PQueue({ concurrency: options.concurrency });
  return {
    async enqueue(job) {
      void queue.add(async () => {
        try {
          await worker(job);
        } catch (error) {
          options.onError(error, job);
        }
      });
    },
    drain: () => queue.onIdle(),
  };
}
