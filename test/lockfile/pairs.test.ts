import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { diffLockfiles, type ChangeFlag, type DependencyChange } from "../../src/lockfile/diff.js";
import { diffManifests, type ManifestChange } from "../../src/lockfile/manifest-diff.js";
import { parseManifest, type Manifest } from "../../src/lockfile/manifest.js";
import { LockfileError, type Lockfile, type PackageInstance } from "../../src/lockfile/model.js";
import { parseLockfile } from "../../src/lockfile/parse.js";

/*
 * One test per real lockfile change in ../shared/corpus/lockfile-pairs.
 *
 * pairs.expected.json was worked out without Tollgate's parsers, by throwaway Python scripts that
 * read the raw files: npm with the json module (v2/v3 `packages` by install path, links to
 * workspaces left out; v1 and the npm 5 beta form by walking the nested `dependencies`, bundled
 * entries included); bun.lock as JSON once its trailing commas are removed; yarn berry and pnpm with
 * a YAML reader (pnpm: the last document only; peer-suffixed keys collapsed to name@version);
 * yarn classic line by line. For each side they list the set of `name@version` per package name
 * (`name@version (source)` when not from the registry, e.g. a git dependency), and the differences
 * are the added and removed versions. `changes` applies diffLockfiles' documented rules to those sets
 * (pairing: the copy at the same install path first, then the closest version not below the removed
 * one; the hono pair's pairings were regenerated when that rule replaced an older one, the sets did
 * not change) with the flags worked out from the files: a source of another
 * kind, a different hash of the same algorithm (berry: the same cache key), and dev-only before but
 * not after (npm and pnpm 5/6 `dev` fields; otherwise a walk from the production declarations of
 * package.json and of the other workspaces, whose manifests are not given, following berry's
 * `resolutions` and, for a peer, what the dependent's parent provides). Conventions of the model
 * kept: a folder dependency with no recorded version is 0.0.0, a `file:` tarball is a `file` source.
 * `manifestChanges` compares the root package.json declarations, taking each name's first section
 * in npm's order.
 *
 * Where the engine disagrees with these files, the test fails: the expectation is not adjusted.
 */

const CORPUS = new URL("../../../shared/corpus/lockfile-pairs/", import.meta.url);

interface Expected {
  lockfile: string;
  /** Distinct `name@version` (or `name@version (source)`) in each side. */
  baseVersions: number;
  headVersions: number;
  added: string[];
  removed: string[];
  /** `type name from to [flags]`, in diffLockfiles' order. */
  changes: string[];
  /** `type name section:spec -> section:spec` for the root package.json. */
  manifestChanges: string[];
}

const EXPECTED = JSON.parse(readFileSync(new URL("pairs.expected.json", import.meta.url), "utf8")) as Record<string, Expected>;

type Side = "base" | "head";

function read(pair: string, side: Side, file: string, encoding: BufferEncoding = "utf8"): string {
  return readFileSync(new URL(`${pair}/${side}/${file}`, CORPUS), encoding);
}

function manifest(pair: string, side: Side): Manifest {
  return parseManifest("package.json", read(pair, side, "package.json"));
}

function parseSide(pair: string, side: Side, file: string, root = manifest(pair, side)): Lockfile {
  return parseLockfile(file, read(pair, side, file), { manifests: new Map([["", root]]) });
}

const label = (p: PackageInstance) => (p.source === "registry" ? `${p.name}@${p.version}` : `${p.name}@${p.version} (${p.source})`);

const versions = (lockfile: Lockfile) => new Set(lockfile.packages.map(label));

const minus = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

function flagText(flag: ChangeFlag): string {
  switch (flag.kind) {
    case "source-changed":
      return `source-changed:${flag.from}->${flag.to}`;
    case "non-registry-host":
      return `non-registry-host:${flag.host}`;
    default:
      return flag.kind;
  }
}

const changeText = (c: DependencyChange) =>
  `${c.type} ${c.name} ${c.from ?? "-"} ${c.to ?? "-"}${c.flags.length > 0 ? ` [${c.flags.map(flagText).join(", ")}]` : ""}`;

const manifestChangeText = (c: ManifestChange) =>
  `${c.type} ${c.name} ${c.from ? `${c.from.section}:${c.from.spec}` : "-"} -> ${c.to ? `${c.to.section}:${c.to.spec}` : "-"}`;

