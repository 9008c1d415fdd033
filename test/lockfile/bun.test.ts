import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { binaryBunLockfileError, parseBunLockfile } from "../../src/lockfile/bun.js";
import { LockfileError } from "../../src/lockfile/model.js";
import {
  byKey,
  corpusText,
  corpusUrl,
  expectNoUnexpectedError,
  itRejectsAnyTextWithLockfileErrors,
  lockfileErrorOf,
} from "./helpers.js";

// Lines in the expectations below were counted in this text.
const BUN = `{
  "lockfileVersion": 1,
  "workspaces": {
    "": {
      "name": "app",
      "dependencies": {
        "a": "^1.0.0",
        "gh": "github:o/gh",
        "lnk": "link:lnk",
        "local": "file:./local",
        "my-ms": "npm:ms@2.1.3",
        "tb": "https://example.com/tb-1.0.0.tgz",
      },
      "devDependencies": {
        "d": "^1.0.0",
      },
      "optionalDependencies": {
        "o": "^1.0.0",
      },
    },
    "packages/v": {
      "name": "@s/v",
    },
    "packages/w": {
      "name": "@s/w",
      "version": "0.1.0",
      "dependencies": {
        "@s/v": "workspace:*",
        "a": "^2.0.0",
      },
      "peerDependencies": {
        "p": "^1.0.0",
      },
    },
  },
  "packages": {
    "@s/v": ["@s/v@workspace:packages/v"],

    "@s/w": ["@s/w@workspace:packages/w"],

    "@x/y": ["@x/y@1.0.0", "https://npm.example.com/", {}, "sha512-XY"],

    "a": ["a@1.0.0", "", { "dependencies": { "@x/y": "^1.0.0", "shared": "^1.0.0" } }, "sha512-A1"],

    "app": ["app@root:", { "bin": { "app": "cli.js" } }],

    "d": ["d@1.0.0", "", { "dependencies": { "devonly": "^1.0.0", "x": "^1.0.0" } }, "sha512-D"],

    "devonly": ["devonly@1.0.0", "", {}, "sha512-DO"],

    "gh": ["gh@github:o/gh#abc1234", { "dependencies": { "shared": "^1.0.0" } }, "o-gh-abc1234"],

    "lnk": ["lnk@link:lnk", {}],

    "local": ["local@file:local", { "dependencies": { "shared": "^1.0.0" } }],

    "my-ms": ["ms@2.1.3", "", {}, "sha512-MS"],

    "o": ["o@1.0.0", "", { "dependencies": { "optdep": "^1.0.0", "x": "^1.0.0" } }, "sha512-O"],

    "optdep": ["optdep@1.0.0", "", {}, "sha512-OD"],

    "p": ["p@1.0.0", "", {}, "sha512-P"],

    "shared": ["shared@1.0.0", "", {}, "sha512-S1"],

    "tb": ["tb@https://example.com/tb-1.0.0.tgz", {}, "sha512-TB"],

    "x": ["x@1.0.0", "", {}, "sha512-X"],

    "@s/w/a": ["a@2.0.0", "", { "dependencies": { "shared": "^2.0.0" } }, "sha512-A2"],

    "@s/w/a/shared": ["shared@2.0.0", "", {}, "sha512-S2"],
  }
}
`;

