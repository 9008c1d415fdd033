import { describe, expect, it } from "vitest";
import { diffLockfiles } from "../../src/lockfile/diff.js";
import type { Lockfile } from "../../src/lockfile/model.js";
import { parsePnpmLockfile } from "../../src/lockfile/pnpm.js";
import { corpusText, findPackage, itOnlyThrowsLockfileErrors, lockfileErrorOf } from "./helpers.js";

const I1 = "sha512-" + "1".repeat(86) + "==";
const I2 = "sha512-" + "2".repeat(86) + "==";
const I3 = "sha512-" + "3".repeat(86) + "==";
const I4 = "sha512-" + "4".repeat(86) + "==";

// Each inline lockfile marks the line number of the keys the tests look at.

const V5 = [
  "lockfileVersion: 5.4",
  "",
  "importers:",
  "",
  "  .:",
  "    specifiers:",
  "      '@app/shared': workspace:*",
  "      left-pad: https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
  "      my-ms: npm:ms@2.1.2",
  "      react-dom: ^18.0.0",
  "      typescript: ^5.0.0",
  "    dependencies:",
  "      '@app/shared': link:packages/shared",
  "      left-pad: 1.3.0",
  "      my-ms: /ms/2.1.2",
  "      react-dom: 18.2.0_react@18.2.0",
  "    devDependencies:",
  "      typescript: 5.0.2",
  "",
  "  packages/shared:",
  "    specifiers:",
  "      react: ^18.0.0",
  "    dependencies:",
  "      react: 18.2.0",
  "",
  "packages:",
  "",
  "  /left-pad/1.3.0:", // 28
  `    resolution: {integrity: ${I1}}`,
  "    dev: false",
  "",
  "  /ms/2.1.2:", // 32
  `    resolution: {integrity: ${I2}}`,
  "    dev: false",
  "",
  "  /react-dom/18.2.0_react@18.2.0:", // 36
  `    resolution: {integrity: ${I3}}`,
  "    peerDependencies:",
  "      react: ^18.2.0",
  "    dependencies:",
  "      react: 18.2.0",
  "    dev: false",
  "",
  "  /react/18.2.0:", // 44
  `    resolution: {integrity: ${I4}}`,
  "    dev: false",
  "",
  "  /typescript/5.0.2:", // 48
  `    resolution: {integrity: ${I1}}`,
  "    engines: {node: '>=12.20'}",
  "    hasBin: true",
  "    dev: true",
  "",
  "  /fsevents/2.3.2:", // 54
  `    resolution: {integrity: ${I2}}`,
  "    os: [darwin]",
  "    requiresBuild: true",
  "    dev: true",
  "    optional: true",
  "",
  "  github.com/org/gitdep/0123456789abcdef0123456789abcdef01234567:", // 61
  "    resolution: {tarball: https://codeload.github.com/org/gitdep/tar.gz/0123456789abcdef0123456789abcdef01234567}",
  "    name: gitdep",
  "    version: 1.0.0",
  "    dev: true",
  "",
].join("\n");

