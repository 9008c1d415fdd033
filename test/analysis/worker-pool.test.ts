import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyzeJavaScript } from "../../src/analysis/analyze-file.js";
import { createWorkerPool } from "../../src/analysis/worker-pool.js";

// The pool runs the compiled worker (dist/, built by `npm ci` and `npm run build`).
const built = existsSync(fileURLToPath(new URL("../../dist/src/analysis/file-worker.js", import.meta.url)));

describe.skipIf(!built)("createWorkerPool", () => {
  it("analyses files on its workers as this thread would, and says how many it works on at once", async () => {
    const pool = createWorkerPool(2);
    try {
      expect(pool.analyzeFile.parallelism).toBe(2);
      const sources = ["require('child_process').exec(process.env.CMD)", "fetch('https://example.com')", "module.exports = 1"];
      const results = await Promise.all(sources.map((source, index) => pool.analyzeFile(source, `f${index}.js`)));
      expect(results).toEqual(sources.map((source, index) => analyzeJavaScript(source, `f${index}.js`)));
    } finally {
      await pool.close();
    }
  });

  it("analyses a file again without the heap cap when its worker runs out of memory, and carries on", { timeout: 60_000 }, async () => {
    // A tiny old generation, and a file whose syntax tree needs far more: two million array elements.
    const pool = createWorkerPool(1, undefined, { resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 16 } });
    try {
      const large = `const list = [${"1,".repeat(2_000_000)}];\nrequire('child_process');\n`;
      const findings = await pool.analyzeFile(large, "large.js");
      expect(findings.uses.map((use) => `${use.capability}: ${use.detail}`)).toEqual(["shell: child_process"]);
      // The worker that ran out was replaced.
      expect((await pool.analyzeFile("require('dgram')", "small.js")).uses.map((use) => use.capability)).toEqual(["network"]);
    } finally {
      await pool.close();
    }
  });
});
