import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ParseContext } from "../../src/lockfile/context.js";
import { parseManifest, type Manifest } from "../../src/lockfile/manifest.js";
import type { SourceKind } from "../../src/lockfile/model.js";
import { parseLockfile } from "../../src/lockfile/parse.js";

/*
 * One project (../shared/corpus/synthetic-workspace) installed by six package managers. Worked out
 * from its package.json files and the six lockfiles by hand:
 *
 * - root syn-root: is-odd 3.0.1, my-ms = npm:ms@2.1.2, left-pad as a registry tarball URL,
 *   local-dir and peer-user as file: folders, dev ms 2.1.3, optional is-even 1.0.0, and (yarn 1,
 *   yarn berry and pnpm only) linked = link:./local/linked;
 * - workspaces packages/a (is-number ^7, @syn/b) and packages/b (is-number ^6);
 * - local-dir 0.1.0 needs is-number ^7; peer-user 0.2.0 peers on ms ^2;
 * - transitively: is-odd 3.0.1 -> is-number ^6; is-even 1.0.0 -> is-odd ^0.1.2 -> is-number ^3
 *   -> kind-of ^3.0.2 (3.2.2) -> is-buffer ^1.1.5 (1.1.6).
 *
 * The workspaces (@syn/a, @syn/b) and the root are not third-party packages.
 */
const CANONICAL: Record<string, SourceKind> = {
  "is-buffer@1.1.6": "registry",
  "is-even@1.0.0": "registry",
  "is-number@3.0.0": "registry",
  "is-number@6.0.0": "registry",
  "is-number@7.0.0": "registry",
  "is-odd@0.1.2": "registry",
  "is-odd@3.0.1": "registry",
  "kind-of@3.2.2": "registry",
  "ms@2.1.2": "registry",
  "ms@2.1.3": "registry",
  "left-pad@1.3.0": "tarball",
  "local-dir@0.1.0": "file",
  "peer-user@0.2.0": "file",
  // No lockfile records the linked folder's own version (0.3.0): yarn 1 writes 0.0.0, berry
  // 0.0.0-use.local, pnpm nothing.
  "linked@0.0.0": "link",
};

interface Format {
  folder: string;
  lockfile: string;
  /** What this format genuinely records differently from the canonical set, and why. */
  exceptions: { remove?: string[]; add?: Record<string, SourceKind> };
}

const FORMATS: Format[] = [
  {
    folder: "npm",
    lockfile: "package-lock.json",
    // npm has no link: protocol, so this project's package.json for npm does not declare `linked`.
    exceptions: { remove: ["linked@0.0.0"] },
  },
  {
    folder: "npmv1",
    lockfile: "package-lock.json",
    exceptions: {
      remove: ["linked@0.0.0", "local-dir@0.1.0", "peer-user@0.2.0"],
      // lockfileVersion 1 writes `"version": "file:local/local-dir"`: the folder's version is not recorded.
      add: { "local-dir@0.0.0": "file", "peer-user@0.0.0": "file" },
    },
  },
  { folder: "yarn1", lockfile: "yarn.lock", exceptions: {} },
  { folder: "berry", lockfile: "yarn.lock", exceptions: {} },
  {
    folder: "pnpm",
    lockfile: "pnpm-lock.yaml",
    exceptions: {
      remove: ["local-dir@0.1.0", "peer-user@0.2.0"],
      // `local-dir@file:local/local-dir: resolution: {directory: …}`: no version recorded.
      add: { "local-dir@0.0.0": "file", "peer-user@0.0.0": "file" },
    },
  },
  {
    folder: "bun",
    lockfile: "bun.lock",
    exceptions: {
      // bun's package.json for this project does not declare `linked`, and
      // ["local-dir@file:local/local-dir", {…}] records no version.
      remove: ["linked@0.0.0", "local-dir@0.1.0", "peer-user@0.2.0"],
      add: { "local-dir@0.0.0": "file", "peer-user@0.0.0": "file" },
    },
  },
];

const root = new URL("../../../shared/corpus/synthetic-workspace/", import.meta.url);

function read(folder: string, file: string): string {
  return readFileSync(new URL(`${folder}/${file}`, root), "utf8");
}

function contextFor(folder: string): ParseContext {
  const manifests = new Map<string, Manifest>();
  for (const workspace of ["", "packages/a", "packages/b"]) {
    const file = workspace === "" ? "package.json" : `${workspace}/package.json`;
    if (existsSync(new URL(`${folder}/${file}`, root))) manifests.set(workspace, parseManifest(file, read(folder, file)));
  }
  return { manifests };
}

function expected(format: Format): Record<string, SourceKind> {
  const set = { ...CANONICAL };
  for (const id of format.exceptions.remove ?? []) delete set[id];
  return { ...set, ...format.exceptions.add };
}

describe("every format gives the same third-party packages for the synthetic workspace", () => {
  for (const format of FORMATS) {
    describe(format.folder, () => {
      const parse = () => parseLockfile(format.lockfile, read(format.folder, format.lockfile), contextFor(format.folder));

      it("lists exactly the canonical name@version set, each with its source kind", () => {
        const found: Record<string, SourceKind[]> = {};
        for (const instance of parse().packages) {
          const kinds = (found[`${instance.name}@${instance.version}`] ??= []);
          if (!kinds.includes(instance.source)) kinds.push(instance.source);
        }
        const want = Object.fromEntries(Object.entries(expected(format)).map(([id, kind]) => [id, [kind]]));
        expect(found).toEqual(want);
      });

      it("reads my-ms as an alias of ms 2.1.2", () => {
        const aliased = parse().packages.filter((instance) => instance.alias !== undefined);
        expect(aliased.map((instance) => [instance.alias, instance.name, instance.version])).toEqual([["my-ms", "ms", "2.1.2"]]);
      });

      it("knows the two workspaces and leaves them out of the packages", () => {
        const lockfile = parse();
        expect([...lockfile.workspaces].sort()).toEqual(["", "packages/a", "packages/b"]);
        expect(lockfile.packages.filter((p) => p.name.startsWith("@syn/") || p.name === "syn-root")).toEqual([]);
      });
    });
  }
});