describe("parseBunLockfile", () => {
  const lockfile = parseBunLockfile("bun.lock", BUN);

  it("reads the format, the workspaces and every package but the workspaces and the root", () => {
    expect(lockfile.format).toBe("bun");
    expect(lockfile.formatVersion).toBe("1");
    expect(lockfile.workspaces).toEqual(["", "packages/v", "packages/w"]);
    expect(lockfile.warnings).toEqual([]);
    expect(lockfile.packages.map((p) => p.key)).toEqual([
      "@x/y",
      "a",
      "d",
      "devonly",
      "gh",
      "lnk",
      "local",
      "my-ms",
      "o",
      "optdep",
      "p",
      "shared",
      "tb",
      "x",
      "@s/w/a",
      "@s/w/a/shared",
    ]);
  });

  it("reads a registry package, with a registry URL when one is recorded", () => {
    expect(byKey(lockfile, "a")).toEqual({
      name: "a",
      version: "1.0.0",
      source: "registry",
      integrity: "sha512-A1",
      dev: false,
      optional: false,
      peer: false,
      direct: true,
      workspaces: [""],
      line: 43,
      key: "a",
    });
    expect(byKey(lockfile, "@x/y")).toMatchObject({
      name: "@x/y",
      resolved: "https://npm.example.com/",
      line: 41,
      direct: false,
    });
  });

  it("reads an alias as the real package installed under the key's name", () => {
    expect(byKey(lockfile, "my-ms")).toMatchObject({ name: "ms", alias: "my-ms", version: "2.1.3", line: 57, direct: true });
    expect(byKey(lockfile, "@s/w/a").alias).toBeUndefined();
  });

  it("reads git, tarball, file and link entries", () => {
    expect(byKey(lockfile, "gh")).toEqual({
      name: "gh",
      version: "0.0.0",
      source: "git",
      resolved: "github:o/gh#abc1234",
      dev: false,
      optional: false,
      peer: false,
      direct: true,
      workspaces: [""],
      line: 51,
      key: "gh",
    });
    expect(byKey(lockfile, "tb")).toMatchObject({
      version: "1.0.0",
      source: "tarball",
      resolved: "https://example.com/tb-1.0.0.tgz",
      integrity: "sha512-TB",
      line: 67,
    });
    expect(byKey(lockfile, "local")).toMatchObject({ version: "0.0.0", source: "file", resolved: "local", line: 55 });
    expect(byKey(lockfile, "lnk")).toMatchObject({ version: "0.0.0", source: "link", resolved: "lnk", line: 53 });
  });

  it("resolves nested keys like node_modules paths, scoped parents included", () => {
    expect(byKey(lockfile, "@s/w/a")).toMatchObject({
      name: "a",
      version: "2.0.0",
      direct: true,
      workspaces: ["packages/w"],
      line: 71,
    });
    expect(byKey(lockfile, "@s/w/a/shared")).toMatchObject({ name: "shared", version: "2.0.0", direct: false, line: 73 });
    // The root's "a" is the top-level one.
    expect(byKey(lockfile, "a").workspaces).toEqual([""]);
  });

  it("works out dev, optional and peer from the dependency graph", () => {
    const flags = Object.fromEntries(
      lockfile.packages.map((p) => [p.key, `${p.dev ? "dev" : "-"} ${p.optional ? "optional" : "-"} ${p.peer ? "peer" : "-"}`]),
    );
    expect(flags).toEqual({
      "@x/y": "- - -",
      a: "- - -",
      d: "dev - -",
      devonly: "dev - -",
      gh: "- - -",
      lnk: "- - -",
      local: "- - -",
      "my-ms": "- - -",
      o: "- optional -",
      optdep: "- optional -",
      p: "- - peer",
      shared: "- - -",
      tb: "- - -",
      // Required by the dev dependency d, optional in production through o: npm's devOptional.
      x: "- optional -",
      "@s/w/a": "- - -",
      "@s/w/a/shared": "- - -",
    });
    expect(byKey(lockfile, "p")).toMatchObject({ direct: true, workspaces: ["packages/w"] });
  });

  it("reads lockfileVersion 0 workspace entries, which carry a dependency object", () => {
    const text = `{
  "lockfileVersion": 0,
  "workspaces": {
    "": { "name": "r", "dependencies": { "w": "workspace:*" } },
    "w": { "name": "w", "dependencies": { "z": "^1.0.0" } },
  },
  "packages": {
    "w": ["w@workspace:w", { "dependencies": { "z": "^1.0.0" } }],

    "z": ["z@1.0.0", "", {}, "sha512-Z"],
  }
}
`;
    const parsed = parseBunLockfile("bun.lock", text);
    expect(parsed.formatVersion).toBe("0");
    expect(parsed.workspaces).toEqual(["", "w"]);
    expect(parsed.packages.map((p) => [p.key, p.line, p.direct, p.workspaces])).toEqual([["z", 10, true, ["w"]]]);
  });

  it("warns about a newer lockfileVersion", () => {
    const parsed = parseBunLockfile("bun.lock", BUN.replace('"lockfileVersion": 1', '"lockfileVersion": 3'));
    expect(parsed.formatVersion).toBe("3");
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toContain("lockfileVersion 3");
    expect(parsed.packages).toHaveLength(16);
  });

  it("reads comments, and finds the lines of other layouts", () => {
    const withComments = BUN.replace('"packages": {', '"packages": { // installed\n    /* note */');
    const commented = parseBunLockfile("bun.lock", withComments);
    expect(byKey(commented, "x").line).toBe(70);
    expect(commented.packages.map((p) => ({ ...p, line: 0 }))).toEqual(lockfile.packages.map((p) => ({ ...p, line: 0 })));

    // The same data as plain JSON with 4-space indentation (no string in BUN contains ",}" or ",]").
    const plain = JSON.stringify(JSON.parse(BUN.replace(/,(\s*[}\]])/g, "$1")), null, 4);
    const rows = plain.split("\n");
    const parsed = parseBunLockfile("bun.lock", plain);
    for (const key of ["a", "x", "@s/w/a/shared"]) {
      expect(byKey(parsed, key).line).toBe(rows.findIndex((row) => row.trim() === `"${key}": [`) + 1);
    }
  });
});