/** Parses both sides once, checks everything pairs.expected.json says, and returns them for more. */
function checkPair(pair: string): { base: Lockfile; head: Lockfile; changes: DependencyChange[] } {
  const expected = EXPECTED[pair];
  if (!expected) throw new Error(`no expectation for ${pair}`);
  const baseManifest = manifest(pair, "base");
  const headManifest = manifest(pair, "head");
  const base = parseSide(pair, "base", expected.lockfile, baseManifest);
  const head = parseSide(pair, "head", expected.lockfile, headManifest);
  const before = versions(base);
  const after = versions(head);
  const changes = diffLockfiles(base, head);
  // One soft assertion per fact, so that a failure shows every disagreement at once.
  expect.soft(minus(after, before), "added versions").toEqual(expected.added);
  expect.soft(minus(before, after), "removed versions").toEqual(expected.removed);
  expect.soft(changes.map(changeText), "diffLockfiles").toEqual(expected.changes);
  expect.soft([before.size, after.size], "distinct versions in base and head").toEqual([expected.baseVersions, expected.headVersions]);
  expect.soft(diffManifests(baseManifest, headManifest).map(manifestChangeText), "diffManifests").toEqual(expected.manifestChanges);
  return { base, head, changes };
}

const count = (changes: DependencyChange[]) => ({
  added: changes.filter((c) => c.type === "added").length,
  removed: changes.filter((c) => c.type === "removed").length,
  updated: changes.filter((c) => c.type === "updated").length,
  changed: changes.filter((c) => c.type === "changed").length,
});