describe("pnpm lockfileVersion 5.x", () => {
  const lockfile = parsePnpmLockfile("pnpm-lock.yaml", V5);

  it("reads every package with its key's line", () => {
    expect(lockfile.format).toBe("pnpm");
    expect(lockfile.formatVersion).toBe("5.4");
    expect(lockfile.warnings).toEqual([]);
    expect(lockfile.packages.map((p) => [p.name, p.version, p.line])).toEqual([
      ["left-pad", "1.3.0", 28],
      ["ms", "2.1.2", 32],
      ["react-dom", "18.2.0", 36],
      ["react", "18.2.0", 44],
      ["typescript", "5.0.2", 48],
      ["fsevents", "2.3.2", 54],
      ["gitdep", "1.0.0", 61],
    ]);
    expect(lockfile.workspaces).toEqual(["", "packages/shared"]);
  });

  it("reads a peer-suffixed key as its plain version", () => {
    expect(findPackage(lockfile, "react-dom")).toEqual({
      name: "react-dom",
      version: "18.2.0",
      source: "registry",
      integrity: I3,
      dev: false,
      optional: false,
      peer: false,
      direct: true,
      workspaces: [""],
      line: 36,
      key: "/react-dom/18.2.0_react@18.2.0",
    });
  });

  it("takes dev and optional from the package flags, direct from the importers", () => {
    expect(lockfile.packages.map((p) => [p.name, p.dev, p.optional, p.direct])).toEqual([
      ["left-pad", false, false, true],
      ["ms", false, false, true],
      ["react-dom", false, false, true],
      ["react", false, false, true],
      ["typescript", true, false, true],
      ["fsevents", true, true, false],
      ["gitdep", true, false, false],
    ]);
    expect(findPackage(lockfile, "react").workspaces).toEqual(["packages/shared"]);
  });

  it("reads the alias, the URL dependency and the git tarball", () => {
    expect(findPackage(lockfile, "ms")).toMatchObject({ alias: "my-ms", source: "registry" });
    // Declared by URL: pinned to that tarball even though pnpm recorded it like a registry version.
    expect(findPackage(lockfile, "left-pad")).toMatchObject({ source: "tarball", resolved: "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz" });
    expect(findPackage(lockfile, "gitdep")).toMatchObject({
      source: "git",
      resolved: "https://codeload.github.com/org/gitdep/tar.gz/0123456789abcdef0123456789abcdef01234567",
    });
  });

  it("reads a single-project file without importers", () => {
    const single = parsePnpmLockfile(
      "pnpm-lock.yaml",
      [
        "lockfileVersion: 5.3",
        "",
        "specifiers:",
        "  ms: ^2.1.0",
        "  typescript: ^5.0.0",
        "",
        "dependencies:",
        "  ms: 2.1.3",
        "",
        "devDependencies:",
        "  typescript: 5.0.2",
        "  vendored: link:vendor/vendored", // 12
        "",
        "packages:",
        "",
        "  /ms/2.1.3:", // 16
        `    resolution: {integrity: ${I1}}`,
        "    dev: false",
        "",
        "  /typescript/5.0.2:", // 20
        `    resolution: {integrity: ${I2}}`,
        "    dev: true",
        "",
      ].join("\n"),
    );
    expect(single.workspaces).toEqual([""]);
    expect(single.packages.map((p) => [p.name, p.version, p.line, p.direct, p.dev, p.workspaces, p.source])).toEqual([
      ["ms", "2.1.3", 16, true, false, [""], "registry"],
      ["typescript", "5.0.2", 20, true, true, [""], "registry"],
      ["vendored", "0.0.0", 12, true, true, [""], "link"],
    ]);
  });

  it("makes peer-suffixed variants of one version one instance, dev only when every variant is", () => {
    const variants = parsePnpmLockfile(
      "pnpm-lock.yaml",
      [
        "lockfileVersion: 5.4",
        "",
        "packages:",
        "",
        "  /vite/4.3.1:", // 5
        `    resolution: {integrity: ${I1}}`,
        "    dev: true",
        "",
        "  /vite/4.3.1_ghge5pqdvzsmxto52quo4r2say:", // 9
        `    resolution: {integrity: ${I1}}`,
        "    dev: false",
        "",
        "  /vite/4.3.2:", // 13
        `    resolution: {integrity: ${I2}}`,
        "    dev: true",
        "",
      ].join("\n"),
    );
    expect(variants.packages.map((p) => [p.version, p.line, p.dev, p.key])).toEqual([
      ["4.3.1", 5, false, "/vite/4.3.1"],
      ["4.3.2", 13, true, "/vite/4.3.2"],
    ]);
  });
});

