/**
 * The lifecycle scripts npm runs when it installs a package, and the package files they run.
 *
 * npm runs `preinstall`, `install` and `postinstall` (`prepare` only for git dependencies), and
 * `node-gyp rebuild` for a package with a `binding.gyp` and neither an install nor a preinstall
 * script of its own, unless `gypfile` is false (@npmcli/run-script, @npmcli/arborist rebuild).
 *
 * A command is read the way `sh -c` would split it, simply: lists (`&&`, `||`, `;`, `|`, `&`),
 * subshells, quotes, environment assignments and wrappers (`cross-env`, `env`, `npx`, `exec`), `cd`,
 * interpreters (`node`, `sh`, `python`, …) with their options, `node -e` code that requires a file,
 * `npm run` of another script, the package's own bins, and node-gyp. Variables are not expanded: a
 * path built from one is left out rather than guessed.
 */

import { NODE_GYP_REBUILD, runsImplicitNodeGyp } from "../publication/node-gyp.js";
import type { InstallScript } from "./model.js";

const EVENTS = ["preinstall", "install", "postinstall"] as const;

type Scripts = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Splitting a command line.

interface Word {
  text: string;
  /** Holds a `$` or a backquote outside single quotes: its value is only known when it runs. */
  dynamic: boolean;
}

type Token = { word: Word } | { op: string };

const PIECE =
  /([^\S\n]+)|(&&|\|\||;;|[;&|()\n])|(\d*(?:>>?|<<?|>&|<&|&>)(?:&?\d+|&?-)?)|"((?:[^"\\]|\\[\s\S])*)"|'([^']*)'|\\([\s\S])|([^\s"'\\;&|()<>]+)/y;

