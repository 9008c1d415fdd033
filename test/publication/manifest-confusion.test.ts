import { describe, expect, it } from "vitest";
import { manifestConfusion, manifestConfusionAlert } from "../../src/publication/manifest-confusion.js";
import type { PackumentVersion } from "../../src/registry/registry.js";
import { location, recorded, recordedJson } from "./fixtures.js";

const base: PackumentVersion = { name: "tool", version: "1.0.0" };

describe("manifest-confusion", () => {
  it("finds everything darcyclarke-manifest-pkg@2.1.15 hides: name, version, a dependency and an install script", () => {
    const registry = recorded("darcyclarke-manifest-pkg").versions["2.1.15"]!;
    const tarball = recordedJson("darcyclarke-manifest-pkg.tarball-package");
    const mismatches = manifestConfusion(registry, tarball);
    expect(mismatches).toEqual([
      { field: "name", registry: "darcyclarke-manifest-pkg", tarball: "express" },
      { field: "version", registry: "2.1.15", tarball: "3.0.0" },
      { field: "scripts", key: "install", tarball: 'touch ./bad-pkg-write && echo "bad pkg exec!"' },
      { field: "dependencies", key: "sleepover", tarball: "*" },
    ]);
    const alert = manifestConfusionAlert({ name: "darcyclarke-manifest-pkg", version: "2.1.15" }, mismatches, location);
    expect(alert?.severity).toBe("high");
    expect(alert?.message).toBe(
      "The registry's manifest for darcyclarke-manifest-pkg@2.1.15 disagrees with the package.json in its tarball: " +
        'name is "darcyclarke-manifest-pkg" in the registry but "express" in the tarball, version is "2.1.15" in the registry but "3.0.0" in the tarball, ' +
        'the tarball has script install "touch ./bad-pkg-write && echo \\"bad pkg exec!\\"" that the registry does not show and the tarball has dependency sleepover "*" that the registry does not show.',
    );
  });

  it("finds no difference in rimraf@2.7.1, whose registry manifest and tarball agree", () => {
    const packument = recorded("rimraf") as unknown as { versions: Record<string, PackumentVersion>; _tarballManifest: Record<string, unknown> };
    expect(manifestConfusion(packument.versions["2.7.1"]!, packument._tarballManifest)).toEqual([]);
    expect(manifestConfusionAlert({ name: "rimraf", version: "2.7.1" }, [], location)).toBeUndefined();
  });

  it("accepts what npm itself changes at publish", () => {
    const registry: PackumentVersion = {
      ...base,
      scripts: { install: "node-gyp rebuild", start: "node server.js", test: "tap" },
      bin: { tool: "bin/tool.js", "tool-x": "bin/x.js" },
      dependencies: { a: "^1.0.0", b: "*", c: "^2.0.0" },
    };
    const tarball = {
      ...base,
      scripts: { test: "tap " },
      bin: { tool: "./bin/tool.js", "tool-x": "bin//x.js" },
      dependencies: { a: "^1.0.0", b: "" },
      optionalDependencies: { c: "^2.0.0" },
    };
    expect(manifestConfusion(registry, tarball)).toEqual([]);
  });

  it("names a string bin after the package, without its scope", () => {
    expect(manifestConfusion({ name: "@scope/tool", version: "1.0.0", bin: { tool: "cli.js" } }, { name: "@scope/tool", version: "1.0.0", bin: "./cli.js" })).toEqual([]);
  });

  it("does not compare bins a tarball declares through directories.bin (they come from its files)", () => {
    expect(manifestConfusion({ ...base, bin: { tool: "bin/tool" } }, { ...base, directories: { bin: "bin" } })).toEqual([]);
  });

  it("finds a bin the registry does not show, and rates it high", () => {
    const mismatches = manifestConfusion(base, { ...base, bin: { npm: "evil.js" } });
    expect(mismatches).toEqual([{ field: "bin", key: "npm", tarball: "evil.js" }]);
    expect(manifestConfusionAlert({ name: "tool", version: "1.0.0" }, mismatches, location)?.severity).toBe("high");
  });

  it("rates a dependency or a non-install script alone as medium", () => {
    const mismatches = manifestConfusion({ ...base, scripts: { test: "tap" }, dependencies: { a: "^1.0.0" } }, { ...base, scripts: { test: "jest" }, dependencies: { a: "^2.0.0" } });
    expect(mismatches).toEqual([
      { field: "scripts", key: "test", registry: "tap", tarball: "jest" },
      { field: "dependencies", key: "a", registry: "^1.0.0", tarball: "^2.0.0" },
    ]);
    expect(manifestConfusionAlert({ name: "tool", version: "1.0.0", previous: "0.9.0" }, mismatches, location)).toMatchObject({
      severity: "medium",
      package: { name: "tool", version: "1.0.0", previous: "0.9.0" },
    });
  });

  it("shows four differences and counts the rest", () => {
    const dependencies = Object.fromEntries(["a", "b", "c", "d", "e", "f"].map((name) => [name, "1.0.0"]));
    const alert = manifestConfusionAlert({ name: "tool", version: "1.0.0" }, manifestConfusion(base, { ...base, dependencies }), location);
    expect(alert?.message).toMatch(/ and 2 more\.$/);
  });
});
