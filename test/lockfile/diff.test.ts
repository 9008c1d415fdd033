import { describe, expect, it } from "vitest";
import { diffLockfiles } from "../../src/lockfile/diff.js";
import { lockfile, pkg } from "../support/packages.js";

const summary = (changes: ReturnType<typeof diffLockfiles>) => changes.map((c) => `${c.type} ${c.name} ${c.from ?? "-"} ${c.to ?? "-"}`);

describe("diffLockfiles", () => {
  it("reports added, removed and updated versions per package name", () => {
    const base = lockfile([pkg("a@1.0.0"), pkg("b@2.0.0"), pkg("c@1.0.0")]);
    const head = lockfile([pkg("a@1.1.0"), pkg("c@1.0.0"), pkg("d@0.1.0")]);
    expect(summary(diffLockfiles(base, head))).toEqual(["updated a 1.0.0 1.1.0", "removed b 2.0.0 -", "added d - 0.1.0"]);
  });

  it("treats a dedupe as a removal, not an update", () => {
    const base = lockfile([pkg("ws@8.21.0", { key: "node_modules/x/node_modules/ws" }), pkg("ws@8.21.1")]);
    const head = lockfile([pkg("ws@8.21.1")]);
    expect(summary(diffLockfiles(base, head))).toEqual(["removed ws 8.21.0 -"]);
  });

  it("ignores hoisting moves and reordering", () => {
    const base = lockfile([pkg("a@1.0.0", { key: "node_modules/x/node_modules/a", line: 10 }), pkg("b@1.0.0")]);
    const head = lockfile([pkg("b@1.0.0", { line: 3 }), pkg("a@1.0.0", { key: "node_modules/a", line: 40 })]);
    expect(diffLockfiles(base, head)).toEqual([]);
  });

  it("pairs each new version with the one of the same major it replaces", () => {
    const base = lockfile([pkg("lodash@3.10.1"), pkg("lodash@4.17.20")]);
    const head = lockfile([pkg("lodash@3.10.1"), pkg("lodash@4.17.21"), pkg("lodash@5.0.0")]);
    expect(summary(diffLockfiles(base, head))).toEqual(["updated lodash 4.17.20 4.17.21", "added lodash - 5.0.0"]);
  });

  it("flags a source that changed kind, a foreign host and a dev package now in production", () => {
    const base = lockfile([pkg("a@1.0.0", { dev: true }), pkg("b@1.0.0"), pkg("c@1.0.0", { dev: true })]);
    const head = lockfile([
      pkg("a@1.0.1"),
      pkg("b@1.0.0", { source: "git", resolved: "git+ssh://git@github.com/x/b.git#abc" }),
      pkg("c@1.0.0", { dev: false }),
      pkg("e@1.0.0", { resolved: "https://evil.example/e/-/e-1.0.0.tgz" }),
    ]);
    const changes = diffLockfiles(base, head);
    expect(changes.map((c) => [c.type, c.name, c.flags.map((f) => f.kind)])).toEqual([
      ["updated", "a", ["dev-to-production"]],
      ["updated", "b", ["source-changed"]],
      ["changed", "c", ["dev-to-production"]],
      ["added", "e", ["non-registry-host"]],
    ]);
  });

  it("reports the same version with different content, but only when the hashes are comparable", () => {
    const base = lockfile([pkg("a@1.0.0", { integrity: "sha512-AAAA" }), pkg("b@1.0.0", { integrity: "sha1-BBBB" }), pkg("c@1.0.0", { integrity: "berry:8/abc" })]);
    const head = lockfile([pkg("a@1.0.0", { integrity: "sha512-ZZZZ" }), pkg("b@1.0.0", { integrity: "sha512-CCCC" }), pkg("c@1.0.0", { integrity: "berry:10c0/def" })]);
    const changes = diffLockfiles(base, head);
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ name: "a", type: "changed", flags: [{ kind: "integrity-changed", from: "sha512-AAAA", to: "sha512-ZZZZ" }] });
  });

  it("handles a lockfile that is new or deleted", () => {
    const packages = [pkg("a@1.0.0"), pkg("@s/b@2.0.0")];
    expect(summary(diffLockfiles(undefined, lockfile(packages)))).toEqual(["added @s/b - 2.0.0", "added a - 1.0.0"]);
    expect(summary(diffLockfiles(lockfile(packages), undefined))).toEqual(["removed @s/b 2.0.0 -", "removed a 1.0.0 -"]);
  });

  it("accepts configured registry hosts", () => {
    const head = lockfile([pkg("a@1.0.0", { resolved: "https://npm.acme.internal/a/-/a-1.0.0.tgz" })]);
    expect(diffLockfiles(undefined, head, { registryHosts: ["npm.acme.internal"] })[0]!.flags).toEqual([]);
  });
});
