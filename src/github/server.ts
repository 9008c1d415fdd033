import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { directoryAnalysisStore, memoryFindingsCache } from "../analysis/caches.js";
import { createWorkerPool } from "../analysis/worker-pool.js";
import { run } from "probot";
import { tollgateApp } from "./app.js";
import { unsafeSettings } from "./settings.js";

// `npm start`. The .env file is read here as well as by Probot, so the check below sees it.
if (existsSync(".env")) process.loadEnvFile(".env");
const problem = unsafeSettings(process.env);
if (problem) {
  console.error(`tollgate: refusing to start: ${problem}`);
  process.exit(1);
}
// Analyses outlive the process in a folder; files are parsed by worker threads on every core.
const cacheDir = process.env.TOLLGATE_CACHE_DIR ?? join(tmpdir(), "tollgate-cache");
const pool = createWorkerPool();
await run(
  tollgateApp({
    analysis: { store: directoryAnalysisStore(join(cacheDir, "analyses")), findings: memoryFindingsCache(), analyzeFile: pool.analyzeFile },
  }),
);
