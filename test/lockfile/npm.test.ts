import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Lockfile } from "../../src/lockfile/model.js";
import { parseNpmLockfile } from "../../src/lockfile/npm.js";
import {
  byKey,
  corpusContext,
  corpusText,
  expectNoUnexpectedError,
  itRejectsAnyTextWithLockfileErrors,
  lockfileErrorOf,
  manifestContext,
} from "./helpers.js";

// Line numbers in the comments of the expectations below were counted in this text.
const V3 = `{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "app",
      "workspaces": [
        "packages/*"
      ],
      "dependencies": {
        "@scope/pkg": "^1.0.0",
        "my-ms": "npm:ms@2.1.3",
        "local": "file:../local"
      },
      "devDependencies": {
        "left-pad": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz"
      }
    },
    "../local": {
      "name": "local-real",
      "version": "0.4.0",
      "dev": true
    },
    "node_modules/@scope/pkg": {
      "version": "1.2.0",
      "resolved": "https://registry.npmjs.org/@scope/pkg/-/pkg-1.2.0.tgz",
      "integrity": "sha512-AAAA"
    },
    "node_modules/@scope/pkg/node_modules/@other/dep": {
      "version": "2.0.0",
      "resolved": "https://registry.npmjs.org/@other/dep/-/dep-2.0.0.tgz",
      "peer": true
    },
    "node_modules/a": {
      "resolved": "packages/a",
      "link": true
    },
    "node_modules/left-pad": {
      "version": "1.3.0",
      "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
      "dev": true
    },
    "node_modules/local": {
      "resolved": "../local",
      "link": true
    },
    "node_modules/my-ms": {
      "name": "ms",
      "version": "2.1.3",
      "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz",
      "optional": true
    },
    "node_modules/x": {
      "version": "1.0.0",
      "resolved": "https://registry.npmjs.org/x/-/x-1.0.0.tgz",
      "devOptional": true
    },
    "packages/a": {
      "name": "a",
      "version": "0.0.1",
      "dependencies": {
        "x": "^1.0.0",
        "@scope/pkg": "^2.0.0"
      }
    },
    "packages/a/node_modules/@scope/pkg": {
      "version": "2.0.0",
      "resolved": "https://registry.npmjs.org/@scope/pkg/-/pkg-2.0.0.tgz"
    }
  }
}
`;

const V1 = `{
  "name": "app",
  "version": "1.0.0",
  "lockfileVersion": 1,
  "requires": true,
  "dependencies": {
    "@scope/pkg": {
      "version": "1.2.0",
      "resolved": "https://registry.npmjs.org/@scope/pkg/-/pkg-1.2.0.tgz",
      "integrity": "sha512-AAAA",
      "requires": {
        "@other/dep": "^2.0.0"
      },
      "dependencies": {
        "@other/dep": {
          "version": "2.0.0",
          "resolved": "https://registry.npmjs.org/@other/dep/-/dep-2.0.0.tgz",
          "dev": true,
          "dependencies": {
            "deep": {
              "version": "0.1.0",
              "optional": true
            }
          }
        }
      }
    },
    "gitdep": {
      "version": "git+ssh://git@github.com/o/gitdep.git#0123456789abcdef0123456789abcdef01234567",
      "from": "gitdep@github:o/gitdep"
    },
    "left-pad": {
      "version": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
      "integrity": "sha512-BBBB"
    },
    "local": {
      "version": "file:../local"
    },
    "my-ms": {
      "version": "npm:ms@2.1.3",
      "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz"
    },
    "ws-a": {
      "version": "file:packages/a",
      "dependencies": {
        "x": {
          "version": "1.0.0"
        }
      }
    },
    "x": {
      "version": "0.9.0",
      "dev": true
    }
  }
}
`;

