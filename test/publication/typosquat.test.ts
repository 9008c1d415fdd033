import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseLockfile } from "../../src/lockfile/parse.js";
import { isPopular, typosquatAlert, typosquatOf } from "../../src/publication/typosquat.js";
import popular from "../../src/publication/popular-packages.json" with { type: "json" };
import { location } from "./fixtures.js";

describe("typosquatOf", () => {
  it.each([
    ["loadsh", "lodash", '"d" and "a" swapped'],
    ["raect", "react", '"e" and "a" swapped'],
    ["electorn", "electron", '"r" and "o" swapped'],
    ["expresss", "express", '"s" doubled'],
    ["axioss", "axios", '"s" doubled'],
    ["expres", "express", 'one "s" of the double dropped'],
    ["crossenv", "cross-env", '"-" dropped'],
    ["cross_env", "cross-env", '"_" in place of "-"'],
    ["cryptojs", "crypto-js", '"-" dropped'],
    ["chalks", "chalk", '"s" added'],
    ["lodash-js", "lodash", '"-js" added to the name'],
    ["node-fetch.js", "node-fetch", '".js" added to the name'],
    ["types-node", "@types/node", "written without its scope"],
    ["@typescript_eslint/parser", "@typescript-eslint/parser", '"_" in place of "-"'],
  ])("%s imitates %s (%s)", (name, imitates, how) => {
    expect(typosquatOf(name)).toMatchObject({ imitates, how });
  });

  it("never flags a popular package, however close to another", () => {
    for (const name of ["colors", "color", "react", "preact", "ms", "debug", "json5", "babel-core"]) {
      expect(isPopular(name)).toBe(true);
      expect(typosquatOf(name)).toBeUndefined();
    }
  });

  it("leaves short names alone (ms and mz, qs and gs are all honest names)", () => {
    for (const name of ["mz", "gs", "wss", "rcc", "qss"]) expect(typosquatOf(name)).toBeUndefined();
  });

  it("takes a changed or missing letter as a squat only of a heavily installed package", () => {
    // 'chalk' (1.7 billion a month): one letter is enough; 'marky' (28 million) too; 'beeper' (3 million) is not.
    expect(typosquatOf("chalq")?.imitates).toBe("chalk");
    expect(typosquatOf("deeper")).toBeUndefined();
  });

  it("never flags a package under the same scope as the popular one: only the scope's owner publishes there", () => {
    expect(typosquatOf("@types/lodahs")).toBeUndefined();
    expect(typosquatOf("@babel/kore")).toBeUndefined();
  });

  it("does not take an older unscoped family for squats of its scoped successors", () => {
    expect(typosquatOf("babel-plugin-transform-property-literals")).toBeUndefined();
  });

  it("names the most popular of several targets", () => {
    expect(typosquatOf("chalkk")?.imitates).toBe("chalk");
  });

  it("is quiet on real lockfiles: few of the thousands of names in the corpus projects are flagged", () => {
    const root = new URL("../../../shared/corpus/lockfile-pairs/", import.meta.url);
    if (!existsSync(root)) return;
    const names = new Set<string>();
    for (const pair of readdirSync(root)) {
      const dir = new URL(`${pair}/head/`, root);
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir)) {
        if (file === "package.json" || file.endsWith(".lockb") || file === "meta.json") continue;
        try {
          for (const instance of parseLockfile(file, readFileSync(new URL(file, dir), "utf8"), {}).packages) names.add(instance.name);
        } catch {
          // A broken lockfile in the corpus (conflict markers) is another test's subject.
        }
      }
    }
    const flagged = [...names].filter((name) => typosquatOf(name) !== undefined);
    expect(names.size).toBeGreaterThan(3000);
    expect(flagged.length / names.size).toBeLessThan(0.005);
  });
});

describe("typosquatAlert", () => {
  it("names the imitated package and its popularity", () => {
    expect(typosquatAlert("crossenv", "1.0.0", location)).toEqual({
      rule: "typosquat",
      severity: "medium",
      package: { name: "crossenv", version: "1.0.0" },
      message: 'crossenv looks like a misspelling of cross-env (60 million downloads a month): "-" dropped.',
      why: "Attackers publish packages under near misses of popular names so that a typo in package.json, or a dependency that makes one, installs their code instead.",
      action: "If the project meant cross-env, replace crossenv with it; if crossenv is really intended, check who publishes it and record an exception.",
      location,
    });
    expect(typosquatAlert("lodash", "4.17.21", location)).toBeUndefined();
  });
});

describe("the shipped list of popular packages", () => {
  it("holds the shared list's 10,000 names, most downloaded first", () => {
    const packages = popular.packages as [string, number][];
    expect(packages).toHaveLength(10_000);
    expect(packages[0]).toEqual(["semver", 2399]);
    for (let i = 1; i < packages.length; i++) expect(packages[i - 1]![1]).toBeGreaterThanOrEqual(packages[i]![1]);
  });
});
