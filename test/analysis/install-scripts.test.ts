import { describe, expect, it } from "vitest";
import { installScripts } from "../../src/analysis/install-scripts.js";

const FILES = new Set([
  "package.json",
  "index.js",
  "lib/main.js",
  "install.js",
  "scripts/postinstall.js",
  "scripts/setup.sh",
  "scripts/helper/index.js",
  "scripts/post install.js",
  "tools/build.mjs",
  "tools/check.cjs",
  "bin/cli.js",
  "native/binding.gyp",
  "binding.gyp",
  "setup.py",
  "install.ps1",
  "hooks/register.js",
]);

/** The files run by a postinstall script. */
const run = (command: string, manifest: Record<string, unknown> = {}, files: ReadonlySet<string> = FILES) =>
  installScripts({ ...manifest, scripts: { ...(manifest.scripts as object), postinstall: command } }, files).find((script) => script.event === "postinstall")!.files;

describe("installScripts: which scripts", () => {
  it("lists preinstall, install and postinstall in the order npm runs them, and nothing else", () => {
    const manifest = { scripts: { postinstall: "node install.js", prepare: "tsc", preinstall: "echo hi", test: "vitest", install: "node-gyp rebuild" } };
    expect(installScripts(manifest, FILES)).toEqual([
      { event: "preinstall", command: "echo hi", implicit: false, files: [] },
      { event: "install", command: "node-gyp rebuild", implicit: false, files: ["binding.gyp"] },
      { event: "postinstall", command: "node install.js", implicit: false, files: ["install.js"] },
    ]);
  });

  it("adds the implicit node-gyp rebuild for a binding.gyp without an install or preinstall script", () => {
    expect(installScripts({ name: "native", scripts: { postinstall: "node install.js" } }, FILES)).toEqual([
      { event: "install", command: "node-gyp rebuild", implicit: true, files: ["binding.gyp"] },
      { event: "postinstall", command: "node install.js", implicit: false, files: ["install.js"] },
    ]);
    expect(installScripts({}, new Set(["binding.gyp"]))).toEqual([{ event: "install", command: "node-gyp rebuild", implicit: true, files: ["binding.gyp"] }]);
    // An empty string is no script to npm either.
    expect(installScripts({ scripts: { install: "" } }, new Set(["binding.gyp"]))).toHaveLength(1);
  });

  it("does not add it with an install or preinstall script, with gypfile false, or without a binding.gyp at the root", () => {
    expect(installScripts({ scripts: { install: "prebuild-install || node-gyp rebuild" } }, FILES).map((s) => s.implicit)).toEqual([false]);
    expect(installScripts({ scripts: { preinstall: "node install.js" } }, FILES).map((s) => s.event)).toEqual(["preinstall"]);
    expect(installScripts({ gypfile: false }, FILES)).toEqual([]);
    expect(installScripts({}, new Set(["native/binding.gyp"]))).toEqual([]);
  });

  it("is defensive about the manifest's shape", () => {
    for (const manifest of [undefined, null, "x", 42, [], { scripts: "node install.js" }, { scripts: ["node install.js"] }, { scripts: null }]) {
      expect(installScripts(manifest, new Set(["install.js"]))).toEqual([]);
    }
    expect(installScripts({ scripts: { postinstall: 42, install: { cmd: "x" }, preinstall: "   " } }, new Set())).toEqual([]);
  });
});

