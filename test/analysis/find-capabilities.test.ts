import { describe, expect, it } from "vitest";
import { findCapabilities } from "../../src/analysis/find-capabilities.js";
import { parseJs } from "../../src/analysis/parse-js.js";

function found(source: string, file = "index.js"): string[] {
  const parsed = parseJs(source, file);
  if (!parsed.ast) throw new Error(parsed.problem);
  return findCapabilities(parsed.ast).uses.map((use) => `${use.capability}: ${use.detail}`);
}

describe("modules that grant a capability", () => {
  it.each([
    ["require('child_process')", "shell: child_process"],
    ["require('node:child_process')", "shell: child_process"],
    ["import cp from 'child_process'", "shell: child_process"],
    ["import { exec } from 'node:child_process'", "shell: child_process"],
    ["export * from 'fs'", "filesystem: fs"],
    ["export { readFile } from 'fs/promises'", "filesystem: fs/promises"],
    ["await import('https')", "network: https"],
    ["require('dgram')", "network: dgram"],
    ["require('dns/promises')", "network: dns/promises"],
    ["require('http2')", "network: http2"],
    ["require('tls')", "network: tls"],
    ["require('vm')", "eval: vm"],
    ["require('./build/Release/addon.node')", "native-code: ./build/Release/addon.node"],
    ["require('bindings')('addon')", "native-code: bindings (loads a compiled addon)"],
  ])("%s", (source, expected) => {
    expect(found(source)).toEqual([expected]);
  });

  it("is quiet about ordinary modules and relative files", () => {
    expect(found("const path = require('path'); const x = require('./x'); import y from 'lodash'")).toEqual([]);
  });
});

describe("evasions", () => {
  it.each([
    ["an alias of require", "const r = require; r('child_process')"],
    ["module.require", "module.require('child_process')"],
    ["process.mainModule.require", "process.mainModule.require('child_process')"],
    ["require.main.require", "require.main.require('child_process')"],
    ["createRequire", "import { createRequire } from 'module'; const req = createRequire(import.meta.url); req('child_process')"],
    ["createRequire from node:module", "const m = require('node:module'); m.createRequire(__filename)('child_process')"],
    ["global.require", "global.require('child_process')"],
    ["globalThis with a computed name", "globalThis['req' + 'uire']('child_process')"],
    ["concatenation", "require('child' + '_' + 'process')"],
    ["a template", "const p = 'process'; require(`child_${p}`)"],
    ["join", "require(['child', 'process'].join('_'))"],
    ["split, reverse, join", "require('ssecorp_dlihc'.split('').reverse().join(''))"],
    ["String.fromCharCode", "require(String.fromCharCode(99,104,105,108,100,95,112,114,111,99,101,115,115))"],
    ["base64", "require(Buffer.from('Y2hpbGRfcHJvY2Vzcw==', 'base64').toString())"],
    ["hex", "require(Buffer.from('6368696c645f70726f63657373', 'hex').toString('utf8'))"],
    ["atob", "require(atob('Y2hpbGRfcHJvY2Vzcw=='))"],
    ["a constant in an object", "const names = { cp: 'child_process' }; require(names.cp)"],
    ["require.call", "require.call(null, 'child_process')"],
    ["Reflect.apply", "Reflect.apply(require, null, ['child_process'])"],
    ["Module._load", "require('module')._load('child_process')"],
    ["module.constructor._load", "module.constructor._load('child_process')"],
    ["eval('require')", "eval('require')('child_process')"],
    ["a parenthesised sequence", "(0, require)('child_process')"],
    ["a dynamic import of a constant", "const name = 'child_' + 'process'; import(name)"],
  ])("%s", (_, source) => {
    expect(found(source)).toContain("shell: child_process");
  });

  it("resolves names bound thousands of times, as in minified bundles, once each", () => {
    // Followed naively, every use would chase every binding of every name it meets: exponential.
    const rebinds = Array.from({ length: 300 }, () => "var e = t; var t = n; var n = e;").join("\n");
    const source = `${rebinds}\nvar r = require;\nvar t = r;\ne(['child', 'process'].join('_'));\n`;
    expect(found(source)).toEqual(["shell: child_process"]);
  });

  it.each([
    ["module.constructor.prototype._compile", "module.constructor.prototype._compile(code, file)", "eval: module._compile"],
    ["an alias of module.constructor", "const M = module.constructor; M._load('child_process')", "shell: child_process"],
    ["Module._load through an import", "import Module from 'node:module'; Module._load('child_process')", "shell: child_process"],
    ["createRequire imported by name", "import { createRequire } from 'module'; createRequire(x)('child_process')", "shell: child_process"],
    ["process.binding through the global object", "globalThis.process.binding('spawn_sync')", 'shell: process.binding("spawn_sync")'],
    ["an alias of process", "const p = process; p.dlopen(m, f)", "native-code: process.dlopen"],
  ])("follows %s", (_, source, expected) => {
    expect(found(source)).toContain(expected);
  });

  it("finds nothing through ordinary modules and the properties of module.exports", () => {
    expect(found("const React = require('react'); React.createElement('x'); React.default.process.env.X; module.exports.require = f; module.exports.require('child_process')")).toEqual([]);
    expect(found("import * as m from 'lodash'; m.require('child_process'); m.env.X")).toEqual([]);
  });

  it("follows a require alias declared after the function that uses it", () => {
    expect(found("function run() { return r('child_process') }\nconst r = require")).toContain("shell: child_process");
  });
});

