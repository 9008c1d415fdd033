import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
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
  busy: Task | undefined;
}

// Run from the sources (the tests), the worker is the compiled one: Node does not map `.js` imports to `.ts`.
const WORKER_URL = import.meta.url.endsWith(".ts")
  ? new URL("../../dist/src/analysis/file-worker.js", import.meta.url)
  : new URL("./file-worker.js", import.meta.url);

/**
 * A worker's young generation, capped: a file's syntax tree lives only while the file is analysed,
 * and with V8's default (up to 16 MB per semi-space, sized for throughput) each worker keeps tens of
 * megabytes of dead trees between collections. The old generation is left alone: one large bundle's
 * tree must fit in it.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

/**
 * Worker threads that analyse files in parallel, one file at a time each, so a package's files
 * spread over the cores. A worker that dies fails its file with the reason and is replaced.
 * A small pool of our own rather than a library: the job is one message each way.
 */
export function createWorkerPool(size = availableParallelism(), maxParseBytes = DEFAULT_MAX_PARSE_BYTES): WorkerPool {
  const queue: Task[] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let closed = false;

  const spawn = (): Slot => {
    const slot: Slot = { worker: new Worker(WORKER_URL, { workerData: { maxParseBytes }, resourceLimits: WORKER_LIMITS }), busy: undefined };
    slot.worker.on("message", (message: { id: number; findings?: FileFindings; error?: string }) => {
      const task = slot.busy;
      slot.busy = undefined;
      if (task && task.id === message.id) {
        if (message.findings) task.resolve(message.findings);
        else task.reject(new Error(message.error ?? "the worker gave no result"));
      }
      dispatch();
    });
    const fail = (reason: string) => {
      const task = slot.busy;
      slot.busy = undefined;
      task?.reject(new Error(reason));
      if (closed) return;
      slots[slots.indexOf(slot)] = spawn();
      dispatch();
    };
    slot.worker.on("error", (error) => fail(`the analysis worker failed: ${error.message}`));
    slot.worker.on("exit", (code) => {
      if (!closed) fail(`the analysis worker stopped (exit code ${code})`);
    });
    // An idle pool must not keep the process alive.
    slot.worker.unref();
    return slot;
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.busy || queue.length === 0) continue;
      const task = queue.shift()!;
      slot.busy = task;
      slot.worker.ref();
      slot.worker.postMessage({ id: task.id, source: task.source, path: task.path });
    }
    for (const slot of slots) if (!slot.busy) slot.worker.unref();
  };

  const workers = Math.max(1, size);
  for (let index = 0; index < workers; index++) slots.push(spawn());

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
      for (const task of queue.splice(0)) task.reject(new Error("the worker pool is closed"));
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
    },
  };
}