describe("parseBunLockfile, bad input", () => {
  it("explains how to replace a binary bun.lockb", () => {
    const error = binaryBunLockfileError("sub/bun.lockb");
    expect(error).toBeInstanceOf(LockfileError);
    expect(error.file).toBe("sub/bun.lockb");
    expect(error.line).toBeUndefined();
    expect(error.problem).toContain("bun install --save-text-lockfile");
    expect(error.problem).toMatch(/commit bun\.lock and delete bun\.lockb/);
    expect(error.problem).toMatch(/Bun 1\.2/);
    const binary = lockfileErrorOf(() => parseBunLockfile("bun.lock", "#!/usr/bin/env bun\nbun-lockfile-format-v0\n\u0000\u0001"));
    expect(binary.problem).toBe(error.problem);
  });

  it("reports committed merge-conflict markers", () => {
    const lines = BUN.split("\n");
    lines.splice(40, 0, "<<<<<<< HEAD", "=======", ">>>>>>> main");
    const error = lockfileErrorOf(() => parseBunLockfile("bun.lock", lines.join("\n")));
    expect(error.line).toBe(41);
    expect(error.problem).toBe(
      "committed merge-conflict markers: resolve the conflict and regenerate the lockfile with `bun install`",
    );
  });

  it("reports invalid and truncated JSONC at their line", () => {
    const missingComma = BUN.replace('"name": "app",', '"name": "app"');
    const invalid = lockfileErrorOf(() => parseBunLockfile("bun.lock", missingComma));
    expect(invalid.line).toBe(6);
    expect(invalid.problem).toMatch(/not valid JSON.*bun install/);
    const truncated = lockfileErrorOf(() => parseBunLockfile("bun.lock", BUN.slice(0, BUN.indexOf('"optdep": [') + 5)));
    expect(truncated.line).toBe(61);
    expect(truncated.problem).toMatch(/truncated/);
  });

  it("rejects wrong shapes at the line of the offending key", () => {
    const cases: [string, number | undefined, RegExp][] = [
      ["[]", 1, /not a JSON object/],
      ['{\n  "workspaces": {},\n}', 1, /lockfileVersion/],
      ['{\n  "lockfileVersion": "1",\n  "workspaces": {},\n}', 2, /lockfileVersion/],
      ['{\n  "lockfileVersion": 1,\n}', 1, /"workspaces"/],
      ['{\n  "lockfileVersion": 1,\n  "workspaces": {\n    "": 3,\n  },\n}', 4, /workspace "" is not an object/],
      ['{\n  "lockfileVersion": 1,\n  "workspaces": {},\n  "packages": [],\n}', 4, /"packages" is not an object/],
      ['{\n  "lockfileVersion": 1,\n  "workspaces": {},\n  "packages": {\n    "a": "a@1.0.0",\n  },\n}', 5, /"a" is not/],
      ['{\n  "lockfileVersion": 1,\n  "workspaces": {},\n  "packages": {\n    "a": [],\n  },\n}', 5, /"a" is not/],
      ['{\n  "lockfileVersion": 1,\n  "workspaces": {},\n  "packages": {\n    "a": ["a"],\n  },\n}', 5, /does not name/],
      ['{\n  "lockfileVersion": 1,\n  "workspaces": {},\n  "packages": {\n    "a": ["a@"],\n  },\n}', 5, /does not name/],
      ['{\n  "lockfileVersion": 1,\n  "workspaces": {},\n  "packages": {\n    "a": ["a@1.0.0", "", 5, "x"],\n  },\n}', 5, /non-object/],
      ['{\n  "lockfileVersion": 1,\n  "workspaces": {},\n  "packages": {\n    "a": ["a@1.0.0", 5],\n  },\n}', 5, /registry/],
      ['{\n  "lockfileVersion": 1,\n  "workspaces": {},\n  "packages": {\n    "a": ["a@file:x", 7],\n  },\n}', 5, /non-object/],
    ];
    for (const [text, line, problem] of cases) {
      const error = lockfileErrorOf(() => parseBunLockfile("bun.lock", text));
      expect({ text, line: error.line }).toEqual({ text, line });
      expect(error.problem).toMatch(problem);
      expect(error.problem).toContain("bun install");
    }
  });

  it("rejects an empty file", () => {
    expect(lockfileErrorOf(() => parseBunLockfile("bun.lock", "")).problem).toMatch(/empty/);
  });
});

