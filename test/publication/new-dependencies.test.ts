import { describe, expect, it } from "vitest";
import { diffLockfiles } from "../../src/lockfile/diff.js";
import { newDependencies } from "../../src/publication/new-dependencies.js";
import { lockfile, pkg } from "../support/packages.js";
import { recorded } from "./fixtures.js";

// axios 1.14.0 -> 1.14.1 as a lockfile records it: the update, and the dependency it brought in.
const base = lockfile([
  pkg("axios@1.14.0", { direct: true, workspaces: [""], line: 10 }),
  pkg("follow-redirects@1.15.11", { line: 20 }),
  pkg("form-data@4.0.5", { line: 30 }),
]);
const head = lockfile([
  pkg("axios@1.14.1", { direct: true, workspaces: [""], line: 10 }),
  pkg("follow-redirects@1.15.11", { line: 20 }),
  pkg("form-data@4.0.5", { line: 30 }),
  pkg("plain-crypto-js@4.2.1", { line: 40 }),
]);
const packuments = { axios: recorded("axios"), "plain-crypto-js": recorded("plain-crypto-js") };
const lookup = (name: string, version: string) => packuments[name as keyof typeof packuments]?.versions[version];

describe("new-dependencies", () => {
  it("names the package axios 1.14.1 brought in, and the update that did", () => {
    const alerts = newDependencies(diffLockfiles(base, head), { lockfilePath: "package-lock.json", base, lookup });
    expect(alerts).toEqual([
      {
        rule: "new-dependencies",
        severity: "low",
        package: { name: "plain-crypto-js", version: "4.2.1" },
        message: "plain-crypto-js@4.2.1 is new to this project, required by axios 1.14.0 → 1.14.1: no version of it was installed before.",
        why: "A compromised release often slips its payload in through one new dependency; a package the project never installed before has had no review of its own.",
        action: "Check that plain-crypto-js is a package its dependents are expected to use (its repository, its publisher, its age) before merging.",
        location: { path: "package-lock.json", line: 40 },
      },
    ]);
  });

  it("without packuments nothing shows which update brought a package in, so nothing is said", () => {
    expect(newDependencies(diffLockfiles(base, head), { lockfilePath: "package-lock.json", base })).toEqual([]);
  });

  it("leaves out direct dependencies, names already installed, removals, and the tree of a newly added package", () => {
    const before = lockfile([pkg("parent@1.0.0", { line: 4 }), pkg("debug@4.3.4", { line: 5 }), pkg("gone@1.0.0", { line: 6 })]);
    const after = lockfile([
      pkg("parent@1.1.0", { line: 4 }),
      pkg("debug@4.3.4", { line: 5 }),
      pkg("debug@2.6.9", { line: 7 }),
      pkg("left-pad@1.3.0", { direct: true, workspaces: [""], line: 8 }),
      pkg("ms@2.0.0", { line: 9, dev: true }),
      pkg("fresh@1.0.0", { line: 10 }),
      pkg("fresh-child@1.0.0", { line: 11 }),
    ]);
    const records: Record<string, Record<string, string>> = {
      "parent@1.0.0": { debug: "^4" },
      "parent@1.1.0": { debug: "^4", ms: "2.0.0", "left-pad": "1" },
      "fresh@1.0.0": { "fresh-child": "1" },
    };
    const lookupOf = (name: string, version: string) => (records[`${name}@${version}`] ? { name, version, dependencies: records[`${name}@${version}`] } : undefined);
    const alerts = newDependencies(diffLockfiles(before, after), { lockfilePath: "package-lock.json", base: before, lookup: lookupOf });
    expect(alerts.map((alert) => [alert.package.name, alert.devOnly])).toEqual([["ms", true]]);
  });

  it("without the base lockfile, counts a name as new when the changes show no earlier version of it", () => {
    const before = lockfile([pkg("a@1.0.0"), pkg("b@1.0.0")]);
    const after = lockfile([pkg("a@2.0.0"), pkg("b@1.0.0"), pkg("c@1.0.0")]);
    const lookupOf = (name: string, version: string) => (name === "a" ? { name, version, dependencies: (version === "2.0.0" ? { c: "1" } : {}) as Record<string, string> } : undefined);
    expect(newDependencies(diffLockfiles(before, after), { lockfilePath: "package-lock.json", lookup: lookupOf }).map((alert) => alert.package.name)).toEqual(["c"]);
  });
});
