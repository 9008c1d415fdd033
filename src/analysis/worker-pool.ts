import { availableParallelism } from "node:os";
import { Worker, type ResourceLimits } from "node:worker_threads";
import { DEFAULT_MAX_PARSE_BYTES, type FileFindings } from "./analyze-file.js";
import type { FileAnalyzer } from "./analyze-package.js";

export interface WorkerPool {
  analyzeFile: FileAnalyzer;
  close(): Promise<void>;
}

interface Task {
  id: number;
  source: string;
  path: string;
  resolve(findings: FileFindings): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  /** The batch the worker is analysing. */
  busy: Task[] | undefined;
  /** It failed and was replaced: its later events (an error is followed by an exit) are ignored. */
  gone: boolean;
}

interface Result {
  id: number;
  findings?: FileFindings;
  error?: string;
}

// Run from the sources (the tests), the worker is the compiled one: Node does not map `.js` imports to `.ts`.
const WORKER_URL = import.meta.url.endsWith(".ts")
  ? new URL("../../dist/src/analysis/file-worker.js", import.meta.url)
  : new URL("./file-worker.js", import.meta.url);

/**
 * A worker's heap, capped. A file's syntax tree is garbage once the file is analysed, and V8 sizes
 * a heap's collections from its limits: with the defaults each worker let a few hundred MB of dead
 * trees pile up between collections. Measured on next@15 with a pool of 2 (peak RSS of the process):
 * no limits 979 MiB; old generation 1024 MB alone 725 to 734; young generation 48 MB alone 678 to
 * 833; both 32 and 1024, 530 to 534; young 8 MB, 480, but the pool then lost a fifth of its speed-up
 * to collections (1.41x against 1.70x to 1.78x on react-dom and webpack). A 15 MB bundle, near the
 * parse limit, needs less than 512 MB of old generation (typescript.js and _tsc.js joined); a file
 * that needs more than the cap is analysed again on a worker of its own without it (`uncapped`), so
 * the cap costs such a file time, not findings.
 */
export const WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 32, maxOldGenerationSizeMb: 1024 };

/**
 * Small files travel together: a message each way costs about a tenth of a millisecond of the main
 * thread's time, as much as analysing a small file, so a package of a thousand small files (lodash)
 * was slower with the pool than without. A batch is at most this much source, or one larger file.
 */
const BATCH_CHARS = 256 * 1024;
const BATCH_FILES = 64;

export interface WorkerPoolOptions {
  /** Heap limits of the pool's workers (WORKER_LIMITS). */
  resourceLimits?: ResourceLimits;
}

/**
 * Worker threads that analyse files in parallel, one batch at a time each (a file, or several small
 * ones), so a package's files spread over the cores. A worker that dies fails its files with the
 * reason and is replaced; one that ran out of its capped heap has its files analysed again without
 * the cap. A small pool of our own rather than a library: the job is one message each way.
 */
export function createWorkerPool(size = availableParallelism(), maxParseBytes = DEFAULT_MAX_PARSE_BYTES, options: WorkerPoolOptions = {}): WorkerPool {
  const limits = options.resourceLimits ?? WORKER_LIMITS;
  // The waiting files, and the first one not taken yet (a queue of a thousand small files is not
  // shifted one at a time).
  let queue: Task[] = [];
  let head = 0;
  const slots: Slot[] = [];
  /** Workers started for a batch that ran out of memory, terminated on close. */
  const extra = new Set<Worker>();
  let nextId = 0;
  let closed = false;

  const start = (): Slot => {
    const slot: Slot = { worker: new Worker(WORKER_URL, { workerData: { maxParseBytes }, resourceLimits: limits }), busy: undefined, gone: false };
    slot.worker.on("message", (message: { results: Result[] }) => {
      const batch = slot.busy;
      slot.busy = undefined;
      if (batch) settle(batch, message.results);
      dispatch();
    });
    const fail = (error: Error | undefined, reason: string) => {
      if (slot.gone) return;
      slot.gone = true;
      const batch = slot.busy;
      slot.busy = undefined;
      if (batch) {
        if ((error as NodeJS.ErrnoException | undefined)?.code === "ERR_WORKER_OUT_OF_MEMORY" && !closed) uncapped(batch);
        else for (const task of batch) task.reject(new Error(reason));
      }
      if (closed) return;
      slots[slots.indexOf(slot)] = start();
      dispatch();
    };
    slot.worker.on("error", (error) => fail(error, `the analysis worker failed: ${error.message}`));
    slot.worker.on("exit", (code) => {
      if (!closed) fail(undefined, `the analysis worker stopped (exit code ${code})`);
    });
    // An idle pool must not keep the process alive.
    slot.worker.unref();
    return slot;
  };

  /** A batch again, on a worker of its own, with the young generation capped but not the old. */
  const uncapped = (batch: Task[]) => {
    const { maxOldGenerationSizeMb: _, ...young } = limits;
    const worker = new Worker(WORKER_URL, { workerData: { maxParseBytes }, resourceLimits: young });
    extra.add(worker);
    let done = false;
    const finish = (results: Result[] | undefined, reason?: string) => {
      if (done) return;
      done = true;
      extra.delete(worker);
      void worker.terminate();
      if (results) settle(batch, results);
      else for (const task of batch) task.reject(new Error(reason));
    };
    worker.on("message", (message: { results: Result[] }) => finish(message.results));
    worker.on("error", (error) => finish(undefined, `the analysis worker failed: ${error.message}`));
    worker.on("exit", (code) => finish(undefined, `the analysis worker stopped (exit code ${code})`));
    post(worker, batch);
  };

  const post = (worker: Worker, batch: Task[]) => {
    worker.postMessage({ files: batch.map(({ id, source, path }) => ({ id, source, path })) });
  };

  const settle = (batch: Task[], results: Result[]) => {
    for (const task of batch) {
      const result = results.find((entry) => entry.id === task.id);
      if (result?.findings) task.resolve(result.findings);
      else task.reject(new Error(result?.error ?? "the worker gave no result"));
    }
  };

  /** The next files for a worker: one, and more while they are small. */
  const take = (): Task[] => {
    const batch = [queue[head++]!];
    let chars = batch[0]!.source.length;
    while (head < queue.length && batch.length < BATCH_FILES && chars + queue[head]!.source.length <= BATCH_CHARS) {
      chars += queue[head]!.source.length;
      batch.push(queue[head++]!);
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    }
    return batch;
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.busy || head === queue.length) continue;
      const batch = take();
      slot.busy = batch;
      slot.worker.ref();
      post(slot.worker, batch);
    }
    for (const slot of slots) if (!slot.busy) slot.worker.unref();
  };

  const workers = Math.max(1, size);
  for (let index = 0; index < workers; index++) slots.push(start());

  const analyzeFile: FileAnalyzer = (source, path) => {
    if (closed) return Promise.reject(new Error("the worker pool is closed"));
    return new Promise<FileFindings>((resolve, reject) => {
      queue.push({ id: nextId++, source, path, resolve, reject });
      dispatch();
    });
  };
  analyzeFile.parallelism = workers;

  return {
    analyzeFile,
    async close() {
      closed = true;
      for (const task of queue.slice(head)) task.reject(new Error("the worker pool is closed"));
      queue = [];
      head = 0;
      await Promise.all([...slots.map((slot) => slot.worker.terminate()), ...[...extra].map((worker) => worker.terminate())]);
    },
  };
}