describe("pnpm lockfileVersion 6.x", () => {
  const lockfile = parsePnpmLockfile(
    "pnpm-lock.yaml",
    [
      "lockfileVersion: '6.0'",
      "",
      "settings:",
      "  autoInstallPeers: true",
      "",
      "importers:",
      "",
      "  .:",
      "    dependencies:",
      "      '@scope/pkg':",
      "        specifier: ^2.0.0",
      "        version: 2.0.0(react@18.2.0)",
      "      my-ms:",
      "        specifier: npm:ms@2.1.2",
      "        version: /ms@2.1.2",
      "    devDependencies:",
      "      vite:",
      "        specifier: ^4.3.0",
      "        version: 4.3.1(@types/node@16.18.11)",
      "",
      "packages:",
      "",
      "  /@scope/pkg@2.0.0(react@18.2.0):", // 23
      `    resolution: {integrity: ${I1}}`,
      "    peerDependencies:",
      "      react: ^18",
      "    dependencies:",
      "      react: 18.2.0",
      "    dev: false",
      "",
      "  /ms@2.1.2:", // 31
      `    resolution: {integrity: ${I2}}`,
      "    dev: false",
      "",
      "  /react@18.2.0:", // 35
      `    resolution: {integrity: ${I3}}`,
      "    dev: false",
      "",
      "  /vite@4.3.1(@types/node@16.18.11):", // 39
      `    resolution: {integrity: ${I4}}`,
      "    dev: true",
      "",
      "  /vite@4.3.1:", // 43
      `    resolution: {integrity: ${I4}}`,
      "    dev: true",
      "",
      "  registry.example.com/tarred/-/tarred-1.0.0.tgz:", // 47
      "    resolution: {tarball: https://registry.example.com/tarred/-/tarred-1.0.0.tgz}",
      "    name: tarred",
      "    version: 1.0.0",
      "    dev: false",
      "",
      "  /private@3.0.0:", // 53
      `    resolution: {integrity: ${I1}, tarball: https://npm.example.com/download/private/3.0.0}`,
      "    dev: false",
      "",
    ].join("\n"),
  );

  it("reads the keys with peers in parentheses as one instance per version", () => {
    expect(lockfile.formatVersion).toBe("6.0");
    expect(lockfile.packages.map((p) => [p.name, p.version, p.line, p.source])).toEqual([
      ["@scope/pkg", "2.0.0", 23, "registry"],
      ["ms", "2.1.2", 31, "registry"],
      ["react", "18.2.0", 35, "registry"],
      ["vite", "4.3.1", 39, "registry"],
      ["tarred", "1.0.0", 47, "tarball"],
      // A registry version whose tarball lives elsewhere: still the registry, the diff flags the host.
      ["private", "3.0.0", 53, "registry"],
    ]);
    expect(findPackage(lockfile, "private").resolved).toBe("https://npm.example.com/download/private/3.0.0");
  });

  it("reads the importers' { specifier, version } entries", () => {
    expect(lockfile.packages.filter((p) => p.direct).map((p) => [p.name, p.dev, p.alias])).toEqual([
      ["@scope/pkg", false, undefined],
      ["ms", false, "my-ms"],
      ["vite", true, undefined],
    ]);
  });
});

