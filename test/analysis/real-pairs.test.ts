import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyzePackage } from "../../src/analysis/analyze-package.js";
import { memoryFindingsCache } from "../../src/analysis/caches.js";
import { analysisAlerts } from "../../src/analysis/compare.js";
import { readTarball } from "../../src/analysis/read-tarball.js";
import { makeTarball } from "../support/tarballs.js";

/**
 * Real version pairs where a capability appeared. The files are the published ones, trimmed to
 * those the test is about (package.json, the install script, one file both versions share), taken
 * from the registry's tarballs and checked in, so the suite stays offline.
 */
function recordedPackage(folder: string): Buffer {
  const dir = new URL(`../fixtures/packages/${folder}/`, import.meta.url);
  return makeTarball(Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(new URL(name, dir))])));
}

describe("real version pairs", () => {
  it("es5-ext 0.10.53 → 0.10.54: the postinstall script added in March 2022", async () => {
    const cache = memoryFindingsCache();
    const before = await analyzePackage(await readTarball(recordedPackage("es5-ext-0.10.53")), { cache });
    const after = await analyzePackage(await readTarball(recordedPackage("es5-ext-0.10.54")), { cache });
    expect(before.installScripts).toEqual([]);
    expect(after.installScripts).toEqual([{ event: "postinstall", command: "node ./_postinstall.js", implicit: false, files: ["_postinstall.js"] }]);
    // global.js did not change between the versions: read once.
    expect(after.stats.reusedFiles).toBe(1);
    const alerts = analysisAlerts(after, before);
    expect(alerts.map((alert) => [alert.rule, alert.severity, alert.evidence[0]?.file, alert.evidence[0]?.line])).toEqual([
      ["install-script", "high", "package.json", 115],
    ]);
    expect(alerts[0]!.message).toBe("es5-ext@0.10.54 runs `node ./_postinstall.js` on postinstall, running _postinstall.js (new since 0.10.53).");
  });
});