describe("every place code can be", () => {
  // The finder walks the syntax tree itself: a construct it did not descend into would hide code.
  it.each([
    ["a class static block", "class A { static { require('child_process') } }"],
    ["a class field", "class A { x = require('child_process') }"],
    ["a static class field", "class A { static x = require('child_process') }"],
    ["a computed method name", "class A { [require('child_process')]() {} }"],
    ["a superclass", "class A extends require('child_process').X {}"],
    ["a class expression's method", "const A = class { m() { return require('child_process') } }"],
    ["a computed object key", "const o = { [require('child_process')]: 1 }"],
    ["a getter", "const o = { get x() { return require('child_process') } }"],
    ["a default parameter", "function f(a = require('child_process')) {}"],
    ["a default in object destructuring", "const { a = require('child_process') } = {}"],
    ["a default in array destructuring", "const [a = require('child_process')] = []"],
    ["a computed key in destructuring", "const { [require('child_process')]: a } = {}"],
    ["an assignment pattern's default", "({ a = require('child_process') } = {})"],
    ["a tagged template", "tag`${require('child_process')}`"],
    ["a template", "`${require('child_process')}`"],
    ["a labelled block", "label: { require('child_process') }"],
    ["with", "with (o) { require('child_process') }"],
    ["a switch case test", "switch (x) { case require('child_process'): break }"],
    ["a switch case body", "switch (x) { default: require('child_process') }"],
    ["a catch parameter's default", "try {} catch ({ a = require('child_process') }) {}"],
    ["finally", "try {} finally { require('child_process') }"],
    ["for-of", "for (const k of require('child_process')) {}"],
    ["for-in", "for (k in require('child_process')) {}"],
    ["a for loop's update", "for (;; require('child_process')) {}"],
    ["do-while", "do {} while (require('child_process'))"],
    ["an else branch", "if (a) {} else require('child_process')"],
    ["export default", "export default require('child_process')"],
    ["an exported declaration", "export const x = require('child_process')"],
    ["an exported function", "export function f() { return require('child_process') }"],
    ["await", "async function f() { await require('child_process') }"],
    ["yield", "function* g() { yield require('child_process') }"],
    ["an arrow's expression body", "const f = () => require('child_process')"],
    ["an optional call's argument", "a?.b(require('child_process'))"],
    ["a conditional", "x = y ? require('child_process') : z"],
    ["a spread argument", "new Foo(...[require('child_process')])"],
    ["an object spread", "({ ...require('child_process') })"],
    ["a unary operand", "!require('child_process')"],
    ["a thrown value", "throw require('child_process')"],
    ["an import's options", "import('x', { with: require('child_process') })"],
    ["a computed member", "a[require('child_process')]"],
  ])("%s", (_, source) => {
    expect(found(source)).toContain("shell: child_process");
  });
});