const V9 = [
  "---", // the environment document pnpm 10+ writes first
  "lockfileVersion: '9.0'",
  "",
  "importers:",
  "",
  "  .:",
  "    packageManagerDependencies:",
  "      pnpm:",
  "        specifier: 10.0.0",
  "        version: 10.0.0",
  "",
  "packages:",
  "",
  "  pnpm@10.0.0:",
  `    resolution: {integrity: ${I4}}`,
  "",
  "snapshots:",
  "",
  "  pnpm@10.0.0: {}",
  "",
  "---", // 21
  "lockfileVersion: '9.0'",
  "",
  "settings:",
  "  autoInstallPeers: true",
  "  excludeLinksFromLockfile: false",
  "",
  "importers:",
  "",
  "  .:",
  "    dependencies:",
  "      plugin:",
  "        specifier: ^1.0.0",
  "        version: 1.0.0(host@2.0.0)",
  "      linked:",
  "        specifier: link:../outside/linked",
  "        version: link:../outside/linked",
  "      local:",
  "        specifier: file:./local",
  "        version: file:local",
  "    devDependencies:",
  "      host:",
  "        specifier: ^2.0.0",
  "        version: 2.0.0",
  "      tool:",
  "        specifier: ^3.0.0",
  "        version: 3.0.0",
  "    optionalDependencies:",
  "      native:",
  "        specifier: ^1.0.0",
  "        version: 1.0.0",
  "",
  "  packages/web:",
  "    dependencies:",
  "      '@app/root':",
  "        specifier: workspace:*",
  "        version: link:../..",
  "      my-ms:",
  "        specifier: npm:ms@2.1.2",
  "        version: ms@2.1.2",
  "      gitdep:",
  "        specifier: github:org/gitdep",
  "        version: https://codeload.github.com/org/gitdep/tar.gz/0123456789abcdef0123456789abcdef01234567",
  "      repo:",
  "        specifier: git+https://example.com/org/repo.git",
  "        version: git+https://example.com/org/repo.git#89abcdef0123456789abcdef0123456789abcdef",
  "",
  "packages:",
  "",
  "  gitdep@https://codeload.github.com/org/gitdep/tar.gz/0123456789abcdef0123456789abcdef01234567:", // 70
  "    resolution: {tarball: https://codeload.github.com/org/gitdep/tar.gz/0123456789abcdef0123456789abcdef01234567}",
  "    version: 1.2.0",
  "",
  "  host@2.0.0:", // 74
  `    resolution: {integrity: ${I1}}`,
  "",
  "  local@file:local:", // 77
  "    resolution: {directory: local, type: directory}",
  "",
  "  ms@2.1.2:", // 80
  `    resolution: {integrity: ${I2}}`,
  "",
  "  native@1.0.0:", // 83
  `    resolution: {integrity: ${I3}}`,
  "    os: [darwin]",
  "",
  "  plugin@1.0.0:", // 87
  `    resolution: {integrity: ${I4}}`,
  "    peerDependencies:",
  "      host: ^2.0.0",
  "",
  "  repo@git+https://example.com/org/repo.git#89abcdef0123456789abcdef0123456789abcdef:", // 92
  "    resolution: {commit: 89abcdef0123456789abcdef0123456789abcdef, repo: https://example.com/org/repo.git, type: git}",
  "    version: 0.5.0",
  "",
  "  tool@3.0.0:", // 96
  `    resolution: {integrity: ${I1}}`,
  "",
  "  toolonly@1.0.0:", // 99
  `    resolution: {integrity: ${I2}}`,
  "",
  "snapshots:",
  "",
  "  gitdep@https://codeload.github.com/org/gitdep/tar.gz/0123456789abcdef0123456789abcdef01234567: {}",
  "",
  "  host@2.0.0: {}",
  "",
  "  local@file:local:",
  "    dependencies:",
  "      host: 2.0.0",
  "",
  "  ms@2.1.2: {}",
  "",
  "  native@1.0.0:",
  "    optional: true",
  "",
  "  plugin@1.0.0(host@2.0.0):",
  "    dependencies:",
  "      host: 2.0.0",
  "",
  "  repo@git+https://example.com/org/repo.git#89abcdef0123456789abcdef0123456789abcdef: {}",
  "",
  "  tool@3.0.0:",
  "    dependencies:",
  "      toolonly: 1.0.0",
  "",
  "  toolonly@1.0.0: {}",
  "",
].join("\n");