describe("real lockfile changes (../shared/corpus/lockfile-pairs)", () => {
  it("covers every pair in the corpus", () => {
    const pairs = [...Object.keys(EXPECTED), "hono-bunlockb-bump-devdeps", "wayfair-npm1-conflict-markers-introduced"].sort();
    expect(pairs).toHaveLength(17);
    for (const pair of pairs) expect(readFileSync(new URL(`${pair}/meta.json`, CORPUS), "utf8")).toContain('"repo"');
  });

  describe("npm", () => {
    it("mocha-npm1-update-devdeps: lockfileVersion 1, a devDependencies refresh", () => {
      const { base, head, changes } = checkPair("mocha-npm1-update-devdeps");
      expect([base.formatVersion, head.formatVersion]).toEqual(["1", "1"]);
      expect(count(changes)).toEqual({ added: 58, removed: 56, updated: 80, changed: 0 });
    });

    it("mocha-npm2-bump-serialize-javascript: a new major beside the old one, which stays for terser-webpack-plugin", () => {
      const { base, head, changes } = checkPair("mocha-npm2-bump-serialize-javascript");
      expect([base.formatVersion, head.formatVersion]).toEqual(["2", "2"]);
      expect(count(changes)).toEqual({ added: 1, removed: 0, updated: 0, changed: 0 });
      expect(head.packages.filter((p) => p.name === "serialize-javascript").map((p) => [p.version, p.dev])).toEqual(
        expect.arrayContaining([
          ["7.0.2", false],
          ["6.0.2", true],
        ]),
      );
    });

    it("mocha-npm3-renovate-playwright: lockfileVersion 3, three versions bumped together", () => {
      const { changes } = checkPair("mocha-npm3-renovate-playwright");
      expect(count(changes)).toEqual({ added: 0, removed: 0, updated: 3, changed: 0 });
    });

    it("npmcli-ancient-npm5beta-no-lockfileVersion: the npm 5 beta form, with a nested version that exists elsewhere", () => {
      const { base, head, changes } = checkPair("npmcli-ancient-npm5beta-no-lockfileVersion");
      expect([base.formatVersion, head.formatVersion]).toEqual(["0", "0"]);
      // node-gyp/node_modules/minimatch went 3.0.3 -> 3.0.4, but both versions stay installed elsewhere.
      expect(count(changes)).toEqual({ added: 0, removed: 0, updated: 1, changed: 0 });
    });

    it("npmcli-npm3-hoist-same-version-moved: hoisting moves versions between paths and changes no version set", () => {
      const { base, head, changes } = checkPair("npmcli-npm3-hoist-same-version-moved");
      const paths = (lockfile: Lockfile) =>
        lockfile.packages.filter((p) => p.name === "npm-normalize-package-bin").map((p) => `${p.key} ${p.version}`).sort();
      // The same two versions before and after, at other paths: 4.0.0 is hoisted, 3.0.1 moves down.
      expect(paths(base)).not.toEqual(paths(head));
      expect(paths(head)).toEqual([
        "node_modules/@npmcli/template-oss/node_modules/npm-normalize-package-bin 3.0.1",
        "node_modules/npm-normalize-package-bin 4.0.0",
      ]);
      expect(changes).toEqual([]);
    });

    it("npmcli-npm3-ws-bump-sigstore3: a workspace bump nests the new majors and keeps the old ones", () => {
      const { base, head, changes } = checkPair("npmcli-npm3-ws-bump-sigstore3");
      expect(base.workspaces).toContain("workspaces/libnpmpublish");
      expect(head.packages.some((p) => p.name === "libnpmpublish")).toBe(false);
      expect(count(changes)).toEqual({ added: 8, removed: 0, updated: 1, changed: 0 });
    });

    it("wayfair-npm1-conflict-markers-introduced: committed conflict markers name the file and the first marker's line", () => {
      const pair = "wayfair-npm1-conflict-markers-introduced";
      const base = parseSide(pair, "base", "package-lock.json");
      expect(base.formatVersion).toBe("1");
      let error: unknown;
      try {
        parseSide(pair, "head", "package-lock.json");
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(LockfileError);
      const lockfileError = error as LockfileError;
      // Worked out with grep: the first `<<<<<<< HEAD` is line 3942 (8 conflict hunks in all).
      expect(lockfileError.file).toBe("package-lock.json");
      expect(lockfileError.line).toBe(3942);
      expect(read(pair, "head", "package-lock.json").split("\n")[3941]).toBe("<<<<<<< HEAD");
      expect(lockfileError.problem).toMatch(/merge-conflict markers/);
      expect(lockfileError.problem).toMatch(/npm install/);
      expect(lockfileError.message).toMatch(/^package-lock\.json:3942: /);
    });
  });

  describe("yarn classic", () => {
    it("webpack-yarn1-dependabot-group3: a dedupe is a removal beside the update", () => {
      const { changes } = checkPair("webpack-yarn1-dependabot-group3");
      // enhanced-resolve 5.24.3 + 5.24.4 -> 5.24.5: 5.24.4 is replaced, 5.24.3 deduped away.
      expect(count(changes)).toEqual({ added: 0, removed: 1, updated: 3, changed: 0 });
    });

    it("webpack-manifest-only-dev-to-prod-move: no version changes; the manifest move shows in diffManifests and in the dev flags", () => {
      const pair = "webpack-manifest-only-dev-to-prod-move";
      expect(read(pair, "base", "yarn.lock")).toBe(read(pair, "head", "yarn.lock"));
      const { changes } = checkPair(pair);
      expect(changes.filter((c) => c.type !== "changed")).toEqual([]);
      // yarn.lock records no dev flags, so the move of @types/eslint-scope (and of @types/eslint,
      // which only it needs) to production is worked out from package.json.
      expect(count(changes)).toEqual({ added: 0, removed: 0, updated: 0, changed: 2 });
      expect(diffManifests(manifest(pair, "base"), manifest(pair, "head"))).toEqual([
        expect.objectContaining({
          name: "@types/eslint-scope",
          type: "changed",
          from: { section: "devDependencies", spec: "^3.7.7" },
          to: { section: "dependencies", spec: "^3.7.7" },
        }),
      ]);
    });
  });

  describe("yarn berry", () => {
    it("jupyterlab-berry-git-dependency-added: a resolution to a git commit is an update from the registry to git", () => {
      const { changes } = checkPair("jupyterlab-berry-git-dependency-added");
      expect(count(changes)).toEqual({ added: 1, removed: 1, updated: 1, changed: 0 });
      const canvas = changes.find((c) => c.name === "canvas")!;
      expect(canvas.head).toMatchObject({ source: "git", version: "3.0.0" });
      expect(canvas.head!.resolved).toContain("2c4d2a7dc61252913825cf9204730381051f0eba");
    });

    it("prettier-berry10-renovate-yuku: lockfile version 10, a parser and its fifteen packages bumped", () => {
      const { base, head, changes } = checkPair("prettier-berry10-renovate-yuku");
      expect([base.formatVersion, head.formatVersion]).toEqual(["10", "10"]);
      expect(count(changes)).toEqual({ added: 0, removed: 0, updated: 15, changed: 0 });
    });

    it("prettier-berry6-to-8-yarn4-upgrade: every checksum rewritten under a new cache key is no change", () => {
      const { base, head, changes } = checkPair("prettier-berry6-to-8-yarn4-upgrade");
      expect([base.formatVersion, head.formatVersion]).toEqual(["6", "8"]);
      // The same package, its checksum rewritten under cache key 10 (was 8): not comparable, not a change.
      const wordWrap = (lockfile: Lockfile) => lockfile.packages.find((p) => p.name === "@aashutoshrathi/word-wrap")!.integrity;
      expect(wordWrap(base)).toMatch(/^berry:8\/ada901b9/);
      expect(wordWrap(head)).toMatch(/^berry:10\/6eebd12a/);
      expect(changes).toEqual([]);
    });
  });

  describe("pnpm", () => {
    it("vue-pnpm54-to-6-upgrade: the 5.4 -> 6.0 key rewrite is no change", () => {
      const { base, head, changes } = checkPair("vue-pnpm54-to-6-upgrade");
      expect([base.formatVersion, head.formatVersion]).toEqual(["5.4", "6.0"]);
      // Every key is rewritten (`/name/1.2.3_peer` -> `/name@1.2.3(peer)`), no version is.
      const keys = (lockfile: Lockfile) => new Set(lockfile.packages.map((p) => p.key));
      const headKeys = keys(head);
      expect([...keys(base)].filter((key) => headKeys.has(key))).toEqual([]);
      expect(changes).toEqual([]);
    });

    it("vue-pnpm9-renovate-nonmajor: updates, new versions beside old ones, and a dedupe", () => {
      const { changes } = checkPair("vue-pnpm9-renovate-nonmajor");
      expect(count(changes)).toEqual({ added: 3, removed: 1, updated: 6, changed: 0 });
    });

    it("astro-pnpm9-env-document-introduced: the environment document is not the project graph", () => {
      const { head, changes } = checkPair("astro-pnpm9-env-document-introduced");
      // pnpm itself (@pnpm/exe, pnpm, @reflink/*) is in the first document only.
      expect(head.packages.some((p) => p.name === "@pnpm/exe" || p.name === "pnpm")).toBe(false);
      expect(count(changes)).toEqual({ added: 0, removed: 2, updated: 0, changed: 0 });
    });
  });

  describe("bun", () => {
    it("hono-bun1-bump-devdeps: bun.lock, a devDependencies bump", () => {
      const { base, head, changes } = checkPair("hono-bun1-bump-devdeps");
      expect([base.formatVersion, head.formatVersion]).toEqual(["1", "1"]);
      expect(count(changes)).toEqual({ added: 68, removed: 29, updated: 112, changed: 0 });
      // The copy at the same install path is the one that was replaced: top-level execa 8.0.1 -> 9.6.1,
      // while run-jxa/execa 5.1.1 is new beside it; likewise miniflare/undici 5.29.0 -> 7.28.0.
      expect(changes.filter((c) => c.name === "execa").map(changeText)).toEqual(["updated execa 8.0.1 9.6.1", "added execa - 5.1.1"]);
      expect(changes.filter((c) => c.name === "undici").map(changeText)).toEqual(["updated undici 5.29.0 7.28.0", "added undici - 6.27.0"]);
    });

    it("hono-bunlockb-bump-devdeps: the binary bun.lockb says how to switch to bun.lock", () => {
      for (const side of ["base", "head"] as const) {
        const text = read("hono-bunlockb-bump-devdeps", side, "bun.lockb", "latin1");
        let error: unknown;
        try {
          parseLockfile("bun.lockb", text, { manifests: new Map([["", manifest("hono-bunlockb-bump-devdeps", side)]]) });
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(LockfileError);
        const lockfileError = error as LockfileError;
        expect(lockfileError.file).toBe("bun.lockb");
        expect(lockfileError.line).toBeUndefined();
        expect(lockfileError.problem).toContain("bun install --save-text-lockfile");
        expect(lockfileError.problem).toContain("bun.lock");
      }
    });
  });
});
