import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configJsonSchema } from "../../src/config/json-schema.js";
import { ConfigSchema, DEFAULT_CONFIG, parseSelector } from "../../src/config/schema.js";

describe("ConfigSchema", () => {
  it("gives sensible defaults for an empty file", () => {
    expect(DEFAULT_CONFIG).toEqual({
      rules: {},
      exceptions: [],
      registries: { default: { url: "https://registry.npmjs.org/" }, scopes: {} },
      devDependencies: { maxLevel: "error" },
      paths: ["**"],
      cooldownHours: 48,
      comment: "on-alerts",
      unreviewed: "neutral",
    });
  });

  it("names each wrong field and what is wrong with it", () => {
    const result = ConfigSchema.safeParse({
      rules: { "git-dependency": "eror", nope: "off" },
      exceptions: [{ package: "x@@", reason: "", expires: "2020-13-01" }],
      registries: { scopes: { "@a": { url: "ftp://x", tokenEnv: "PRIVATE_KEY" } } },
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    expect(issues.some((i) => i.startsWith("rules.git-dependency:"))).toBe(true);
    expect(issues.some((i) => i.startsWith("rules") && i.includes("nope"))).toBe(true);
    expect(issues).toContain("exceptions.0.package: must be `name`, `name@version` or `name@range`");
    expect(issues).toContain("exceptions.0.reason: an exception needs a reason");
    expect(issues).toContain("exceptions.0.expires: must be a date written YYYY-MM-DD");
    expect(issues).toContain("registries.scopes.@a.url: must be an http(s) URL");
    expect(issues.some((i) => i.startsWith("registries.scopes.@a.tokenEnv: must be an environment variable name"))).toBe(true);
  });
});

describe("parseSelector", () => {
  it("splits names, versions and ranges, keeping scopes", () => {
    expect(parseSelector("left-pad")).toEqual({ name: "left-pad", range: undefined });
    expect(parseSelector("left-pad@1.3.0")).toEqual({ name: "left-pad", range: "1.3.0" });
    expect(parseSelector("@acme/x@^2")).toEqual({ name: "@acme/x", range: "^2" });
    expect(parseSelector("@acme/x")).toEqual({ name: "@acme/x", range: undefined });
    expect(parseSelector("x@not a range")).toBeUndefined();
  });
});

describe("the JSON Schema", () => {
  it("is generated from the zod schema and committed up to date (regenerate: npx tollgate schema > schema/tollgate.schema.json)", () => {
    const committed = JSON.parse(readFileSync(new URL("../../schema/tollgate.schema.json", import.meta.url), "utf8"));
    expect(committed).toEqual(configJsonSchema());
  });

  it("documents every field", () => {
    const schema = configJsonSchema() as { properties: Record<string, { description?: string }> };
    for (const [field, property] of Object.entries(schema.properties)) expect(property.description, field).toBeTruthy();
  });
});
