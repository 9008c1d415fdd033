import { describe, expect, it } from "vitest";
import { mergeConfigs } from "../../src/config/merge.js";
import { validateConfigText } from "../../src/config/validate.js";

describe("validateConfigText", () => {
  it("accepts a full policy", () => {
    const text = [
      "rules:",
      "  git-dependency: error",
      "exceptions:",
      "  - package: left-pad@1.3.0",
      "    reason: reviewed by security",
      "    expires: 2027-01-31",
      "registries:",
      "  scopes:",
      "    \"@acme\":",
      "      url: https://npm.acme.internal/",
      "      tokenEnv: TOLLGATE_TOKEN_ACME",
      "unreviewed: failure",
    ].join("\n");
    const result = validateConfigText(".github/tollgate.yml", text);
    expect(result.ok).toBe(true);
  });

  it("gives the line of each problem", () => {
    const text = ["rules:", "  git-dependency: eror", "exceptions:", "  - package: left-pad", "    reason: ''", "colour: blue"].join("\n");
    const result = validateConfigText(".github/tollgate.yml", text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => [p.line, p.field, p.message])).toEqual([
      [2, "rules.git-dependency", 'Invalid option: expected one of "error"|"warning"|"notice"|"off"'],
      [5, "exceptions.0.reason", "an exception needs a reason"],
      [6, "colour", "unknown setting: colour"],
    ]);
  });

  it("reports invalid YAML with its line", () => {
    const result = validateConfigText("x.yml", "rules:\n  a: [b\n");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ file: "x.yml", field: "", message: expect.stringMatching(/^not valid YAML/) });
  });

  it("rejects a file that is not a mapping", () => {
    const result = validateConfigText("x.yml", "- a\n- b\n");
    expect(result).toEqual({ ok: false, problems: [{ file: "x.yml", line: 1, field: "", message: "the file must be a YAML mapping of settings" }] });
  });
});

describe("mergeConfigs", () => {
  it("lets later files win and adds up lists", () => {
    const org = { rules: { "git-dependency": "error", deprecated: "notice" }, exceptions: [{ package: "a", reason: "org" }] };
    const repo = { rules: { deprecated: "off" }, exceptions: [{ package: "b", reason: "repo" }] };
    expect(mergeConfigs([org, repo])).toEqual({
      rules: { "git-dependency": "error", deprecated: "off" },
      exceptions: [
        { package: "a", reason: "org" },
        { package: "b", reason: "repo" },
      ],
    });
  });
});