describe("installScripts: the files a command runs", () => {
  it("resolves node scripts as node does: extensions, folders, the package's main", () => {
    expect(run("node install.js")).toEqual(["install.js"]);
    expect(run("node ./install.js")).toEqual(["install.js"]);
    expect(run("node install")).toEqual(["install.js"]);
    expect(run("node scripts/helper")).toEqual(["scripts/helper/index.js"]);
    expect(run("node tools/build")).toEqual(["tools/build.mjs"]);
    expect(run("nodejs tools/check")).toEqual(["tools/check.cjs"]);
    expect(run("node .")).toEqual(["index.js"]);
    expect(run("node .", { main: "lib/main" })).toEqual(["lib/main.js"]);
    expect(run("node ./", { main: "./lib/main.js" })).toEqual(["lib/main.js"]);
  });

  it("skips node's options, and follows the modules they preload", () => {
    expect(run("node --max-old-space-size=4096 --no-warnings scripts/postinstall.js --verbose")).toEqual(["scripts/postinstall.js"]);
    expect(run("node -r ./hooks/register.js install.js")).toEqual(["hooks/register.js", "install.js"]);
    expect(run("node --require=./hooks/register install.js")).toEqual(["hooks/register.js", "install.js"]);
    expect(run("node -r dotenv/config install.js")).toEqual(["install.js"]);
  });

  it("reads the modules `node -e` code requires", () => {
    expect(run(`node -e "try{require('./install')}catch(e){}"`)).toEqual(["install.js"]);
    expect(run(`node -e "import('./tools/build.mjs')"`)).toEqual(["tools/build.mjs"]);
    expect(run(`node -e "require('child_process').execSync('id')"`)).toEqual([]);
  });

  it("splits lists and pipelines, and follows cd", () => {
    expect(run("node install.js && node scripts/postinstall.js || echo failed; sh scripts/setup.sh | tee log")).toEqual([
      "install.js",
      "scripts/postinstall.js",
      "scripts/setup.sh",
    ]);
    expect(run("cd scripts && node postinstall.js")).toEqual(["scripts/postinstall.js"]);
    expect(run("cd scripts/helper && node ../postinstall")).toEqual(["scripts/postinstall.js"]);
    expect(run("(cd scripts && node postinstall.js) && node install.js")).toEqual(["scripts/postinstall.js", "install.js"]);
    expect(run("cd native && node-gyp rebuild")).toEqual(["native/binding.gyp"]);
    expect(run("cd .. && node install.js")).toEqual([]);
    expect(run("cd $INIT_CWD && node install.js")).toEqual([]);
  });

  it("skips environment assignments and wrappers", () => {
    expect(run("FOO=1 BAR='a b' node install.js")).toEqual(["install.js"]);
    expect(run("cross-env NODE_ENV=production node install.js")).toEqual(["install.js"]);
    expect(run("env -i PATH=/bin node install.js")).toEqual(["install.js"]);
    expect(run("npx --yes node-gyp rebuild")).toEqual(["binding.gyp"]);
    expect(run("exec node install.js")).toEqual(["install.js"]);
    expect(run("if [ -f install.js ]; then node install.js; fi")).toEqual(["install.js"]);
  });

  it("reads quoted paths, escapes and redirections", () => {
    expect(run(`node "scripts/post install.js"`)).toEqual(["scripts/post install.js"]);
    expect(run(`node scripts/post\\ install.js`)).toEqual(["scripts/post install.js"]);
    expect(run(`node 'install.js' > /dev/null 2>&1`)).toEqual(["install.js"]);
    expect(run(`node install.js 2>install.log`)).toEqual(["install.js"]);
    expect(run(`node scripts\\postinstall.js`)).toEqual(["scripts/postinstall.js"]);
  });

  it("finds shell scripts, scripts run by path, and other interpreters", () => {
    expect(run("sh scripts/setup.sh")).toEqual(["scripts/setup.sh"]);
    expect(run("bash -e ./scripts/setup.sh arg")).toEqual(["scripts/setup.sh"]);
    expect(run("./scripts/setup.sh")).toEqual(["scripts/setup.sh"]);
    expect(run("scripts/postinstall.js")).toEqual(["scripts/postinstall.js"]);
    expect(run(`sh -c "node install.js"`)).toEqual(["install.js"]);
    expect(run("python3 setup.py build")).toEqual(["setup.py"]);
    expect(run("powershell -ExecutionPolicy Bypass -File install.ps1")).toEqual(["install.ps1"]);
  });

  it("follows npm run into the other script, with its pre and post scripts", () => {
    const manifest = { scripts: { prebuild: "node tools/check", build: "node tools/build.mjs", setup: "npm run build && sh scripts/setup.sh" } };
    expect(run("npm run setup", manifest)).toEqual(["tools/check.cjs", "tools/build.mjs", "scripts/setup.sh"]);
    expect(run("yarn build", manifest)).toEqual(["tools/check.cjs", "tools/build.mjs"]);
    expect(run("pnpm run --silent build", manifest)).toEqual(["tools/check.cjs", "tools/build.mjs"]);
    expect(run("yarn install && npm install", manifest)).toEqual([]);
    // A loop ends.
    expect(run("npm run a", { scripts: { a: "npm run b && node install.js", b: "npm run a" } })).toEqual(["install.js"]);
  });

  it("finds the package's own bins by name", () => {
    expect(run("mycli setup", { name: "@scope/mycli", bin: "bin/cli.js" })).toEqual(["bin/cli.js"]);
    expect(run("setup-tool --init", { bin: { "setup-tool": "./bin/cli.js" } })).toEqual(["bin/cli.js"]);
    expect(run("other-tool", { bin: { "setup-tool": "./bin/cli.js" } })).toEqual([]);
  });

  it("returns only files of the package, without guessing", () => {
    expect(run("node missing.js")).toEqual([]);
    expect(run("node /usr/lib/install.js")).toEqual([]);
    expect(run("node $npm_package_config_script")).toEqual([]);
    expect(run("node ../../install.js")).toEqual([]);
    expect(run("install.js")).toEqual([]); // not a path: the shell looks on the PATH, not in the package
    expect(run("echo done && exit 0")).toEqual([]);
    expect(run(`node -e "unterminated`)).toEqual([]);
    expect(run("node install.js && node ./install.js || node install")).toEqual(["install.js"]);
  });
});
