import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/config/schema.js";
import { applyPolicy } from "../../src/policy/apply.js";
import { annotationBatches, renderCheckRun } from "../../src/report/check-run.js";
import { GITHUB_TEXT_LIMIT, renderSummary } from "../../src/report/summary.js";
import { pkg } from "../support/packages.js";
import { alert, review } from "../support/reviews.js";

const today = new Date("2026-06-15T00:00:00Z");

describe("renderCheckRun", () => {
  it("says plainly when nothing changed", () => {
    const empty = review();
    const output = renderCheckRun(empty, applyPolicy(empty, DEFAULT_CONFIG, today));
    expect(output).toMatchObject({ conclusion: "success", title: "No dependency changes", annotations: [] });
    expect(output.summary).toContain("No dependency changes");
  });

  it("counts, explains and annotates each finding on the lockfile and package.json lines", () => {
    const change = { name: "left-pad", type: "added" as const, from: null, to: "1.3.0", head: pkg("left-pad@1.3.0"), flags: [] };
    const withAlerts = review({
      lockfiles: [{ path: "package-lock.json", format: "npm", changes: [change], warnings: [] }],
      alerts: [
        alert({ location: { path: "package-lock.json", line: 12, manifest: { path: "package.json", line: 7 } } }),
        alert({ rule: "integrity-changed", severity: "critical", package: { name: "ws", version: "8.0.0" }, location: { path: "package-lock.json", line: 40 } }),
      ],
    });
    const output = renderCheckRun(withAlerts, applyPolicy(withAlerts, DEFAULT_CONFIG, today));
    expect(output.conclusion).toBe("failure");
    expect(output.title).toBe("1 error, 1 warning in 1 changed package");
    expect(output.annotations.map((a) => [a.path, a.start_line, a.annotation_level, a.title])).toEqual([
      ["package-lock.json", 40, "failure", "integrity-changed: ws@8.0.0"],
      ["package-lock.json", 12, "warning", "git-dependency: left-pad@1.3.0"],
      ["package.json", 7, "warning", "git-dependency: left-pad@1.3.0"],
    ]);
    // Errors come before warnings in the summary, each with why and what to do, and a ready exception.
    expect(output.summary.indexOf("ws@8.0.0")).toBeLessThan(output.summary.indexOf("left-pad@1.3.0"));
    expect(output.summary).toContain("What to do: Use the registry version.");
    expect(output.summary).toContain('- package: "ws@8.0.0"');
    expect(output.summary).toContain("1 added, 0 updated, 0 removed in `package-lock.json`");
  });

  it("stays within GitHub's limits for a review of hundreds of alerts", () => {
    const alerts = Array.from({ length: 600 }, (_, index) =>
      alert({ package: { name: `pkg-${index}`, version: "1.0.0" }, message: `finding ${index} `.repeat(20), location: { path: "yarn.lock", line: index + 1 } }),
    );
    const big = review({ alerts });
    const verdict = applyPolicy(big, DEFAULT_CONFIG, today);
    const output = renderCheckRun(big, verdict);
    expect(output.summary.length).toBeLessThanOrEqual(GITHUB_TEXT_LIMIT);
    expect(output.summary).toMatch(/…and \d+ more sections not shown/);
    const batches = annotationBatches(output.annotations);
    expect(batches).toHaveLength(12);
    expect(batches.every((batch) => batch.length <= 50)).toBe(true);
    expect(batches.flat()).toHaveLength(600);
  });

  it("never lets package text break the summary's markdown", () => {
    const sneaky = review({ alerts: [alert({ message: "a | b `c` <script>\nnew line" })] });
    const summary = renderSummary(sneaky, applyPolicy(sneaky, DEFAULT_CONFIG, today));
    expect(summary).toContain("a \\| b \\`c\\` \\<script\\> new line");
  });
});