const V1_CONTEXT = {
  "": JSON.stringify({
    name: "app",
    workspaces: ["packages/*"],
    dependencies: { "@scope/pkg": "^1.0.0", gitdep: "github:o/gitdep", "my-ms": "npm:ms@2.1.3", local: "file:../local" },
    devDependencies: { "left-pad": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz" },
  }),
  "packages/a": JSON.stringify({ name: "ws-a", dependencies: { x: "^1.0.0" } }),
};

describe("parseNpmLockfile, lockfileVersion 2 and 3", () => {
  const lockfile = parseNpmLockfile("package-lock.json", V3);

  it("reads the format, the workspaces and every installed package but the workspace links", () => {
    expect(lockfile.format).toBe("npm");
    expect(lockfile.formatVersion).toBe("3");
    expect(lockfile.path).toBe("package-lock.json");
    expect(lockfile.workspaces).toEqual(["", "packages/a"]);
    expect(lockfile.warnings).toEqual([]);
    expect(lockfile.packages.map((p) => p.key)).toEqual([
      "node_modules/@scope/pkg",
      "node_modules/@scope/pkg/node_modules/@other/dep",
      "node_modules/left-pad",
      "node_modules/local",
      "node_modules/my-ms",
      "node_modules/x",
      "packages/a/node_modules/@scope/pkg",
    ]);
  });

  it("reads a registry package with its line, resolved URL and integrity", () => {
    expect(byKey(lockfile, "node_modules/@scope/pkg")).toEqual({
      name: "@scope/pkg",
      version: "1.2.0",
      source: "registry",
      resolved: "https://registry.npmjs.org/@scope/pkg/-/pkg-1.2.0.tgz",
      integrity: "sha512-AAAA",
      dev: false,
      optional: false,
      peer: false,
      direct: true,
      workspaces: [""],
      line: 26,
      key: "node_modules/@scope/pkg",
    });
  });

  it("names a nested package after the last node_modules segment, scope included", () => {
    const nested = byKey(lockfile, "node_modules/@scope/pkg/node_modules/@other/dep");
    expect(nested).toMatchObject({ name: "@other/dep", version: "2.0.0", peer: true, direct: false, line: 31 });
    expect(nested.workspaces).toEqual([]);
  });

  it("reads an npm: alias as the real package, installed under the alias", () => {
    expect(byKey(lockfile, "node_modules/my-ms")).toMatchObject({
      name: "ms",
      alias: "my-ms",
      version: "2.1.3",
      source: "registry",
      optional: true,
      line: 49,
    });
    expect(byKey(lockfile, "node_modules/@scope/pkg").alias).toBeUndefined();
  });

  it("maps devOptional to optional and not dev", () => {
    expect(byKey(lockfile, "node_modules/x")).toMatchObject({ dev: false, optional: true, line: 55 });
    expect(byKey(lockfile, "node_modules/left-pad")).toMatchObject({ dev: true, optional: false });
  });

  it("reads a link to a folder that is not a workspace as a file dependency, version and flags from the folder", () => {
    expect(byKey(lockfile, "node_modules/local")).toEqual({
      name: "local-real",
      alias: "local",
      version: "0.4.0",
      source: "file",
      resolved: "../local",
      dev: true,
      optional: false,
      peer: false,
      direct: true,
      workspaces: [""],
      line: 45,
      key: "node_modules/local",
    });
    expect(lockfile.packages.some((p) => p.key === "node_modules/a" || p.key === "packages/a")).toBe(false);
  });

  it("marks a dependency declared by URL as a tarball even when the URL is a registry tarball", () => {
    expect(byKey(lockfile, "node_modules/left-pad")).toMatchObject({ source: "tarball", version: "1.3.0", line: 40 });
  });

  it("resolves each workspace's declarations the way Node does: its own node_modules first", () => {
    expect(byKey(lockfile, "packages/a/node_modules/@scope/pkg")).toMatchObject({
      version: "2.0.0",
      direct: true,
      workspaces: ["packages/a"],
      line: 68,
    });
    // The hoisted 1.2.0 is the root's, not the workspace's.
    expect(byKey(lockfile, "node_modules/@scope/pkg").workspaces).toEqual([""]);
    expect(byKey(lockfile, "node_modules/x").workspaces).toEqual(["packages/a"]);
  });

  it("tells the source kinds apart from resolved", () => {
    const text = JSON.stringify(
      {
        lockfileVersion: 3,
        packages: {
          "": { name: "s" },
          "node_modules/g": { version: "1.0.0", resolved: "git+ssh://git@github.com/o/g.git#abc123" },
          "node_modules/t": { version: "1.0.0", resolved: "https://codeload.github.com/o/t/tar.gz/abc123" },
          "node_modules/f": { version: "1.0.0", resolved: "file:vendor/f-1.0.0.tgz" },
          "node_modules/r": {
            version: "1.0.0",
            resolved: "https://npm.example.com/api/npm/virtual/r/-/r-1.0.0.tgz",
          },
          "node_modules/b": { version: "1.0.0", inBundle: true },
        },
      },
      null,
      2,
    );
    const sources = Object.fromEntries(parseNpmLockfile("package-lock.json", text).packages.map((p) => [p.name, p.source]));
    expect(sources).toEqual({ g: "git", t: "tarball", f: "file", r: "registry", b: "registry" });
  });

  it("reads packages and ignores the v1-style dependencies of a lockfileVersion 2 file", () => {
    const v2 = JSON.stringify(
      {
        lockfileVersion: 2,
        packages: { "": {}, "node_modules/a": { version: "2.0.0" } },
        dependencies: { a: { version: "1.0.0" }, stale: { version: "9.9.9" } },
      },
      null,
      2,
    );
    const parsed = parseNpmLockfile("package-lock.json", v2);
    expect(parsed.formatVersion).toBe("2");
    expect(parsed.packages.map((p) => `${p.name}@${p.version}`)).toEqual(["a@2.0.0"]);
  });

  it("warns about a newer lockfileVersion and reads it as 3", () => {
    const parsed = parseNpmLockfile(
      "package-lock.json",
      JSON.stringify({ lockfileVersion: 4, packages: { "node_modules/a": { version: "1.0.0" } } }),
    );
    expect(parsed.formatVersion).toBe("4");
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toContain("lockfileVersion 4");
    expect(parsed.packages.map((p) => p.name)).toEqual(["a"]);
  });

  it("gives line 1 to every entry of a minified file", () => {
    const minified = parseNpmLockfile("package-lock.json", JSON.stringify(JSON.parse(V3)));
    expect(minified.packages.map((p) => p.line)).toEqual(lockfile.packages.map(() => 1));
    expect(minified.packages.map((p) => ({ ...p, line: 0 }))).toEqual(lockfile.packages.map((p) => ({ ...p, line: 0 })));
  });

  it("reads a file that starts with a byte-order mark", () => {
    expect(parseNpmLockfile("package-lock.json", `\uFEFF${V3}`).packages).toEqual(lockfile.packages);
  });

  it("still finds the lines of a file laid out differently (4 spaces, tabs, CRLF)", () => {
    const layouts = [
      JSON.stringify(JSON.parse(V3), null, 4),
      JSON.stringify(JSON.parse(V3), null, "\t"),
      V3.replace(/\n/g, "\r\n"),
    ];
    for (const text of layouts) {
      const rows = text.split("\n");
      const lineOfKey = (key: string) => rows.findIndex((row) => row.trim().startsWith(`"${key}": {`)) + 1;
      const parsed = parseNpmLockfile("package-lock.json", text);
      expect(parsed.packages.length).toBe(7);
      for (const instance of parsed.packages) expect(instance.line).toBe(lineOfKey(instance.key));
    }
  });
});

describe("parseNpmLockfile, lockfileVersion 1 and earlier", () => {
  it("reads the nested tree with install-path keys, lines and the kind of each version", () => {
    const lockfile = parseNpmLockfile("package-lock.json", V1);
    expect(lockfile.formatVersion).toBe("1");
    expect(lockfile.workspaces).toEqual([""]);
    const rows = lockfile.packages
      .map((p) => [p.key, p.name, p.version, p.source, p.line, p.alias ?? "", p.dev, p.optional] as const)
      .sort((a, b) => a[4] - b[4]);
    expect(rows).toEqual([
      ["node_modules/@scope/pkg", "@scope/pkg", "1.2.0", "registry", 7, "", false, false],
      ["node_modules/@scope/pkg/node_modules/@other/dep", "@other/dep", "2.0.0", "registry", 15, "", true, false],
      ["node_modules/@scope/pkg/node_modules/@other/dep/node_modules/deep", "deep", "0.1.0", "registry", 20, "", false, true],
      ["node_modules/gitdep", "gitdep", "0.0.0", "git", 28, "", false, false],
      ["node_modules/left-pad", "left-pad", "1.3.0", "tarball", 32, "", false, false],
      ["node_modules/local", "local", "0.0.0", "file", 36, "", false, false],
      ["node_modules/my-ms", "ms", "2.1.3", "registry", 39, "my-ms", false, false],
      ["node_modules/ws-a", "ws-a", "0.0.0", "file", 43, "", false, false],
      ["node_modules/ws-a/node_modules/x", "x", "1.0.0", "registry", 46, "", false, false],
      ["node_modules/x", "x", "0.9.0", "registry", 51, "", true, false],
    ]);
    expect(byKey(lockfile, "node_modules/gitdep").resolved).toBe(
      "git+ssh://git@github.com/o/gitdep.git#0123456789abcdef0123456789abcdef01234567",
    );
    expect(byKey(lockfile, "node_modules/@scope/pkg").integrity).toBe("sha512-AAAA");
  });

  it("cannot tell direct packages without package.json, and says so", () => {
    const lockfile = parseNpmLockfile("package-lock.json", V1);
    expect(lockfile.packages.filter((p) => p.direct)).toEqual([]);
    expect(lockfile.warnings).toHaveLength(1);
    expect(lockfile.warnings[0]).toMatch(/direct/);
  });

  it("uses the manifests for direct packages and workspaces", () => {
    const lockfile = parseNpmLockfile("package-lock.json", V1, manifestContext(V1_CONTEXT));
    expect(lockfile.warnings).toEqual([]);
    expect(lockfile.workspaces).toEqual(["", "packages/a"]);
    expect(lockfile.packages.some((p) => p.key === "node_modules/ws-a")).toBe(false);
    const direct = lockfile.packages
      .filter((p) => p.direct)
      .map((p) => [p.key, p.workspaces] as const)
      .sort((a, b) => a[0].localeCompare(b[0]));
    expect(direct).toEqual([
      ["node_modules/@scope/pkg", [""]],
      ["node_modules/gitdep", [""]],
      ["node_modules/left-pad", [""]],
      ["node_modules/local", [""]],
      ["node_modules/my-ms", [""]],
      // The workspace's x is the copy nested under it, not the hoisted 0.9.0.
      ["node_modules/ws-a/node_modules/x", ["packages/a"]],
    ]);
  });

  it("reads the npm 5 beta form that has no lockfileVersion", () => {
    const text = `{
  "name": "old",
  "version": "1.0.0",
  "dependencies": {
    "abbrev": {
      "version": "1.1.0",
      "resolved": "https://registry.npmjs.org/abbrev/-/abbrev-1.1.0.tgz",
      "integrity": "sha1-0FVMIlZjbi9W58LlrRg/hZQo2B8="
    }
  }
}
`;
    const lockfile = parseNpmLockfile("npm-shrinkwrap.json", text);
    expect(lockfile.formatVersion).toBe("0");
    expect(lockfile.packages).toEqual([
      {
        name: "abbrev",
        version: "1.1.0",
        source: "registry",
        resolved: "https://registry.npmjs.org/abbrev/-/abbrev-1.1.0.tgz",
        integrity: "sha1-0FVMIlZjbi9W58LlrRg/hZQo2B8=",
        dev: false,
        optional: false,
        peer: false,
        direct: false,
        workspaces: [],
        line: 5,
        key: "node_modules/abbrev",
      },
    ]);
  });

  it("finds the lines of a v1 tree laid out with 4 spaces", () => {
    const text = JSON.stringify(JSON.parse(V1), null, 4);
    const rows = text.split("\n");
    const lockfile = parseNpmLockfile("package-lock.json", text);
    // "x" appears twice (nested under ws-a, then at the top): the nested one comes first.
    const xLines = rows.flatMap((row, i) => (row.trim() === '"x": {' ? [i + 1] : []));
    expect(xLines).toHaveLength(2);
    expect(byKey(lockfile, "node_modules/ws-a/node_modules/x").line).toBe(xLines[0]);
    expect(byKey(lockfile, "node_modules/x").line).toBe(xLines[1]);
  });
});

describe("parseNpmLockfile, bad input", () => {
  it("reports committed merge-conflict markers at their line", () => {
    const lines = V3.split("\n");
    lines.splice(26, 0, "<<<<<<< HEAD", '    "node_modules/zzz": {},', "=======", ">>>>>>> main");
    const error = lockfileErrorOf(() => parseNpmLockfile("package-lock.json", lines.join("\n")));
    expect(error.file).toBe("package-lock.json");
    expect(error.line).toBe(27);
    expect(error.problem).toBe(
      "committed merge-conflict markers: resolve the conflict and regenerate the lockfile with `npm install`",
    );
    expect(error.message).toBe(`package-lock.json:27: ${error.problem}`);
  });

  it("reports invalid JSON at the line of the mistake", () => {
    const error = lockfileErrorOf(() =>
      parseNpmLockfile("package-lock.json", '{\n  "lockfileVersion": 3\n  "packages": {}\n}\n'),
    );
    expect(error.line).toBe(3);
    expect(error.problem).toContain("not valid JSON");
    expect(error.problem).toContain("npm install");
  });

  it("says a truncated file looks truncated", () => {
    const cut = V3.slice(0, V3.indexOf('"node_modules/my-ms"') + 10);
    const error = lockfileErrorOf(() => parseNpmLockfile("package-lock.json", cut));
    expect(error.problem).toMatch(/truncated/);
    expect(error.line).toBe(49);
  });

  it("rejects an empty file and a file that is not an object", () => {
    expect(lockfileErrorOf(() => parseNpmLockfile("package-lock.json", "")).problem).toMatch(/empty/);
    expect(lockfileErrorOf(() => parseNpmLockfile("package-lock.json", "  \n")).line).toBe(1);
    const array = lockfileErrorOf(() => parseNpmLockfile("package-lock.json", "[1, 2]"));
    expect(array.problem).toMatch(/not a JSON object/);
    expect(array.line).toBe(1);
  });

  it("rejects a lockfileVersion that is not a number", () => {
    const error = lockfileErrorOf(() =>
      parseNpmLockfile("package-lock.json", '{\n  "name": "x",\n  "lockfileVersion": "3",\n  "packages": {}\n}\n'),
    );
    expect(error.line).toBe(3);
    expect(error.problem).toMatch(/lockfileVersion/);
  });

  it("rejects packages that is not an object, at its line", () => {
    const error = lockfileErrorOf(() =>
      parseNpmLockfile("package-lock.json", '{\n  "lockfileVersion": 3,\n  "requires": true,\n  "packages": []\n}\n'),
    );
    expect(error.line).toBe(4);
    expect(error.problem).toBe('"packages" is not an object: regenerate the lockfile with `npm install`');
  });

  it("rejects a lockfileVersion 3 file without packages", () => {
    const error = lockfileErrorOf(() => parseNpmLockfile("package-lock.json", '{ "lockfileVersion": 3 }'));
    expect(error.problem).toMatch(/no "packages"/);
  });

  it("rejects an entry without a version, or that is not an object, at the entry's line", () => {
    const noVersion = V3.replace('"version": "2.0.0",\n      "resolved": "https://registry.npmjs.org/@other', '"resolved": "https://registry.npmjs.org/@other');
    const error = lockfileErrorOf(() => parseNpmLockfile("package-lock.json", noVersion));
    expect(error.line).toBe(31);
    expect(error.problem).toBe(
      'entry "node_modules/@scope/pkg/node_modules/@other/dep" has no version: regenerate the lockfile with `npm install`',
    );
    const notObject = lockfileErrorOf(() =>
      parseNpmLockfile("package-lock.json", '{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": 5\n  }\n}\n'),
    );
    expect(notObject.line).toBe(4);
    expect(notObject.problem).toMatch(/not an object/);
  });

  it("rejects broken v1 entries at their line", () => {
    const noVersion = V1.replace('"version": "0.1.0",\n', "");
    const error = lockfileErrorOf(() => parseNpmLockfile("package-lock.json", noVersion));
    expect(error.line).toBe(20);
    expect(error.problem).toMatch(/"deep" has no version/);
    const badChildren = lockfileErrorOf(() =>
      parseNpmLockfile(
        "package-lock.json",
        '{\n  "lockfileVersion": 1,\n  "dependencies": {\n    "a": {\n      "version": "1.0.0",\n      "dependencies": 7\n    }\n  }\n}\n',
      ),
    );
    expect(badChildren.line).toBe(6);
    const badTree = lockfileErrorOf(() => parseNpmLockfile("package-lock.json", '{\n  "lockfileVersion": 1,\n  "dependencies": "x"\n}'));
    expect(badTree.line).toBe(3);
  });
});

describe("parseNpmLockfile on real lockfiles", () => {
  it("mocha, lockfileVersion 1: counts, nested and scoped entries, lines", () => {
    const text = corpusText("mocha-npm1-update-devdeps/head/package-lock.json");
    const lockfile = parseNpmLockfile("package-lock.json", text);
    expect(lockfile.formatVersion).toBe("1");
    expect(lockfile.packages).toHaveLength(2436);
    expect(byKey(lockfile, "node_modules/@11ty/dependency-tree")).toMatchObject({ version: "1.0.0", line: 7 });
    expect(byKey(lockfile, "node_modules/@11ty/eleventy/node_modules/argparse")).toMatchObject({
      name: "argparse",
      version: "1.0.10",
      line: 53,
    });
    expect(byKey(lockfile, "node_modules/assetgraph/node_modules/esanimate/node_modules/escodegen")).toMatchObject({
      name: "escodegen",
      version: "1.14.3",
      dev: true,
      line: 2813,
    });
    expect(byKey(lockfile, "node_modules/zip-stream")).toMatchObject({ version: "4.1.0", line: 21989 });
    expect(lockfile.packages.every((p) => p.source === "registry")).toBe(true);

    const withManifest = parseNpmLockfile(
      "package-lock.json",
      text,
      corpusContext("mocha-npm1-update-devdeps/head"),
    );
    // package.json declares 107 names, each installed at the top level.
    expect(withManifest.packages.filter((p) => p.direct)).toHaveLength(107);
    expect(withManifest.packages.filter((p) => p.direct).every((p) => p.key.split("node_modules/").length === 2)).toBe(true);
  });

  it("mocha, lockfileVersion 2: serialize-javascript bump, aliases, the file: link", () => {
    const base = parseNpmLockfile("package-lock.json", corpusText("mocha-npm2-bump-serialize-javascript/base/package-lock.json"));
    const head = parseNpmLockfile("package-lock.json", corpusText("mocha-npm2-bump-serialize-javascript/head/package-lock.json"));
    expect(head.formatVersion).toBe("2");
    expect(base.packages).toHaveLength(1488);
    expect(head.packages).toHaveLength(1489);
    const versions = (lockfile: Lockfile) =>
      lockfile.packages.filter((p) => p.name === "serialize-javascript").map((p) => `${p.key}@${p.version}`);
    expect(versions(base)).toEqual(["node_modules/serialize-javascript@6.0.2"]);
    expect(versions(head)).toEqual([
      "node_modules/serialize-javascript@7.0.2",
      "node_modules/terser-webpack-plugin/node_modules/serialize-javascript@6.0.2",
    ]);
    expect(byKey(head, "node_modules/serialize-javascript")).toMatchObject({ line: 15735, direct: true, workspaces: [""] });
    expect(byKey(head, "node_modules/string-width-cjs")).toMatchObject({
      name: "string-width",
      alias: "string-width-cjs",
      version: "4.2.3",
      dev: true,
      line: 16313,
    });
    expect(byKey(head, "node_modules/wrap-ansi-cjs")).toMatchObject({ name: "wrap-ansi", version: "7.0.0", line: 18119 });
    // "@test/esm-only-loader": "./test/compiler-fixtures/esm-only-loader" in devDependencies.
    expect(byKey(head, "node_modules/@test/esm-only-loader")).toMatchObject({
      name: "@test/esm-only-loader",
      version: "0.0.0",
      source: "file",
      resolved: "test/compiler-fixtures/esm-only-loader",
      dev: true,
      direct: true,
      line: 2264,
    });
    expect(byKey(head, "node_modules/bin-wrapper/node_modules/download/node_modules/pify")).toMatchObject({
      name: "pify",
      version: "3.0.0",
      line: 3833,
    });
    // 21 dependencies and 60 devDependencies, all resolved at the top level.
    expect(head.packages.filter((p) => p.direct)).toHaveLength(81);
    expect(head.workspaces).toEqual([""]);
  });

  it("mocha, lockfileVersion 3: a renovate bump keeps keys and lines", () => {
    for (const [side, version] of [
      ["base", "1.61.0"],
      ["head", "1.62.1"],
    ] as const) {
      const lockfile = parseNpmLockfile("package-lock.json", corpusText(`mocha-npm3-renovate-playwright/${side}/package-lock.json`));
      expect(lockfile.packages).toHaveLength(707);
      expect(byKey(lockfile, "node_modules/@playwright/test")).toMatchObject({ version, line: 1675, dev: true, direct: true });
      expect(byKey(lockfile, "node_modules/playwright")).toMatchObject({ version, line: 7461, direct: false });
      expect(byKey(lockfile, "node_modules/playwright-core")).toMatchObject({ version, line: 7480 });
    }
  });

  it("npm/cli workspaces: 17 workspace folders, their links left out, per-workspace direct dependencies", () => {
    const base = parseNpmLockfile("package-lock.json", corpusText("npmcli-npm3-ws-bump-sigstore3/base/package-lock.json"));
    const head = parseNpmLockfile("package-lock.json", corpusText("npmcli-npm3-ws-bump-sigstore3/head/package-lock.json"));
    expect(head.workspaces).toEqual([
      "",
      "docs",
      "mock-globals",
      "mock-registry",
      "smoke-tests",
      "workspaces/arborist",
      "workspaces/config",
      "workspaces/libnpmaccess",
      "workspaces/libnpmdiff",
      "workspaces/libnpmexec",
      "workspaces/libnpmfund",
      "workspaces/libnpmhook",
      "workspaces/libnpmorg",
      "workspaces/libnpmpack",
      "workspaces/libnpmpublish",
      "workspaces/libnpmsearch",
      "workspaces/libnpmteam",
      "workspaces/libnpmversion",
    ]);
    expect(base.packages).toHaveLength(1301);
    expect(head.packages).toHaveLength(1310);
    expect(head.packages.some((p) => p.key === "node_modules/@npmcli/arborist" || p.key === "node_modules/libnpmexec")).toBe(false);
    expect(base.packages.filter((p) => p.direct)).toHaveLength(108);
    expect(head.packages.filter((p) => p.direct)).toHaveLength(108);

    expect(byKey(base, "node_modules/sigstore")).toMatchObject({
      version: "2.3.1",
      line: 13558,
      direct: true,
      workspaces: ["workspaces/libnpmpublish"],
    });
    expect(byKey(head, "node_modules/sigstore")).toMatchObject({ version: "2.3.1", line: 13569, direct: false });
    expect(byKey(head, "workspaces/libnpmpublish/node_modules/sigstore")).toMatchObject({
      version: "3.0.0",
      line: 18180,
      direct: true,
      workspaces: ["workspaces/libnpmpublish"],
    });
    // devOptional and bundled.
    expect(byKey(head, "node_modules/iconv-lite")).toMatchObject({
      version: "0.6.3",
      dev: false,
      optional: true,
      source: "registry",
      line: 8152,
    });
  });

  it("npm/cli hoist: the same version moves to another path", () => {
    const instances = (side: string) =>
      parseNpmLockfile("package-lock.json", corpusText(`npmcli-npm3-hoist-same-version-moved/${side}/package-lock.json`))
        .packages.filter((p) => p.name === "npm-normalize-package-bin")
        .map((p) => [p.key, p.version, p.line, p.dev] as const);
    expect(instances("base")).toEqual([
      ["node_modules/@npmcli/installed-package-contents/node_modules/npm-normalize-package-bin", "4.0.0", 1609, false],
      ["node_modules/bin-links/node_modules/npm-normalize-package-bin", "4.0.0", 3187, false],
      ["node_modules/npm-bundled/node_modules/npm-normalize-package-bin", "4.0.0", 10127, false],
      ["node_modules/npm-normalize-package-bin", "3.0.1", 10150, true],
      ["node_modules/npm-pick-manifest/node_modules/npm-normalize-package-bin", "4.0.0", 10205, false],
      ["node_modules/read-package-json-fast/node_modules/npm-normalize-package-bin", "4.0.0", 11426, false],
    ]);
    expect(instances("head")).toEqual([
      ["node_modules/@npmcli/template-oss/node_modules/npm-normalize-package-bin", "3.0.1", 1944, true],
      ["node_modules/npm-normalize-package-bin", "4.0.0", 10131, false],
    ]);
  });

  it("npm/cli 2017: the npm 5 beta lockfile without lockfileVersion", () => {
    const base = parseNpmLockfile("package-lock.json", corpusText("npmcli-ancient-npm5beta-no-lockfileVersion/base/package-lock.json"));
    const head = parseNpmLockfile(
      "package-lock.json",
      corpusText("npmcli-ancient-npm5beta-no-lockfileVersion/head/package-lock.json"),
      corpusContext("npmcli-ancient-npm5beta-no-lockfileVersion/head"),
    );
    expect(head.formatVersion).toBe("0");
    expect(head.packages).toHaveLength(877);
    expect(head.packages.filter((p) => p.dev)).toHaveLength(535);
    expect(byKey(base, "node_modules/node-gyp")).toMatchObject({ version: "3.6.0", line: 533 });
    expect(byKey(head, "node_modules/node-gyp")).toMatchObject({ version: "3.6.1", line: 533, direct: true });
    expect(byKey(head, "node_modules/node-gyp/node_modules/minimatch")).toMatchObject({ version: "3.0.4", line: 538 });
    const deepest =
      "node_modules/standard/node_modules/eslint/node_modules/file-entry-cache/node_modules/flat-cache/node_modules/del/node_modules/globby/node_modules/glob/node_modules/minimatch/node_modules/brace-expansion/node_modules/balanced-match";
    expect(byKey(head, deepest)).toMatchObject({ name: "balanced-match", version: "0.4.2", dev: true, line: 2365 });
    // All 94 names package.json declares sit at the top level.
    expect(head.packages.filter((p) => p.direct)).toHaveLength(94);
  });

  it("wayfair: committed conflict markers in head, a plain v1 file in base", () => {
    const error = lockfileErrorOf(() =>
      parseNpmLockfile("package-lock.json", corpusText("wayfair-npm1-conflict-markers-introduced/head/package-lock.json")),
    );
    expect(error.line).toBe(3942);
    expect(error.problem).toMatch(/^committed merge-conflict markers/);
    const base = parseNpmLockfile("package-lock.json", corpusText("wayfair-npm1-conflict-markers-introduced/base/package-lock.json"));
    expect(base.packages).toHaveLength(2803);
    expect(byKey(base, "node_modules/@storybook/core/node_modules/cross-spawn/node_modules/semver")).toMatchObject({
      version: "5.7.1",
      dev: true,
      line: 1975,
    });
    expect(byKey(base, "node_modules/@babel/core/node_modules/debug")).toMatchObject({ version: "4.1.1", line: 37 });
  });
});

describe("parseNpmLockfile never throws anything but LockfileError", () => {
  const parse = (text: string) => parseNpmLockfile("package-lock.json", text);

  itRejectsAnyTextWithLockfileErrors(parse);

  it("for arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (value, indent) =>
        expectNoUnexpectedError(parse, JSON.stringify(value, null, indent)),
      ),
      { numRuns: 500 },
    );
  });

  it("for lockfile-shaped JSON with arbitrary entries", () => {
    const entry = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          version: fc.oneof(fc.string(), fc.constantFrom("1.0.0", "npm:x@1.0.0", "npm:@", "file:a", "git+ssh://x", "https://h/x.tgz")),
          resolved: fc.oneof(fc.string(), fc.jsonValue()),
          link: fc.boolean(),
          name: fc.jsonValue(),
          dependencies: fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.string())),
          workspaces: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    );
    const key = fc.oneof(
      fc.string(),
      fc.constantFrom("", "node_modules/", "node_modules/a", "a/node_modules/b", "packages/a", "__proto__", "constructor"),
    );
    const lockfile = fc.record(
      {
        lockfileVersion: fc.oneof(fc.constantFrom(1, 2, 3, 4), fc.jsonValue()),
        packages: fc.oneof(fc.dictionary(key, entry), fc.jsonValue()),
        dependencies: fc.oneof(fc.dictionary(key, entry), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(lockfile, fc.constantFrom(0, 2), (value, indent) => expectNoUnexpectedError(parse, JSON.stringify(value, null, indent))),
      { numRuns: 1000 },
    );
  });
});
