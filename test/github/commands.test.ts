import { describe, expect, it } from "vitest";
import { COMMAND_SYNTAX, MAX_REASON_LENGTH, parseCommand } from "../../src/github/commands.js";
import { RULE_IDS } from "../../src/policy/rules.js";

function errorOf(body: string): string {
  const result = parseCommand(body);
  if (!result || !("error" in result)) throw new Error(`expected an error for ${JSON.stringify(body)}, got ${JSON.stringify(result)}`);
  return result.error;
}

describe("parseCommand", () => {
  it("ignores comments that are not addressed to Tollgate", () => {
    expect(parseCommand("Looks good to me")).toBeUndefined();
    expect(parseCommand("thanks @tollgate ignore left-pad@1.3.0 -- fine")).toBeUndefined();
    expect(parseCommand("> @tollgate rerun\n\nquoting the bot")).toBeUndefined();
    // Another bot whose name starts the same way.
    expect(parseCommand("@tollgate-bot rerun")).toBeUndefined();
    expect(parseCommand("@tollgates rerun")).toBeUndefined();
    expect(parseCommand("")).toBeUndefined();
  });

  it("reads rerun, whatever the case and the whitespace around it", () => {
    expect(parseCommand("@tollgate rerun")).toEqual({ kind: "rerun" });
    expect(parseCommand("\n\n  @Tollgate   RERUN  \r\nthe registry was down")).toEqual({ kind: "rerun" });
    expect(parseCommand("@tollgate\trerun")).toEqual({ kind: "rerun" });
  });

  it("refuses rerun with something after it", () => {
    expect(errorOf("@tollgate rerun now please")).toContain("`rerun` takes nothing after it");
  });

  it("reads an ignore with rules and a reason", () => {
    expect(parseCommand("@tollgate ignore left-pad@1.3.0 git-dependency deprecated -- vendored fork we audited")).toEqual({
      kind: "ignore",
      package: "left-pad@1.3.0",
      name: "left-pad",
      version: "1.3.0",
      rules: ["git-dependency", "deprecated"],
      reason: "vendored fork we audited",
    });
  });

  it("reads an ignore of all rules when none is named", () => {
    const result = parseCommand("@tollgate ignore left-pad@1.3.0 -- audited");
    expect(result).toEqual({ kind: "ignore", package: "left-pad@1.3.0", name: "left-pad", version: "1.3.0", reason: "audited" });
    expect(result).not.toHaveProperty("rules");
  });

  it("reads scoped package names", () => {
    expect(parseCommand("@tollgate ignore @acme/x@1.2.3 -- ours")).toMatchObject({ package: "@acme/x@1.2.3", name: "@acme/x", version: "1.2.3" });
    expect(parseCommand("@tollgate ignore @acme/x.y-z@0.0.1-beta.2 deprecated -- ours")).toMatchObject({
      name: "@acme/x.y-z",
      version: "0.0.1-beta.2",
      rules: ["deprecated"],
    });
  });

  it("tolerates extra whitespace, backticks, commas and repeated rules", () => {
    expect(parseCommand("  @tollgate   ignore   `left-pad@1.3.0`   `deprecated`,git-dependency, deprecated   --   a   reason  ")).toEqual({
      kind: "ignore",
      package: "left-pad@1.3.0",
      name: "left-pad",
      version: "1.3.0",
      rules: ["deprecated", "git-dependency"],
      reason: "a   reason",
    });
  });

  it("keeps a reason that itself contains dashes, and reads only the first line", () => {
    expect(parseCommand("@tollgate ignore left-pad@1.3.0 -- pinned -- see #12\nMore discussion -- not part of it")).toMatchObject({
      reason: "pinned -- see #12",
    });
    expect(parseCommand("@tollgate ignore left-pad@1.3.0 --audited")).toMatchObject({ reason: "audited" });
  });

  it("needs a reason", () => {
    expect(errorOf("@tollgate ignore left-pad@1.3.0")).toContain("needs a reason");
    expect(errorOf("@tollgate ignore left-pad@1.3.0 deprecated --")).toContain("needs a reason");
    expect(errorOf("@tollgate ignore left-pad@1.3.0 --   ")).toContain("needs a reason");
    // The reason must be on the command's line.
    expect(errorOf("@tollgate ignore left-pad@1.3.0\n-- audited")).toContain("needs a reason");
  });

  it("refuses a reason that is too long to keep", () => {
    expect(errorOf(`@tollgate ignore left-pad@1.3.0 -- ${"x".repeat(MAX_REASON_LENGTH + 1)}`)).toContain(`${MAX_REASON_LENGTH} characters`);
    expect(parseCommand(`@tollgate ignore left-pad@1.3.0 -- ${"x".repeat(MAX_REASON_LENGTH)}`)).toMatchObject({ kind: "ignore" });
  });

  it("needs the package and an exact version", () => {
    expect(errorOf("@tollgate ignore -- because")).toContain("names the package and its version");
    expect(errorOf("@tollgate ignore left-pad -- because")).toContain("`left-pad` names no version");
    expect(errorOf("@tollgate ignore @acme/x -- because")).toContain("`@acme/x` names no version");
    expect(errorOf("@tollgate ignore left-pad@^1.3.0 -- because")).toContain("`^1.3.0` is not an exact version");
    expect(errorOf("@tollgate ignore left-pad@1.3 -- because")).toContain("not an exact version");
    expect(errorOf("@tollgate ignore left-pad@v1.3.0 -- because")).toContain("not an exact version");
    expect(errorOf("@tollgate ignore left-pad@latest -- because")).toContain("not an exact version");
    expect(errorOf("@tollgate ignore left-pad@ -- because")).toContain("not an exact version");
  });

  it("refuses what is not a package name", () => {
    expect(errorOf("@tollgate ignore Left Pad@1.3.0 -- because")).toContain("names no version");
    expect(errorOf("@tollgate ignore left-pad@1@1.3.0 -- because")).toContain("`left-pad@1` is not an npm package name");
    expect(errorOf("@tollgate ignore ../etc@1.0.0 -- because")).toContain("is not an npm package name");
    expect(errorOf(`@tollgate ignore ${"a".repeat(215)}@1.0.0 -- because`)).toContain("is not an npm package name");
  });

  it("refuses unknown rules and names them", () => {
    const error = errorOf("@tollgate ignore left-pad@1.3.0 deprecated typo-squat malware -- because");
    expect(error).toBe("Tollgate has no rule `typo-squat`, `malware`.");
  });

  it("refuses unknown commands and a bare mention", () => {
    expect(errorOf("@tollgate ignroe left-pad@1.3.0 -- because")).toBe("Tollgate has no command `ignroe`.");
    expect(errorOf("@tollgate approve")).toBe("Tollgate has no command `approve`.");
    expect(errorOf("@tollgate")).toBe("That comment names no command.");
    expect(errorOf("@tollgate   \nplease look again")).toBe("That comment names no command.");
  });

  it("quotes user text back without backticks and cut short", () => {
    const error = errorOf(`@tollgate \`rm${"x".repeat(100)}`);
    expect(error).toMatch(/^Tollgate has no command `'rmx+…`\.$/);
    expect(error.length).toBeLessThan(100);
  });

  it("documents every rule in the syntax reply", () => {
    for (const rule of RULE_IDS) expect(COMMAND_SYNTAX).toContain(`\`${rule}\``);
    expect(COMMAND_SYNTAX).toContain("@tollgate ignore <name>@<version> [rule …] -- <reason>");
    expect(COMMAND_SYNTAX).toContain("@tollgate rerun");
  });
});