function tokenize(command: string): Token[] {
  const tokens: Token[] = [];
  let word: Word | undefined;
  let redirect = false;
  const flush = () => {
    if (word && !redirect) tokens.push({ word });
    else if (word) redirect = false;
    word = undefined;
  };
  const add = (text: string, dynamic: boolean) => {
    word ??= { text: "", dynamic: false };
    word.text += text;
    word.dynamic ||= dynamic;
  };
  PIECE.lastIndex = 0;
  while (PIECE.lastIndex < command.length) {
    const at = PIECE.lastIndex;
    const match = PIECE.exec(command);
    if (!match) {
      add(command.slice(at), true); // an unterminated quote: keep the rest, as nothing to resolve
      break;
    }
    const [, space, op, redirection, double, single, escaped, bare] = match;
    if (space !== undefined) flush();
    else if (op !== undefined) {
      flush();
      tokens.push({ op });
    } else if (redirection !== undefined) {
      flush();
      // `> file` names its target next; `2>&1` does not.
      redirect = !/&\d*-?$|&\d+$/.test(redirection);
    } else if (double !== undefined) add(double.replace(/\\(["\\$`\n])/g, "$1"), /[$`]/.test(double));
    else if (single !== undefined) add(single, false);
    // sh drops the backslash; cmd.exe, which runs the same script on Windows, reads it as a separator.
    else if (escaped !== undefined) add(/[\w.-]/.test(escaped) ? `\\${escaped}` : escaped, false);
    else add(bare!, /[$`]/.test(bare!));
  }
  flush();
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Resolving paths against the package's files.

interface Context {
  files: ReadonlySet<string>;
  scripts: Scripts;
  manifest: Record<string, unknown>;
  /** The scripts being read, against `npm run` loops. */
  running: Set<string>;
  found: Set<string>;
}

/** A path relative to the package root, or undefined when it leaves the package or depends on a variable. */
function normalise(cwd: string, path: string): string | undefined {
  if (path.startsWith("/") || path.startsWith("~") || /^[A-Za-z]:/.test(path)) return undefined;
  const parts: string[] = [];
  for (const part of `${cwd}/${path.replace(/\\/g, "/")}`.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}

function addFile(context: Context, path: string | undefined): boolean {
  if (path === undefined || !context.files.has(path)) return false;
  context.found.add(path);
  return true;
}

/** A file as a program runs it: the exact path. */
function addExact(context: Context, cwd: string | undefined, word: Word): void {
  if (cwd === undefined || word.dynamic) return;
  addFile(context, normalise(cwd, word.text));
}

/** A module as node resolves it: the path, with `.js`/`.cjs`/`.mjs`, or a folder's index; `.` is the package's main. */
function addModule(context: Context, cwd: string | undefined, specifier: string): void {
  if (cwd === undefined) return;
  const path = normalise(cwd, specifier);
  if (path === undefined) return;
  if (path === "") {
    const main = typeof context.manifest.main === "string" ? context.manifest.main : "index.js";
    if (normalise("", main)) addModule(context, "", main.startsWith(".") ? main : `./${main}`);
    else addFile(context, "index.js");
    return;
  }
  const candidates = [path, `${path}.js`, `${path}.cjs`, `${path}.mjs`, `${path}/index.js`, `${path}/index.cjs`, `${path}/index.mjs`];
  candidates.some((candidate) => addFile(context, candidate));
}

// ---------------------------------------------------------------------------------------------
// Reading commands.

const WRAPPERS = new Set(["exec", "nohup", "time", "command", "builtin", "sudo", "then", "do", "else", "elif", "if", "while", "until", "!", "{", "cross-env", "cross-env-shell"]);
const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh", "source", "."]);
const INTERPRETERS = new Set(["python", "python2", "python3", "perl", "ruby", "php"]);
const NODES = new Set(["node", "nodejs"]);
/** node options whose value is the next word. */
const NODE_VALUE_OPTIONS = new Set(["-r", "--require", "--import", "--loader", "--experimental-loader", "-C", "--conditions", "--input-type", "--title", "--env-file"]);
const NODE_MODULE_OPTIONS = new Set(["-r", "--require", "--import", "--loader", "--experimental-loader"]);
const NODE_CODE_OPTIONS = new Set(["-e", "--eval", "-p", "--print"]);
const RUN_SCRIPT = new Set(["run", "run-script", "rum", "urn"]);
/** npm commands that run the script of the same name. */
const NPM_SCRIPT_COMMANDS = new Map([
  ["test", "test"],
  ["t", "test"],
  ["tst", "test"],
  ["start", "start"],
  ["stop", "stop"],
  ["restart", "restart"],
]);
/** Commands of yarn, pnpm and bun that are not the name of a script. */
const PACKAGE_MANAGER_COMMANDS = new Set([
  "install", "i", "add", "remove", "rm", "update", "up", "upgrade", "link", "unlink", "rebuild", "rb", "publish", "pack", "init",
  "ci", "audit", "outdated", "config", "cache", "why", "info", "list", "ls", "dedupe", "prune", "global", "bin", "create", "store",
  "import", "fetch", "patch", "pm",
]);
/** Relative modules that inline code loads: `require("./x")`, `import("./x")`, `import "./x"`. */
const INLINE_MODULE = /(?:\brequire\s*\(\s*|\bimport\s*\(\s*|\bimport\s+|\bfrom\s+)(["'`])(\.\.?(?:\/[^"'`]*)?)\1/g;

function addInlineCode(context: Context, cwd: string | undefined, code: string): void {
  for (const match of code.matchAll(INLINE_MODULE)) addModule(context, cwd, match[2]!);
}

function runNode(context: Context, cwd: string | undefined, args: Word[]): void {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const [option, inline] = arg.text.startsWith("--") && arg.text.includes("=") ? [arg.text.slice(0, arg.text.indexOf("=")), arg.text.slice(arg.text.indexOf("=") + 1)] : [arg.text, undefined];
    if (NODE_CODE_OPTIONS.has(option)) {
      const code = inline ?? args[index + 1]?.text;
      if (code !== undefined) addInlineCode(context, cwd, code);
      return; // the rest are the code's arguments
    }
    if (NODE_VALUE_OPTIONS.has(option)) {
      const value = inline ?? args[++index]?.text;
      if (value !== undefined && NODE_MODULE_OPTIONS.has(option) && value.startsWith(".")) addModule(context, cwd, value);
      continue;
    }
    if (option.startsWith("-") && option !== "-") continue;
    if (!arg.dynamic) addModule(context, cwd, arg.text);
    return;
  }
}

function runShell(context: Context, cwd: string | undefined, args: Word[]): void {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg.text === "-c") {
      const script = args[index + 1];
      if (script) readCommand(context, script.text, cwd);
      return;
    }
    if (arg.text === "-o" || arg.text === "+o") {
      index++;
      continue;
    }
    if (/^[-+]/.test(arg.text)) continue;
    addExact(context, cwd, arg);
    return;
  }
}

function runInterpreter(context: Context, cwd: string | undefined, args: Word[]): void {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (["-c", "-e", "-E", "-m", "-r"].includes(arg.text)) return; // inline code or a module by name
    if (["-W", "-X", "-I", "-d"].includes(arg.text)) {
      index++;
      continue;
    }
    if (arg.text.startsWith("-")) continue;
    addExact(context, cwd, arg);
    return;
  }
}

function runPowerShell(context: Context, cwd: string | undefined, args: Word[]): void {
  for (let index = 0; index < args.length; index++) {
    const option = args[index]!.text.toLowerCase();
    if (option === "-file" || option === "-f") {
      const file = args[index + 1];
      if (file) addExact(context, cwd, file);
      return;
    }
    if (option === "-command" || option === "-c") return;
    if (["-executionpolicy", "-ep", "-windowstyle", "-w"].includes(option)) index++;
    else if (!option.startsWith("-")) {
      addExact(context, cwd, args[index]!);
      return;
    }
  }
}

/** `npm run build` inside an install script runs `prebuild`, `build` and `postbuild`. */
function runScript(context: Context, name: string): void {
  for (const event of [`pre${name}`, name, `post${name}`]) {
    const command = context.scripts[event];
    if (typeof command !== "string" || context.running.has(event) || context.running.size > 8) continue;
    context.running.add(event);
    readCommand(context, command, "");
    context.running.delete(event);
  }
}

/** The package's own bins by name: npm puts them on the PATH of its scripts. */
function ownBin(manifest: Record<string, unknown>, name: string): string | undefined {
  const bin = manifest.bin;
  if (typeof bin === "string") {
    const packageName = typeof manifest.name === "string" ? manifest.name.replace(/^@[^/]+\//, "") : undefined;
    return name === packageName ? bin : undefined;
  }
  return isRecord(bin) && typeof bin[name] === "string" ? (bin[name] as string) : undefined;
}

/** One simple command: what it runs, and the working directory after it (for `cd`). */
function runSimple(context: Context, words: Word[], cwd: string | undefined): string | undefined {
  let index = 0;
  for (;;) {
    const word = words[index]?.text;
    if (word === undefined) return cwd;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word) || WRAPPERS.has(word)) index++;
    else if (word === "env") {
      index++;
      while (words[index]?.text.startsWith("-")) index++;
    } else if (word === "npx" || word === "pnpx") {
      index++;
      for (let option = words[index]?.text; option?.startsWith("-"); option = words[index]?.text) {
        index += option === "-p" || option === "--package" ? 2 : 1;
      }
    } else if (["npm", "pnpm", "yarn", "bun"].includes(word) && ["exec", "x", "dlx"].includes(words[index + 1]?.text ?? "")) index += 2;
    else break;
  }
  const program = words[index]!;
  const args = words.slice(index + 1);
  if (program.text === "cd") {
    const target = args.find((arg) => !arg.text.startsWith("-"));
    return cwd === undefined || !target || target.dynamic ? undefined : normalise(cwd, target.text);
  }
  if (program.dynamic) return cwd;
  // A path to a package file runs that file (a script with a shebang); any other path is a program by its name.
  if (/[\\/]/.test(program.text) && cwd !== undefined && addFile(context, normalise(cwd, program.text))) return cwd;
  const name = program.text.replace(/^.*[\\/]/, "").replace(/\.(?:exe|cmd)$/i, "");

  if (NODES.has(name)) runNode(context, cwd, args);
  else if (SHELLS.has(name)) runShell(context, cwd, args);
  else if (INTERPRETERS.has(name)) runInterpreter(context, cwd, args);
  else if (name === "pwsh" || name === "powershell") runPowerShell(context, cwd, args);
  else if (["npm", "pnpm", "yarn", "bun"].includes(name)) runPackageManager(context, cwd, name, args);
  else if (/^node-(?:pre-)?gyp/.test(name) && cwd !== undefined) addFile(context, normalise(cwd, "binding.gyp"));
  else if (name === "cmake-js" && cwd !== undefined) addFile(context, normalise(cwd, "CMakeLists.txt"));
  else {
    const bin = ownBin(context.manifest, program.text);
    if (bin !== undefined) addFile(context, normalise("", bin));
  }
  return cwd;
}

/** `npm run x`, `npm test`, `yarn x`, `pnpm run x`, `bun run x`: another script; `bun x.js`: a file. */
function runPackageManager(context: Context, cwd: string | undefined, name: string, args: Word[]): void {
  const [first, second] = args.filter((arg) => !arg.text.startsWith("-"));
  if (!first || first.dynamic) return;
  if (RUN_SCRIPT.has(first.text)) {
    if (second && !second.dynamic) {
      if (typeof context.scripts[second.text] === "string") runScript(context, second.text);
      else if (name === "bun") runNode(context, cwd, [second]);
    }
  } else if (name === "npm") {
    const script = NPM_SCRIPT_COMMANDS.get(first.text);
    if (script) runScript(context, script);
  } else if (name === "bun" && /[./]/.test(first.text)) runNode(context, cwd, args);
  else if (!PACKAGE_MANAGER_COMMANDS.has(first.text)) runScript(context, first.text);
}

/** Reads a command line: its simple commands in order, `cd` carrying over, a subshell's `cd` not. */
function readCommand(context: Context, command: string, cwd: string | undefined): void {
  const stack: (string | undefined)[] = [];
  let words: Word[] = [];
  let current = cwd;
  const run = () => {
    if (words.length > 0) current = runSimple(context, words, current);
    words = [];
  };
  for (const token of tokenize(command)) {
    if ("word" in token) {
      words.push(token.word);
      continue;
    }
    run();
    if (token.op === "(") stack.push(current);
    else if (token.op === ")" && stack.length > 0) current = stack.pop();
  }
  run();
}

function filesRun(context: Omit<Context, "running" | "found">, command: string): string[] {
  const full: Context = { ...context, running: new Set(), found: new Set() };
  readCommand(full, command, "");
  return [...full.found];
}

/**
 * The install-time scripts of a package.json (`manifest` is untrusted JSON: anything not of the
 * expected shape is ignored) in the order npm runs them, each with the package files it runs,
 * relative to the package root and present in `files`. The implicit `node-gyp rebuild` lists
 * `binding.gyp`. A script that is empty or only whitespace runs nothing and is left out.
 */
export function installScripts(manifest: unknown, files: ReadonlySet<string>): InstallScript[] {
  if (!isRecord(manifest)) return [];
  const scripts: Scripts = isRecord(manifest.scripts) ? manifest.scripts : {};
  const context = { files, scripts, manifest };
  const found: InstallScript[] = [];
  for (const event of EVENTS) {
    const command = scripts[event];
    if (typeof command !== "string" || command.trim() === "") continue;
    found.push({ event, command, implicit: false, files: filesRun(context, command) });
  }
  if (runsImplicitNodeGyp({ scripts, gypfile: manifest.gypfile, hasBindingGyp: files.has("binding.gyp") })) {
    found.unshift({ event: "install", command: NODE_GYP_REBUILD, implicit: true, files: ["binding.gyp"] });
  }
  return found;
}