describe("globals", () => {
  it.each([
    ["fetch('https://example.com')", "network: fetch"],
    ["globalThis.fetch(url)", "network: fetch"],
    ["new WebSocket(url)", "network: WebSocket"],
    ["new XMLHttpRequest()", "network: XMLHttpRequest"],
    ["new EventSource(url)", "network: EventSource"],
    ["navigator.sendBeacon(url, data)", "network: navigator.sendBeacon"],
    ["eval(code)", "eval: eval"],
    ["(0, eval)(code)", "eval: eval"],
    ["window.eval(code)", "eval: eval"],
    ["new Function('a', 'return a')", "eval: new Function"],
    ["Function('return this')()", "eval: Function"],
    ["setTimeout('alert(1)', 10)", "eval: setTimeout with a string"],
    ["WebAssembly.instantiate(bytes)", "eval: WebAssembly.instantiate"],
    ["new WebAssembly.Module(bytes)", "eval: WebAssembly.Module"],
    ["module._compile(src, file)", "eval: module._compile"],
    ["process.binding('spawn_sync')", 'shell: process.binding("spawn_sync")'],
    ["process.binding('fs')", 'filesystem: process.binding("fs")'],
    ["process.dlopen(module, file)", "native-code: process.dlopen"],
  ])("%s", (source, expected) => {
    expect(found(source)).toEqual([expected]);
  });

  it("does not count a string timer callback or a local function named like a global", () => {
    expect(found("setTimeout(() => run(), 10); setInterval(tick, 5)")).toEqual([]);
    expect(found("const fetch = require('node-fetch'); fetch(url)")).toEqual([]);
    expect(found("function eval2() {} function f(fetch) { return fetch(1) }")).toEqual([]);
  });
});

describe("dynamic require", () => {
  it("names what is loaded when it is not a constant", () => {
    expect(found("require(name)")).toEqual(["dynamic-require: require(name)"]);
    expect(found("import(path.join(dir, file))")).toEqual(["dynamic-require: import(path.join(dir, file))"]);
    expect(found("module.require(x)")).toEqual(["dynamic-require: module.require(x)"]);
  });
});

describe("environment", () => {
  it("names each variable read", () => {
    expect(found("const token = process.env.NPM_TOKEN; const home = process.env['HOME']")).toEqual([
      "environment: process.env.NPM_TOKEN",
      "environment: process.env.HOME",
    ]);
  });

  it("follows destructuring and aliases", () => {
    expect(found("const { GITHUB_TOKEN, CI: ci } = process.env")).toEqual(["environment: process.env.GITHUB_TOKEN", "environment: process.env.CI"]);
    expect(found("const env = process.env; use(env.AWS_SECRET_ACCESS_KEY)")).toEqual(["environment: process.env.AWS_SECRET_ACCESS_KEY"]);
    expect(found("const { env } = process; env.X")).toEqual(["environment: process.env.X"]);
    expect(found("globalThis.process.env.Y")).toEqual(["environment: process.env.Y"]);
    expect(found("require('node:process').env.Z")).toEqual(["environment: process.env.Z"]);
  });

  it("says when the whole environment is taken", () => {
    expect(found("send(JSON.stringify(process.env))")).toEqual(["environment: process.env (all variables)"]);
    expect(found("const all = { ...process.env }")).toEqual(["environment: process.env (all variables)"]);
    expect(found("process.env[name]")).toEqual(["environment: process.env[…]"]);
  });

  it("tells the credential rules which variables are read and whether the environment is reached another way", () => {
    const access = (source: string) => findCapabilities(parseJs(source, "x.js").ast!).environment;
    expect(access("if (process.env.NODE_ENV !== 'production') f(process.env.NPM_TOKEN)")).toEqual({ names: ["NODE_ENV", "NPM_TOKEN"], whole: false, computed: false });
    expect(access("const { HOME, ...rest } = process.env")).toEqual({ names: ["HOME"], whole: true, computed: false });
    // Bound to a name, the environment is not reported taken, but the name may carry it anywhere.
    expect(access("const env = process.env; send(env)")).toEqual({ names: [], whole: true, computed: false });
    expect(access("const key = pick(); read(process.env[key])")).toEqual({ names: [], whole: false, computed: true });
    expect(access("fetch(url, { credentials: 'include' })")).toEqual({ names: [], whole: false, computed: false });
  });
});

describe("locations", () => {
  it("gives the offset of each use", () => {
    const parsed = parseJs("const a = 1;\nconst cp = require('child_process');\n", "x.js");
    const uses = findCapabilities(parsed.ast!).uses;
    expect(uses).toEqual([{ capability: "shell", detail: "child_process", offset: 24 }]);
  });

  it("collects relative requires for following install-time code", () => {
    const parsed = parseJs("require('./lib/a'); import('../b.js'); require('lodash'); require(x)", "x.js");
    expect(findCapabilities(parsed.ast!).requires.sort()).toEqual(["../b.js", "./lib/a"]);
  });

  it("marks code that is decoded and run", () => {
    const parsed = parseJs("eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString())", "x.js");
    const result = findCapabilities(parsed.ast!);
    expect(result.decodedAndRun).toHaveLength(1);
    expect(result.decodedStrings.map((entry) => entry.value)).toEqual(["console.log(1)"]);
  });
});
