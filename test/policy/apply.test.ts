import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../src/config/schema.js";
import { applyPolicy } from "../../src/policy/apply.js";
import { alert, review } from "../support/reviews.js";

const today = new Date("2026-06-15T10:00:00Z");
const config = (raw: unknown) => ConfigSchema.parse(raw);

describe("applyPolicy", () => {
  it("passes with default levels when only warnings and notices are found", () => {
    const verdict = applyPolicy(review({ alerts: [alert(), alert({ rule: "file-dependency", severity: "low" })] }), config({}), today);
    expect(verdict.conclusion).toBe("success");
    expect(verdict.counts).toEqual({ error: 0, warning: 1, notice: 1 });
  });

  it("fails on an error-level rule, and sorts errors first", () => {
    const verdict = applyPolicy(
      review({ alerts: [alert(), alert({ rule: "integrity-changed", severity: "critical", package: { name: "zzz", version: "1.0.0" } })] }),
      config({}),
      today,
    );
    expect(verdict.conclusion).toBe("failure");
    expect(verdict.findings.map((f) => [f.rule, f.level])).toEqual([
      ["integrity-changed", "error"],
      ["git-dependency", "warning"],
    ]);
  });

  it("uses the policy's levels, and off hides a rule", () => {
    const raw = { rules: { "git-dependency": "error", "file-dependency": "off" } };
    const verdict = applyPolicy(review({ alerts: [alert(), alert({ rule: "file-dependency" })] }), config(raw), today);
    expect(verdict.findings.map((f) => [f.rule, f.level])).toEqual([["git-dependency", "error"]]);
    expect(verdict.conclusion).toBe("failure");
  });

  it("applies exceptions by name, version and range, and brings back alerts of expired ones", () => {
    const raw = {
      rules: { "git-dependency": "error" },
      exceptions: [
        { package: "left-pad@^1.2.0", rules: ["git-dependency"], reason: "vendored fork", expires: "2026-06-15" },
        { package: "old-thing", reason: "accepted last year", expires: "2026-06-14" },
        { package: "other@2.0.0", reason: "other version" },
      ],
    };
    const alerts = [
      alert(),
      alert({ package: { name: "old-thing", version: "0.1.0" } }),
      alert({ package: { name: "other", version: "1.0.0" } }),
    ];
    const verdict = applyPolicy(review({ alerts }), config(raw), today);
    expect(verdict.suppressed.map((s) => s.alert.package.name)).toEqual(["left-pad"]);
    expect(verdict.findings.map((f) => f.package.name)).toEqual(["old-thing", "other"]);
    expect(verdict.expired).toEqual([{ exception: expect.objectContaining({ package: "old-thing" }), alerts: 1 }]);
    expect(verdict.conclusion).toBe("failure");
  });

  it("is neutral when something could not be reviewed, or failure when the policy says so", () => {
    const incomplete = review({ unreviewed: [{ subject: "a@1.0.0", reason: "the registry could not be reached (ECONNREFUSED)" }] });
    expect(applyPolicy(incomplete, config({}), today).conclusion).toBe("neutral");
    expect(applyPolicy(incomplete, config({ unreviewed: "failure" }), today).conclusion).toBe("failure");
  });

  it("caps the level of alerts about development-only packages", () => {
    const alerts = [alert({ rule: "integrity-changed", devOnly: true }), alert({ rule: "integrity-changed", package: { name: "prod", version: "1.0.0" } })];
    const verdict = applyPolicy(review({ alerts }), config({ devDependencies: { maxLevel: "warning" } }), today);
    expect(verdict.findings.map((f) => [f.package.name, f.level])).toEqual([
      ["prod", "error"],
      ["left-pad", "warning"],
    ]);
  });

  it("applies ignores given on the pull request, naming who gave them", () => {
    const ignores = [{ package: "left-pad@1.3.0", rules: ["git-dependency"], reason: "fork we maintain", by: "octocat" }];
    const verdict = applyPolicy(review({ alerts: [alert(), alert({ rule: "deprecated" })] }), config({}), today, ignores);
    expect(verdict.findings.map((f) => f.rule)).toEqual(["deprecated"]);
    expect(verdict.suppressed).toEqual([
      { alert: expect.objectContaining({ rule: "git-dependency" }), exception: { package: "left-pad@1.3.0", rules: ["git-dependency"], reason: "fork we maintain" }, ignoredBy: "octocat" },
    ]);
  });

  it("fails when the pull request breaks the policy file", () => {
    const broken = review({ configProblems: [{ file: ".github/tollgate.yml", line: 3, field: "rules", message: "unknown setting: x" }] });
    expect(applyPolicy(broken, config({}), today).conclusion).toBe("failure");
  });
});