describe("pnpm lockfileVersion 9.x", () => {
  const lockfile = parsePnpmLockfile("pnpm-lock.yaml", V9);

  it("reads only the last document, with lines counted in the whole file", () => {
    expect(lockfile.formatVersion).toBe("9.0");
    expect(lockfile.packages.some((p) => p.name === "pnpm")).toBe(false);
    expect(lockfile.packages.map((p) => [p.name, p.version, p.line])).toEqual([
      ["gitdep", "1.2.0", 70],
      ["host", "2.0.0", 74],
      // A directory dependency: pnpm records no version for it.
      ["local", "0.0.0", 77],
      ["ms", "2.1.2", 80],
      ["native", "1.0.0", 83],
      ["plugin", "1.0.0", 87],
      ["repo", "0.5.0", 92],
      ["tool", "3.0.0", 96],
      ["toolonly", "1.0.0", 99],
      // A link: to a folder outside the workspace, at the line of its declaration.
      ["linked", "0.0.0", 35],
    ]);
    expect(lockfile.workspaces).toEqual(["", "packages/web"]);
  });

  it("reads the sources", () => {
    expect(lockfile.packages.map((p) => [p.name, p.source, p.resolved])).toEqual([
      ["gitdep", "git", "https://codeload.github.com/org/gitdep/tar.gz/0123456789abcdef0123456789abcdef01234567"],
      ["host", "registry", undefined],
      ["local", "file", "local"],
      ["ms", "registry", undefined],
      ["native", "registry", undefined],
      ["plugin", "registry", undefined],
      ["repo", "git", "https://example.com/org/repo.git#89abcdef0123456789abcdef0123456789abcdef"],
      ["tool", "registry", undefined],
      ["toolonly", "registry", undefined],
      ["linked", "link", "../outside/linked"],
    ]);
    expect(findPackage(lockfile, "ms").alias).toBe("my-ms");
  });

  it("works out dev and optional by walking the snapshots from the importers", () => {
    expect(lockfile.packages.map((p) => [p.name, p.dev, p.optional, p.direct])).toEqual([
      ["gitdep", false, false, true],
      // A dev dependency that a production package's peer resolves to is production.
      ["host", false, false, true],
      ["local", false, false, true],
      ["ms", false, false, true],
      ["native", false, true, true],
      ["plugin", false, false, true],
      ["repo", false, false, true],
      ["tool", true, false, true],
      ["toolonly", true, false, false],
      ["linked", false, false, true],
    ]);
    expect(findPackage(lockfile, "ms").workspaces).toEqual(["packages/web"]);
  });

  it("does not report the key rewrite between 5.x and 9.x as a change", () => {
    // Same packages as V5 but in 9.x: the rewrite of the keys alone is not a change.
    const v9 = parsePnpmLockfile(
      "pnpm-lock.yaml",
      [
        "lockfileVersion: '9.0'",
        "",
        "importers:",
        "",
        "  .:",
        "    dependencies:",
        "      react-dom:",
        "        specifier: ^18.0.0",
        "        version: 18.2.0(react@18.2.0)",
        "",
        "packages:",
        "",
        "  react-dom@18.2.0:",
        `    resolution: {integrity: ${I3}}`,
        "",
        "  react@18.2.0:",
        `    resolution: {integrity: ${I4}}`,
        "",
        "snapshots:",
        "",
        "  react-dom@18.2.0(react@18.2.0):",
        "    dependencies:",
        "      react: 18.2.0",
        "",
        "  react@18.2.0: {}",
        "",
      ].join("\n"),
    );
    const v5 = parsePnpmLockfile("pnpm-lock.yaml", V5);
    const changes = diffLockfiles(v5, v9).map((change) => [change.name, change.type]);
    expect(changes).toEqual([
      ["fsevents", "removed"],
      ["gitdep", "removed"],
      ["left-pad", "removed"],
      ["ms", "removed"],
      ["typescript", "removed"],
    ]);
  });
});

