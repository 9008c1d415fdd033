import { parentPort, workerData } from "node:worker_threads";
import { analyzeJavaScript } from "./analyze-file.js";

/**
 * A worker of the pool: analyses the files it is sent, a batch per message (one file, or several
 * small ones, see worker-pool.ts), and answers with one message holding each file's result.
 */
const { maxParseBytes } = workerData as { maxParseBytes: number };
parentPort!.on("message", ({ files }: { files: { id: number; source: string; path: string }[] }) => {
  const results = files.map(({ id, source, path }) => {
    try {
      return { id, findings: analyzeJavaScript(source, path, { maxParseBytes }) };
    } catch (error) {
      return { id, error: (error as Error).message };
    }
  });
  parentPort!.postMessage({ results });
});
