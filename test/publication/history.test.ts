import { describe, expect, it } from "vitest";
import { baselineOf, earlierVersions, registryPredecessor, trustedPublishTime, versionsInOrder } from "../../src/publication/history.js";
import type { Packument } from "../../src/registry/registry.js";
import { recorded } from "./fixtures.js";

function packument(versions: string[], time?: Record<string, string>): Packument {
  return { name: "p", versions: Object.fromEntries(versions.map((version) => [version, { name: "p", version }])), ...(time ? { time } : {}) };
}

describe("version history", () => {
  it("orders versions by semver and skips invalid ones", () => {
    expect(versionsInOrder(packument(["1.10.0", "1.2.0", "not-a-version", "1.2.0-beta.1"]))).toEqual(["1.2.0-beta.1", "1.2.0", "1.10.0"]);
  });

  it("finds the registry's previous release, skipping prereleases for a release", () => {
    const doc = packument(["1.0.0", "1.1.0", "2.0.0-rc.1", "2.0.0", "2.0.1-beta.0"]);
    expect(registryPredecessor(doc, "2.0.0")).toBe("1.1.0");
    expect(registryPredecessor(doc, "2.0.1-beta.0")).toBe("2.0.0");
    expect(registryPredecessor(doc, "2.0.0-rc.1")).toBe("1.1.0");
    expect(registryPredecessor(doc, "1.0.0")).toBeUndefined();
  });

  it("compares with the lockfile's previous version when the registry has it, else the registry's predecessor", () => {
    const doc = packument(["1.0.0", "1.1.0", "1.2.0"]);
    expect(baselineOf(doc, "1.2.0", "1.0.0")).toMatchObject({ version: "1.0.0", fromLockfile: true });
    expect(baselineOf(doc, "1.2.0", "0.9.0")).toMatchObject({ version: "1.1.0", fromLockfile: false });
    expect(baselineOf(doc, "1.2.0", undefined)).toMatchObject({ version: "1.1.0", fromLockfile: false });
    expect(baselineOf(doc, "1.0.0", undefined)).toBeUndefined();
  });
});

describe("publish times", () => {
  it("believes the public registry's times (created and modified around them)", () => {
    expect(trustedPublishTime(recorded("axios"), "1.14.1")).toEqual(new Date("2026-03-31T00:21:00.000Z"));
  });

  it("does not believe a mirror's times (no created or modified)", () => {
    expect(trustedPublishTime(recorded("left-pad"), "1.3.0")).toBeUndefined();
    expect(trustedPublishTime(recorded("es5-ext"), "0.10.54")).toBeUndefined();
  });

  it("does not believe a time outside created..modified, or one that is not a date", () => {
    const time = { created: "2020-01-01T00:00:00Z", modified: "2021-01-01T00:00:00Z" };
    expect(trustedPublishTime(packument(["1.0.0"], { ...time, "1.0.0": "2022-01-01T00:00:00Z" }), "1.0.0")).toBeUndefined();
    expect(trustedPublishTime(packument(["1.0.0"], { ...time, "1.0.0": "yesterday" }), "1.0.0")).toBeUndefined();
    expect(trustedPublishTime(packument(["1.0.0"], { ...time, "1.0.0": "2020-06-01T00:00:00Z" }), "1.0.0")).toEqual(new Date("2020-06-01T00:00:00Z"));
  });

  it("counts versions published earlier by time when times are trusted (a 0.x backport after 1.x)", () => {
    const doc = packument(["0.9.0", "0.9.1", "1.0.0"], {
      created: "2020-01-01T00:00:00Z",
      modified: "2021-01-01T00:00:00Z",
      "0.9.0": "2020-01-01T00:00:00Z",
      "1.0.0": "2020-06-01T00:00:00Z",
      "0.9.1": "2020-09-01T00:00:00Z",
    });
    expect(earlierVersions(doc, "0.9.1", true).sort()).toEqual(["0.9.0", "1.0.0"]);
    expect(earlierVersions(doc, "0.9.1", false)).toEqual(["0.9.0"]);
  });
});
