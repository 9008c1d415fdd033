import { parentPort, workerData } from "node:worker_threads";
import { analyzeJavaScript } from "./analyze-file.js";

/** A worker of the pool: analyses the files it is sent, one message each way. */
const { maxParseBytes } = workerData as { maxParseBytes: number };
parentPort!.on("message", ({ id, source, path }: { id: number; source: string; path: string }) => {
  try {
    parentPort!.postMessage({ id, findings: analyzeJavaScript(source, path, { maxParseBytes }) });
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).message });
  }
});