describe("pnpm: broken files", () => {
  it("names the line of committed conflict markers and says what to do", () => {
    const text = V5.replace("  /ms/2.1.2:\n", "<<<<<<< HEAD\n  /ms/2.1.2:\n=======\n  /ms/2.1.3:\n>>>>>>> main\n");
    const error = lockfileErrorOf(() => parsePnpmLockfile("pnpm-lock.yaml", text));
    expect(error.line).toBe(32);
    expect(error.problem).toBe("committed merge-conflict markers: resolve the conflict and regenerate the lockfile with `pnpm install`");
  });

  it.each([
    ["invalid YAML", "lockfileVersion: '9.0'\n\npackages:\n\n  a@1.0.0:\n    resolution: a: b\n", 6, /not valid YAML/],
    ["an integrity cut short", V5.replace(`${I2}}`, `${I2.slice(0, 40)}}`), 32, /integrity .* is malformed/],
    ["a file cut in the middle of a flow mapping", V5.slice(0, V5.indexOf("}", V5.indexOf("  /ms/2.1.2:"))), 33, /truncated|not valid YAML/],
    ["a package without a resolution", "lockfileVersion: '9.0'\n\npackages:\n\n  a@1.0.0:\n    engines: {node: '>=18'}\n", 5, /has no resolution/],
    ["a resolution with nothing in it", "lockfileVersion: '9.0'\n\npackages:\n\n  a@1.0.0:\n    resolution: {}\n", 5, /neither integrity, tarball nor git/],
    ["a missing lockfileVersion", "importers: {}\n", 1, /lockfileVersion is missing/],
    ["a packages section that is a list", "lockfileVersion: '9.0'\npackages:\n  - a\n", 2, /"packages" is not a mapping/],
    ["a document that is a plain string", "just some text\n", 1, /not a YAML mapping/],
    ["a snapshot without its package", "lockfileVersion: '9.0'\n\npackages: {}\n\nsnapshots:\n\n  a@1.0.0: {}\n", 7, /has no entry in packages/],
    ["a duplicate package key", V5.replace("  /react/18.2.0:", "  /ms/2.1.2:"), 44, /appears twice/],
    [
      "an importer dependency with no package",
      "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n",
      7,
      /depends on a 1\.0\.0, which has no entry/,
    ],
  ])("rejects %s with its line", (_what, text, line, problem) => {
    const error = lockfileErrorOf(() => parsePnpmLockfile("pnpm-lock.yaml", text));
    expect(error.file).toBe("pnpm-lock.yaml");
    expect(error.line).toBe(line);
    expect(error.problem).toMatch(problem);
  });

  it("rejects an empty file", () => {
    expect(lockfileErrorOf(() => parsePnpmLockfile("pnpm-lock.yaml", "\n# nothing\n")).problem).toMatch(/is empty/);
  });

  it("reads an unknown lockfile version with a warning", () => {
    const lockfile = parsePnpmLockfile("pnpm-lock.yaml", V9.replaceAll("lockfileVersion: '9.0'", "lockfileVersion: '10.0'"));
    expect(lockfile.packages).toHaveLength(10);
    expect(lockfile.warnings).toEqual(["lockfileVersion 10.0 is not one Tollgate knows (5.x, 6.x, 9.x); it was read as 9.0"]);
  });

  itOnlyThrowsLockfileErrors((text) => parsePnpmLockfile("pnpm-lock.yaml", text), [
    "---",
    "lockfileVersion: '9.0'",
    "lockfileVersion: 5.4",
    "importers:",
    "  .:",
    "    dependencies:",
    "      a:",
    "        specifier: ^1.0.0",
    "        version: 1.0.0",
    "        version: link:../x",
    "      a: 1.0.0",
    "packages:",
    "snapshots:",
    "  a@1.0.0:",
    "  /a/1.0.0_b@2.0.0:",
    "  /a@1.0.0(b@2.0.0):",
    "  a@1.0.0: {}",
    `    resolution: {integrity: ${I1}}`,
    "    resolution: {tarball: https://codeload.github.com/a/b/tar.gz/c}",
    "    resolution: {type: git, repo: x, commit: y}",
    "    dependencies:",
    "      b: 2.0.0",
    "    dev: true",
    "  - item",
    "  {a: [",
    "&anchor *alias",
    "",
  ]);
});

// ---------------------------------------------------------------------------------------------
// Real lockfiles. Expected values were read from the files with grep and a throwaway Python script
// (PyYAML, its own key parsing and walk of the snapshots), not from this parser.

function corpusLockfile(pair: string, side: "base" | "head"): Lockfile {
  return parsePnpmLockfile("pnpm-lock.yaml", corpusText(`${pair}/${side}/pnpm-lock.yaml`));
}

describe("pnpm corpus: vue-pnpm54-to-6-upgrade", () => {
  const base = corpusLockfile("vue-pnpm54-to-6-upgrade", "base");
  const head = corpusLockfile("vue-pnpm54-to-6-upgrade", "head");

  it("reads the 5.4 and 6.0 files as the same 755 package versions", () => {
    expect([base.formatVersion, head.formatVersion]).toEqual(["5.4", "6.0"]);
    // 756 keys in 5.4: vite 4.3.1 appears with and without a peer suffix.
    expect(base.packages).toHaveLength(755);
    expect(head.packages).toHaveLength(755);
    expect(base.workspaces).toHaveLength(18);
    const ids = (lockfile: Lockfile) => lockfile.packages.map((p) => `${p.name}@${p.version}`).sort();
    expect(ids(head)).toEqual(ids(base));
    expect(diffLockfiles(base, head)).toEqual([]);
  });

  it("reads specific entries at their lines", () => {
    expect(findPackage(base, "@babel/helper-compilation-targets")).toMatchObject({
      version: "7.20.7",
      line: 357,
      key: "/@babel/helper-compilation-targets/7.20.7_@babel+core@7.21.3",
      integrity: "sha512-4tGORmfQcrc+bvrjb5y3dG9Mx1IOZjsHqQVUz7XCNHO+iTmqxWnVg3KRygjGmpRLJGdQSKuvFinbIb0CnZwHAQ==",
      dev: true,
    });
    expect(findPackage(head, "@babel/helper-compilation-targets")).toMatchObject({
      line: 456,
      key: "/@babel/helper-compilation-targets@7.20.7(@babel/core@7.21.3)",
    });
    expect(findPackage(base, "@typescript-eslint/parser")).toMatchObject({ version: "5.56.0", line: 1005, direct: true, workspaces: [""] });
    expect(findPackage(base, "vite")).toMatchObject({ version: "4.3.1", line: 5418 });
    expect(findPackage(head, "fsevents")).toMatchObject({ version: "2.3.2", line: 2729, dev: true, optional: true });
  });

  it("keeps pnpm's dev and optional flags", () => {
    expect(base.packages.filter((p) => p.dev)).toHaveLength(726);
    expect(head.packages.filter((p) => p.dev)).toHaveLength(726);
    expect(head.packages.filter((p) => p.optional)).toHaveLength(25);
  });
});

