import { describe, expect, it } from "vitest";
import { versionJump } from "../../src/publication/version-jump.js";
import type { Packument } from "../../src/registry/registry.js";
import { location, NPM } from "./fixtures.js";

function packument(versions: string[]): Packument {
  return { name: "internal-utils", versions: Object.fromEntries(versions.map((version) => [version, { name: "internal-utils", version }])) };
}

const jump = (previousVersion: string | undefined, version: string, doc?: Packument) =>
  versionJump({ name: "internal-utils", version, previousVersion, packument: doc, registryUrl: NPM, location });

describe("version-jump", () => {
  // Dependency-confusion releases are removed from the registry within days, so these packuments
  // are built in the public format rather than recorded.
  it("raises high when the public registry has only the far version (the lockfile's came from elsewhere)", () => {
    const alert = jump("1.2.3", "99.0.0", packument(["99.0.0"]));
    expect(alert).toMatchObject({ rule: "version-jump", severity: "high", package: { name: "internal-utils", version: "99.0.0", previous: "1.2.3" } });
    expect(alert?.message).toBe(`internal-utils jumps from 1.2.3 to 99.0.0; ${NPM} has no other version of internal-utils, and not 1.2.3.`);
    expect(alert?.action).toBe("Check where internal-utils@1.2.3 came from: if it is an internal package, pin its scope or name to the internal registry (.npmrc) and restore 1.2.3.");
  });

  it("raises high when the registry has other versions but not the previous one", () => {
    expect(jump("1.2.3", "99.0.0", packument(["0.0.1", "99.0.0"]))?.message).toBe(`internal-utils jumps from 1.2.3 to 99.0.0; ${NPM} does not have 1.2.3 at all.`);
  });

  it("raises medium when the registry's own history jumps", () => {
    const alert = jump("1.2.3", "99.0.0", packument(["1.2.3", "99.0.0"]));
    expect(alert?.severity).toBe("medium");
    expect(alert?.message).toBe("internal-utils jumps from 1.2.3 to 99.0.0, with nothing published in between.");
  });

  it("is silent for a project that skipped majors the package really published", () => {
    expect(jump("1.2.3", "15.0.0", packument(["1.2.3", "2.0.0", "8.0.0", "15.0.0"]))).toBeUndefined();
  });

  it("is silent below ten majors, for downgrades, for additions and for versions that are not semver", () => {
    expect(jump("1.2.3", "10.9.9", packument(["10.9.9"]))).toBeUndefined();
    expect(jump("99.0.0", "1.2.3", packument(["1.2.3"]))).toBeUndefined();
    expect(jump(undefined, "99.0.0", packument(["99.0.0"]))).toBeUndefined();
    expect(jump("latest", "99.0.0", packument(["99.0.0"]))).toBeUndefined();
  });

  it("counts from 0.x and judges on versions alone without a packument", () => {
    expect(jump("0.4.0", "10.0.0")).toMatchObject({ severity: "medium", message: "internal-utils jumps from 0.4.0 to 10.0.0." });
  });
});