describe("parseBunLockfile on real lockfiles", () => {
  it("hono: a devDependencies bump", () => {
    const base = parseBunLockfile("bun.lock", corpusText("hono-bun1-bump-devdeps/base/bun.lock"));
    const head = parseBunLockfile("bun.lock", corpusText("hono-bun1-bump-devdeps/head/bun.lock"));
    expect(head.formatVersion).toBe("1");
    expect(head.workspaces).toEqual([""]);
    expect(base.packages).toHaveLength(1092);
    expect(head.packages).toHaveLength(1146);
    // The root declares only devDependencies (25), so everything is dev.
    expect(head.packages.every((p) => p.dev)).toBe(true);
    expect(head.packages.filter((p) => p.direct).map((p) => p.key).sort()).toEqual(
      Object.keys(
        (JSON.parse(corpusText("hono-bun1-bump-devdeps/head/package.json")) as { devDependencies: Record<string, string> })
          .devDependencies,
      ).sort(),
    );
    expect(head.packages.filter((p) => p.direct)).toHaveLength(25);
    expect(head.packages.every((p) => p.source === "registry" && p.integrity?.startsWith("sha512-"))).toBe(true);

    expect(byKey(base, "vitest")).toMatchObject({ version: "4.1.7", line: 1461, direct: true, workspaces: [""] });
    expect(byKey(head, "vitest")).toMatchObject({ version: "4.1.9", line: 1507 });
    expect(byKey(base, "wrangler")).toMatchObject({ version: "4.12.0", line: 1487 });
    expect(byKey(head, "wrangler")).toMatchObject({ version: "4.107.0", line: 1533 });
    expect(byKey(head, "@vitest/coverage-v8")).toMatchObject({ version: "4.1.7", line: 581 });
    expect(byKey(head, "@babel/code-frame/picocolors")).toMatchObject({
      name: "picocolors",
      version: "1.1.0",
      line: 1573,
      direct: false,
    });
    expect(byKey(head, "@babel/highlight/chalk/ansi-styles")).toMatchObject({ name: "ansi-styles", version: "3.2.1", line: 1919 });
    // Worked out with a separate walk of the graph: 255 packages reached only through optional
    // dependencies (platform binaries), 3 only through peer dependencies.
    expect(head.packages.filter((p) => p.optional)).toHaveLength(255);
    expect(head.packages.filter((p) => p.optional).some((p) => p.key === "@esbuild/aix-ppc64")).toBe(true);
    expect(head.packages.filter((p) => p.peer).map((p) => p.key)).toEqual(["@types/react", "csstype", "hono"]);
  });

  it("hono: bun.lockb is refused with the way out", () => {
    const binary = readFileSync(corpusUrl("hono-bunlockb-bump-devdeps/head/bun.lockb"), "latin1");
    const error = lockfileErrorOf(() => parseBunLockfile("bun.lockb", binary));
    expect(error.problem).toContain("--save-text-lockfile");
  });
});

describe("parseBunLockfile never throws anything but LockfileError", () => {
  const parse = (text: string) => parseBunLockfile("bun.lock", text);
  /** bun writes trailing commas; add them after every value, as it does. */
  const withTrailingCommas = (json: string) => json.replace(/([}\]"\d el])(\n\s*[}\]])/g, "$1,$2");

  itRejectsAnyTextWithLockfileErrors(parse);

  it("for arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, commas) => {
        const json = JSON.stringify(value, null, 2);
        expectNoUnexpectedError(parse, commas ? withTrailingCommas(json) : json);
      }),
      { numRuns: 500 },
    );
  });

  it("for lockfile-shaped JSON with arbitrary entries", () => {
    const spec = fc.oneof(
      fc.string(),
      fc.constantFrom("a@1.0.0", "a@workspace:w", "a@root:", "a@file:x", "a@link:x", "a@github:o/r#1", "a@https://h/a-1.0.0.tgz", "@s/a@1.0.0"),
    );
    const entry = fc.oneof(fc.jsonValue(), fc.array(fc.oneof(spec, fc.jsonValue()), { maxLength: 5 }), fc.tuple(spec, fc.string(), fc.jsonValue(), fc.string()));
    const key = fc.oneof(fc.string(), fc.constantFrom("", "a", "a/b", "@s/a", "@s/a/b", "@s", "a//b", "__proto__", "constructor"));
    const workspace = fc.oneof(
      fc.jsonValue(),
      fc.record({ name: fc.jsonValue(), dependencies: fc.oneof(fc.jsonValue(), fc.dictionary(key, fc.string())), optionalPeers: fc.jsonValue() }, { requiredKeys: [] }),
    );
    const lockfile = fc.record(
      {
        lockfileVersion: fc.oneof(fc.constantFrom(0, 1, 2, 3), fc.jsonValue()),
        workspaces: fc.oneof(fc.dictionary(key, workspace), fc.jsonValue()),
        packages: fc.oneof(fc.dictionary(key, entry), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(lockfile, fc.boolean(), (value, commas) => {
        const json = JSON.stringify(value, null, 2);
        expectNoUnexpectedError(parse, commas ? withTrailingCommas(json) : json);
      }),
      { numRuns: 1000 },
    );
  });
});