describe("pnpm corpus: vue-pnpm9-renovate-nonmajor", () => {
  const base = corpusLockfile("vue-pnpm9-renovate-nonmajor", "base");
  const head = corpusLockfile("vue-pnpm9-renovate-nonmajor", "head");

  it("has one package per packages key", () => {
    expect(base.packages).toHaveLength(618);
    expect(head.packages).toHaveLength(620);
    expect(head.workspaces).toHaveLength(18);
  });

  it("works out dev and optional from the importers", () => {
    expect(base.packages.filter((p) => p.dev)).toHaveLength(585);
    expect(head.packages.filter((p) => p.dev)).toHaveLength(587);
    expect(head.packages.filter((p) => p.optional)).toHaveLength(144);
    expect(findPackage(head, "playwright")).toMatchObject({
      version: "1.62.1",
      line: 2691,
      integrity: "sha512-0M+L3LAD8/nm554LOla9Ayx0j0tmFZ0FBcoQ7F1VuVHpM/XpiC8RcDzBQB8W5+hA8L22THxELzeF+2WcUzvcLg==",
      dev: true,
    });
    expect(findPackage(head, "sass")).toMatchObject({ version: "1.102.0", line: 2898 });
  });

  it("diffs to the renovate updates", () => {
    const changes = diffLockfiles(base, head).map((change) => `${change.name} ${change.from ?? "-"} -> ${change.to ?? "-"}`);
    expect(changes).toContain("playwright 1.61.1 -> 1.62.1");
    expect(changes).toContain("sass 1.101.0 -> 1.102.0");
  });
});

describe("pnpm corpus: astro-pnpm9-env-document-introduced", () => {
  const base = corpusLockfile("astro-pnpm9-env-document-introduced", "base");
  const head = corpusLockfile("astro-pnpm9-env-document-introduced", "head");

  it("reads the project graph from the last of two documents", () => {
    expect(base.packages).toHaveLength(2133);
    expect(head.packages).toHaveLength(2131);
    // In the environment document only.
    expect(head.packages.some((p) => p.name === "@pnpm/exe")).toBe(false);
    expect(head.workspaces).toHaveLength(516);
    expect(findPackage(head, "playwright")).toMatchObject({ version: "1.58.2", line: 14018 });
    expect(findPackage(head, "sass")).toMatchObject({ version: "1.98.0", line: 14660 });
  });

  it("reads aliases and local tarballs", () => {
    expect(findPackage(head, "types-react")).toMatchObject({ version: "19.0.0-alpha.3", line: 15266, alias: "@types/react" });
    expect(findPackage(head, "fake-data-pkg")).toMatchObject({
      version: "1.0.0",
      line: 11989,
      source: "file",
      resolved: "packages/integrations/cloudflare/test/fixtures/user-optimize-deps/packages/fake-data-pkg/fake-data-pkg-1.0.0.tgz",
      integrity: "sha512-AEKyXNW8ceoMAeFfZG7W2S9jYltKlr+tjfutFU8D4it+ZSOukOej/7Qrj+ANEJRVp8iOEiDe7Bk+Ca5xb76BiQ==",
    });
  });

  it("works out dev and optional from the importers", () => {
    expect(base.packages.filter((p) => p.dev)).toHaveLength(752);
    expect(head.packages.filter((p) => p.dev)).toHaveLength(750);
    expect(head.packages.filter((p) => p.optional)).toHaveLength(340);
  });
});
