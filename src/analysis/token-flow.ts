import type { AnyNode, Node } from "acorn";
import type { Severity } from "../review/alert.js";
import {
  credentialFile,
  foreignCredential,
  isTokenName,
  LOG_METHODS,
  LOGGER_NAMES,
  NETWORK_COMMAND,
  NETWORK_GLOBALS,
  NETWORK_MODULES,
  tokenCommand,
  variableMatchesHost,
  type CredentialFileKind,
} from "./credential-patterns.js";
import type { CredentialRule } from "./model.js";
import { memberKey, type Binding, type CallNode, type CallSite, type FunctionNode, type ModuleFacts, type Ref } from "./module-facts.js";
import { classifyUrl, URL_KIND_LABELS } from "./suspicious-url.js";

/** A finding of the credential rules at an offset of the file, with the places that explain it. */
export interface CredentialFinding {
  rule: CredentialRule;
  severity: Severity;
  message: string;
  offset: number;
  related: { offset: number; label: string }[];
  /** For credentials read from another tool: the tool (`aws`, `npm`), so its own SDK is not blamed. */
  tool?: string;
}

/** Where a secret value comes from. `param` stands for a function's argument while summarising it. */
type Source =
  | { kind: "env"; name: string; offset: number }
  | { kind: "environment"; offset: number }
  | { kind: "env-any"; offset: number }
  | { kind: "file"; label: string; fileKind: CredentialFileKind; offset: number }
  | { kind: "cli"; label: string; offset: number }
  | { kind: "private-key"; name: string; offset: number }
  | { kind: "param"; fn: FunctionNode; index: number };

type Concrete = Exclude<Source, { kind: "param" }>;

const FS_MODULES = new Set(["fs", "fs/promises", "graceful-fs", "fs-extra", "original-fs"]);
const FS_READS = new Set(["readFile", "readFileSync", "createReadStream", "readdir", "readdirSync", "readJson", "readJSON", "readJsonSync", "readJSONSync", "copyFile", "copyFileSync", "cp", "cpSync", "open", "openSync"]);
const FS_WRITES = new Set(["writeFile", "writeFileSync", "appendFile", "appendFileSync", "createWriteStream"]);
const SHELL_CALLS = new Set(["exec", "execSync", "execFile", "execFileSync", "spawn", "spawnSync", "fork"]);
/** Functions and methods whose result carries their input: encoding, copying, joining. */
const PASSING_GLOBALS = new Set(["JSON.stringify", "Buffer.from", "btoa", "encodeURIComponent", "encodeURI", "escape", "String", "Object.assign", "Object.entries", "Object.values", "Object.fromEntries", "Array.from", "Promise.resolve", "Promise.all", "Promise.allSettled", "Promise.race", "Promise.any", "structuredClone"]);
const PASSING_METHODS = new Set(["toString", "trim", "replace", "replaceAll", "split", "join", "concat", "slice", "substring", "substr", "toUpperCase", "toLowerCase", "map", "filter", "reduce", "flat", "flatMap", "entries", "values", "padStart", "padEnd", "then", "catch", "finally", "toJSON", "encode", "match", "matchAll", "at", "find", "findLast", "pop", "shift", "trimStart", "trimEnd"]);
/** Library functions that encode what they are given (`querystring.stringify`, `bs58.encode`, `zlib.gzipSync`). */
const ENCODING_FUNCTION = /^(?:stringify|encode|format|inspect|serialize|escape|compress|deflate|deflateSync|gzip|gzipSync|brotliCompressSync|encrypt|toBase64)$/i;
/** Functions that hide what they are given: what they return is not the token. */
const MASKING_FUNCTION = /mask|redact|censor|obfuscat|sanitiz|scrub|truncat|hash|digest|hmac/i;
const SIGNING_FUNCTION = /^sign(?:$|[A-Z_])/;
/** Methods whose callbacks receive the value they are called on. */
const CALLBACK_METHODS = new Set(["forEach", "map", "filter", "reduce", "some", "every", "find", "flatMap", "then"]);
/** Of those, the ones whose result is what the callback returns (`find` returns an element, not the callback's answer). */
const TRANSFORMING_METHODS = new Set(["map", "flatMap", "reduce", "then", "catch"]);
/** Property names that hold a wallet's or a key pair's private key. */
const PRIVATE_KEY_PROPERTY = /^(?:secretKey|privateKey|private_key|privKey|mnemonic|seedPhrase|seed_phrase|walletPrivateKey)$/;
/** Hosts a registry token may go to: npm's, yarn's and GitHub's registries, or any host named `registry.*`/`npm.*`. */
const REGISTRY_HOST = /^(?:registry\.|npm\.)|(?:^|\.)(?:npmjs\.(?:org|com)|yarnpkg\.com)$/i;
/** TLS options that stay local: the client's own certificate and key. */
const TLS_LOCAL_KEYS = new Set(["key", "cert", "pfx", "ca", "passphrase", "privateKey", "clientKey", "clientCert"]);
const AGENT = /Agent$|^(?:Pool|BalancedPool|Dispatcher|setGlobalDispatcher)$/;
const LOG_FILE = /\.log$|[/\\]logs?[/\\]/i;
const LOCAL_HOST = /^(?:localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0)$/i;
const MAX_SOURCES = 16;
/** What takes the whole environment at once: serialising it, or listing its names or values. */
const ENV_READERS = /^(?:JSON\.stringify|Object\.(?:keys|entries|values|getOwnPropertyNames))$/;

/**
 * Follows tokens and credentials through a module: from where they are read (token-like environment
 * variables, the whole environment, other tools' credential files, CLIs asked for their tokens, private
 * keys) through variables, properties, templates, encodings and the module's own functions, to where
 * they go (the network, a shell running curl, a log, a URL). Within one module; values that leave it
 * are not followed.
 */
export function findTokenFlows(facts: ModuleFacts): CredentialFinding[] {
  return new TokenFlows(facts).run();
}

class TokenFlows {
  private readonly findings: CredentialFinding[] = [];
  private readonly memo = new Map<Node, Source[] | "pending">();
  private readonly names = new Map<Binding[] | string, Source[] | "pending">();
  private readonly openers = new Map<Binding[] | string, CallNode | undefined>();
  /** Extra inputs of callback parameters: `exec(cmd, (err, out) => …)`, `list.forEach(x => …)`. */
  private readonly callbackInputs = new Map<FunctionNode, { index: number; from: Node }[]>();
  private envIterated = false;

  constructor(private readonly facts: ModuleFacts) {}

  run(): CredentialFinding[] {
    this.linkCallbacks();
    this.envIterated = this.findEnvHarvest();
    this.findCredentialReads();
    for (const site of this.facts.calls) this.checkSink(site);
    this.findTokensInUrls();
    return this.findings;
  }

  // ---------------------------------------------------------------------------------------------
  // Sources

  private sourcesOf(node: Node | null | undefined, depth = 0): Source[] {
    if (!node || depth > 40) return [];
    const cached = this.memo.get(node);
    if (cached === "pending") return [];
    if (cached) return cached;
    this.memo.set(node, "pending");
    const found = dedupe(this.compute(node as AnyNode, depth));
    this.memo.set(node, found);
    return found;
  }

  private compute(n: AnyNode, depth: number): Source[] {
    const next = depth + 1;
    switch (n.type) {
      case "Identifier":
        return this.sourcesOfName(n.name, n.start, next);
      case "MemberExpression": {
        const ref = this.facts.ref(n);
        if (ref && isProcessEnv(ref)) return [{ kind: "environment", offset: n.start }];
        if (ref?.kind === "global" && ref.name === "process" && ref.path[0] === "env" && ref.path.length === 2) {
          const name = ref.path[1]!;
          return isTokenName(name) ? [{ kind: "env", name, offset: n.start }] : [];
        }
        const key = memberKey(n, (value) => this.facts.constant(value));
        if (n.computed && key === undefined && isProcessEnv(this.facts.ref(n.object))) {
          // `process.env[name]` for each name of a constant list: those variables.
          const texts = this.facts.texts(n.property);
          const names = texts.filter((name) => /^\w+$/.test(name));
          if (names.length > 0) return names.filter(isTokenName).map((name) => ({ kind: "env", name, offset: n.start }));
          // `process.env[prefix + "HTTP_PROXY"]`: the known part of the name says what it is.
          if (texts.every((text) => /\w/.test(text))) return texts.filter((text) => isTokenName(text.replace(/\*/g, ""))).map((name) => ({ kind: "env", name, offset: n.start }));
          return [{ kind: "env-any", offset: n.start }];
        }
        if (key === "length" || key === "size") return [];
        if (key !== undefined && PRIVATE_KEY_PROPERTY.test(key)) return [{ kind: "private-key", name: key, offset: n.start }, ...this.sourcesOf(n.object, next)];
        return this.propertySources(n.object as AnyNode, key, next);
      }
      case "CallExpression":
      case "NewExpression":
        return this.callSources(n, next);
      case "TemplateLiteral":
        return n.expressions.flatMap((expression) => this.sourcesOf(expression, next));
      case "BinaryExpression":
        return n.operator === "+" ? [...this.sourcesOf(n.left, next), ...this.sourcesOf(n.right, next)] : [];
      case "ObjectExpression":
        return this.objectValues(n).flatMap((value) => this.sourcesOf(value, next));
      case "ArrayExpression":
        return n.elements.flatMap((element) => (element ? this.sourcesOf(element.type === "SpreadElement" ? element.argument : element, next) : []));
      case "ConditionalExpression":
        return [...this.sourcesOf(n.consequent, next), ...this.sourcesOf(n.alternate, next)];
      case "LogicalExpression":
        return n.operator === "&&" ? this.sourcesOf(n.right, next) : [...this.sourcesOf(n.left, next), ...this.sourcesOf(n.right, next)];
      case "SequenceExpression":
        return this.sourcesOf(n.expressions.at(-1), next);
      case "AwaitExpression":
      case "YieldExpression":
      case "SpreadElement":
        return this.sourcesOf(n.argument, next);
      case "AssignmentExpression":
        return this.sourcesOf(n.right, next);
      case "ChainExpression":
        return this.sourcesOf(n.expression, next);
      case "ThisExpression":
        return [];
      default:
        return [];
    }
  }

  // A name's sources are the same wherever it is used (bindings are file-wide), so each name is
  // followed once: minified bundles bind `e` thousands of times and use it thousands more.
  /**
   * The values an object literal ends up holding: a spread literal's own properties, unless a later
   * property of the same name replaces them (`{ ...headers, authorization: "[REDACTED]" }`).
   */
  private objectValues(literal: AnyNode & { type: "ObjectExpression" }): Node[] {
    const byKey = new Map<string, Node>();
    const others: Node[] = [];
    for (const property of literal.properties) {
      if (property.type === "SpreadElement") {
        const spread = this.facts.objectLiteral(property.argument);
        if (!spread) {
          others.push(property.argument);
          continue;
        }
        for (const inner of spread.properties) {
          const key = inner.type === "Property" ? propertyName(inner.key, inner.computed) : undefined;
          if (inner.type === "Property" && key !== undefined) byKey.set(key, inner.value);
          else others.push(inner.type === "SpreadElement" ? inner.argument : inner.value);
        }
        continue;
      }
      const key = propertyName(property.key, property.computed);
      if (key !== undefined) byKey.set(key, property.value);
      else others.push(property.value);
    }
    return [...byKey.values(), ...others];
  }

  private sourcesOfName(name: string, offset: number, depth: number): Source[] {
    const key = this.facts.variableKey(name, offset);
    const known = this.names.get(key);
    if (known === "pending") return [];
    if (known) return known;
    this.names.set(key, "pending");
    const found = dedupe(this.followName(name, offset, depth));
    this.names.set(key, found);
    return found;
  }

  private followName(name: string, offset: number, depth: number): Source[] {
    const list = this.facts.bindingsAt(name, offset);
    // A parameter named `secretKey` in a wallet library is a private key, whoever passes it.
    if (PRIVATE_KEY_PROPERTY.test(name) && list?.some((binding) => binding.kind === "param")) {
      const param = list.find((binding) => binding.kind === "param")!;
      return [{ kind: "private-key", name, offset: (param as { fn: FunctionNode }).fn.start }];
    }
    const writes = this.facts.writesAt(name, offset);
    if (!list) return writes.flatMap((write) => this.sourcesOf(write.value, depth));
    const found: Source[] = [];
    for (const binding of list) {
      switch (binding.kind) {
        case "init":
          // `const { NPM_TOKEN } = process.env`: the path picks the variable.
          if (binding.path.length > 0 && isProcessEnv(this.facts.ref(binding.init))) {
            const variable = binding.path[0]!;
            if (variable === "*") found.push({ kind: "env-any", offset: binding.init.start });
            else if (isTokenName(variable)) found.push({ kind: "env", name: variable, offset: binding.init.start });
          } else found.push(...this.sourcesOf(binding.init, depth));
          break;
        case "param":
          found.push({ kind: "param", fn: binding.fn, index: binding.index });
          for (const call of this.facts.callsOf(binding.fn)) found.push(...this.sourcesOf(call.arguments[binding.index] as Node | undefined, depth));
          for (const input of this.callbackInputs.get(binding.fn) ?? []) if (input.index === binding.index) found.push(...this.sourcesOf(input.from, depth));
          break;
        case "element":
          found.push(...this.sourcesOf(binding.of, depth));
          break;
        case "key":
          break;
        default:
          break;
      }
    }
    for (const write of writes) found.push(...this.sourcesOf(write.value, depth));
    return found;
  }

  /** `object.key`: the property's own value when the object is a literal the module built, else the whole object's. */
  private propertySources(object: AnyNode, key: string | undefined, depth: number): Source[] {
    if (object.type === "ThisExpression") return key === undefined ? [] : (this.facts.thisWrites.get(key) ?? []).flatMap((value) => this.sourcesOf(value, depth));
    if (object.type === "Identifier" && key !== undefined) {
      const list = this.facts.bindingsAt(object.name, object.start);
      const only = list?.length === 1 ? list[0] : undefined;
      if (only?.kind === "init" && only.path.length === 0 && (only.init as AnyNode).type === "ObjectExpression") {
        const literal = only.init as AnyNode & { type: "ObjectExpression" };
        const found: Source[] = [];
        for (const property of literal.properties) {
          if (property.type === "SpreadElement") found.push(...this.sourcesOf(property.argument, depth));
          else if (propertyName(property.key, property.computed) === key) found.push(...this.sourcesOf(property.value, depth));
        }
        for (const write of this.facts.writesAt(object.name, object.start)) if (write.key === key || write.key === undefined) found.push(...this.sourcesOf(write.value, depth));
        return found;
      }
    }
    return this.sourcesOf(object, depth);
  }

  private callSources(n: CallNode, depth: number): Source[] {
    const args = n.arguments as Node[];
    // `__awaiter(this, void 0, void 0, function* () { … return x; })`, compiled async code: its result is the generator's.
    const generator = args.find((arg) => arg.type === "FunctionExpression" && (arg as FunctionNode).generator) as FunctionNode | undefined;
    if (generator) return (this.facts.returns.get(generator) ?? []).flatMap((value) => this.sourcesOf(value, depth));
    const calleeName = n.callee.type === "Identifier" ? n.callee.name : n.callee.type === "MemberExpression" ? memberKey(n.callee) : undefined;
    if (calleeName !== undefined && (MASKING_FUNCTION.test(calleeName) || SIGNING_FUNCTION.test(calleeName))) return [];
    const ref = this.facts.ref(n.callee);
    if (ref?.kind === "function") return this.substitute(ref.fn, args, depth);
    if (ref?.kind === "global" && PASSING_GLOBALS.has([ref.name, ...ref.path].join("."))) return args.flatMap((arg) => this.sourcesOf(arg, depth));
    if (ref?.kind === "global" && (ref.name === "URL" || ref.name === "URLSearchParams" || ref.name === "Buffer") && ref.path.length === 0) return args.flatMap((arg) => this.sourcesOf(arg, depth));
    if (ref?.kind === "module") {
      const file = this.credentialRead(ref, args);
      if (file) return [{ kind: "file", label: file.label, fileKind: file.kind, offset: n.start }];
      const command = this.tokenCommandOf(ref, args);
      if (command) return [{ kind: "cli", label: command, offset: n.start }];
      if (ENCODING_FUNCTION.test(ref.path.at(-1) ?? "")) return args.flatMap((arg) => this.sourcesOf(arg, depth));
      return [];
    }
    if (n.callee.type === "MemberExpression") {
      const method = memberKey(n.callee);
      // `/_authToken=(\S+)/.exec(text)`: the match carries the text.
      if (method === "exec") return this.sourcesOf(args[0], depth);
      if ((method === "replace" || method === "replaceAll") && isMaskCharacter(this.facts.constant(args[1]))) return [];
      if (method !== undefined && PASSING_METHODS.has(method) && !showsOnlyAPrefix(method, args)) {
        const own = this.sourcesOf(n.callee.object, depth);
        // `names.map((name) => process.env[name])`: what the callback returns is the result.
        const callback = this.callbackIn(args);
        const returned = callback && TRANSFORMING_METHODS.has(method) ? (this.facts.returns.get(callback) ?? []).flatMap((value) => this.sourcesOf(value, depth)) : [];
        return method === "concat" ? [...own, ...args.flatMap((arg) => this.sourcesOf(arg, depth))] : [...own, ...returned];
      }
      // `client.getToken()`, `this.sign(body)`: the module's own methods, by name.
      if (method !== undefined) return this.facts.methodsNamed(method).flatMap((fn) => this.substitute(fn, args, depth));
    }
    return [];
  }

  /** What a call of one of the module's functions returns: its returns, with its parameters replaced by the arguments. */
  private substitute(fn: FunctionNode, args: Node[], depth: number): Source[] {
    const found: Source[] = [];
    for (const value of this.facts.returns.get(fn) ?? []) {
      for (const source of this.sourcesOf(value, depth)) {
        if (source.kind === "param" && source.fn === fn) found.push(...this.sourcesOf(args[source.index], depth));
        else found.push(source);
      }
    }
    return found;
  }

  /** Callbacks that receive a value: `exec(cmd, (error, stdout) => …)`, `readFile(p, (error, data) => …)`, `list.forEach(x => …)`. */
  private linkCallbacks(): void {
    for (const { node } of this.facts.calls) {
      const args = node.arguments as Node[];
      this.linkPassedFunctions(node, args);
      const callback = this.callbackIn(args, true);
      if (!callback) continue;
      const ref = this.facts.ref(node.callee);
      if (ref?.kind === "module" && (FS_MODULES.has(ref.name) || ref.name === "child_process")) {
        this.addCallbackInput(callback, 1, node);
      } else if (node.callee.type === "MemberExpression") {
        const method = memberKey(node.callee);
        if (method !== undefined && CALLBACK_METHODS.has(method)) this.addCallbackInput(callback, method === "reduce" ? 1 : 0, node.callee.object);
        // `child.stdout.on("data", chunk => …)` of a process that prints a token.
        if (method === "on" && node.callee.object.type === "MemberExpression" && memberKey(node.callee.object) === "stdout") this.addCallbackInput(callback, 0, node.callee.object.object);
      }
    }
  }

  /** The function a call is given to call back: a function written in place, or one of the module's by name. */
  private callbackIn(args: Node[], last = false): FunctionNode | undefined {
    for (let index = 0; index < args.length; index++) {
      const arg = args[last ? args.length - 1 - index : index]!;
      if (arg.type === "FunctionExpression" || arg.type === "ArrowFunctionExpression") return arg as FunctionNode;
      if (arg.type === "Identifier") {
        const fn = this.facts.functionOf(arg);
        if (fn) return fn;
      }
    }
    return undefined;
  }

  /**
   * `callback(value)` where `callback` is a parameter: each function the callers pass in its place
   * receives `value` (`readAll(files, (loot) => send(loot))`).
   */
  private linkPassedFunctions(call: CallNode, args: Node[]): void {
    const callee = call.callee as AnyNode;
    if (callee.type !== "Identifier" || args.length === 0) return;
    const binding = this.facts.bindingsAt(callee.name, callee.start)?.find((candidate) => candidate.kind === "param");
    if (binding?.kind !== "param") return;
    for (const site of this.facts.callsOf(binding.fn)) {
      const passed = this.callbackIn([site.arguments[binding.index] as Node].filter(Boolean));
      if (passed) args.forEach((arg, index) => this.addCallbackInput(passed, index, arg));
    }
  }

  private addCallbackInput(fn: FunctionNode, index: number, from: Node): void {
    const list = this.callbackInputs.get(fn);
    if (list) list.push({ index, from });
    else this.callbackInputs.set(fn, [{ index, from }]);
  }

  /** The credential file a read call opens, if any. */
  private credentialRead(ref: Ref & { kind: "module" }, args: Node[]): { kind: CredentialFileKind; label: string } | undefined {
    if (!FS_MODULES.has(ref.name) || !FS_READS.has(ref.path.at(-1) ?? "")) return undefined;
    for (const text of this.facts.texts(args[0])) {
      const found = credentialFile(text);
      if (found) return found;
    }
    return undefined;
  }

  /** The credential a shell command prints, if any (`gh auth token`). */
  private tokenCommandOf(ref: Ref & { kind: "module" }, args: Node[]): string | undefined {
    if (ref.name !== "child_process" || !SHELL_CALLS.has(ref.path.at(-1) ?? "")) return undefined;
    for (const command of this.commandTexts(args)) {
      const found = tokenCommand(command);
      if (found) return found;
    }
    return undefined;
  }

  private commandTexts(args: Node[]): string[] {
    const [command, second] = args;
    const words = second && (second as AnyNode).type === "ArrayExpression" ? this.facts.texts(second).join(" ") : "";
    return this.facts.texts(command).map((text) => `${text} ${words}`.trim());
  }

  // ---------------------------------------------------------------------------------------------
  // Rules that need no flow: reading credentials, taking the whole environment.

  private findCredentialReads(): void {
    for (const { node } of this.facts.calls) {
      const ref = this.facts.ref(node.callee);
      if (ref?.kind !== "module") continue;
      const args = node.arguments as Node[];
      const file = this.credentialRead(ref, args);
      // npm's own settings file is read by every registry client and config loader: only its
      // flow to somewhere else (below) is a finding.
      if (file && file.kind !== "package-manager") {
        this.add({
          rule: "credential-file-access",
          severity: file.kind === "wallet" || file.kind === "browser" ? "high" : "medium",
          message: `Reads ${file.label}, where another tool keeps its credentials.`,
          offset: node.start,
          related: [],
          tool: TOOL_OF_KIND[file.kind],
        });
      }
      const command = this.tokenCommandOf(ref, args);
      if (command) {
        // `cat ~/.kube/config` run by a Kubernetes client is its own file, read another way.
        const file = this.commandTexts(args).flatMap((text) => text.split(/\s+/)).map((word) => credentialFile(word)).find((found) => found !== undefined);
        const tool = file && TOOL_OF_KIND[file.kind];
        this.add({ rule: "credential-file-access", severity: "high", message: `Runs a command that prints ${command}.`, offset: node.start, related: [], ...(tool ? { tool } : {}) });
      }
    }
  }

  /**
   * The whole environment taken at once: serialised, or iterated by a loop that picks variables
   * whose names look like secrets. Copying it into a child process's environment is not a harvest.
   * Returns whether the module iterates the environment at all (then `process.env[key]` reads are a
   * harvest's, not a setting's).
   */
  private findEnvHarvest(): boolean {
    let iterated = false;
    const selective = (statement: Node | undefined) => statement !== undefined && SECRET_PATTERN_IN_CODE.test(this.facts.text(statement));
    for (const { node, statement } of this.facts.calls) {
      const argument = node.arguments[0] as Node | undefined;
      if (!argument) continue;
      const ref = this.facts.ref(node.callee);
      if (ref?.kind !== "global" || ref.path.length !== 1) continue;
      const name = `${ref.name}.${ref.path[0]}`;
      if (!ENV_READERS.test(name) || !isProcessEnv(this.facts.ref(argument))) continue;
      if (name === "JSON.stringify") {
        this.add({ rule: "env-harvest", severity: "high", message: "Serialises the whole environment (JSON.stringify(process.env)), every token in it included.", offset: node.start, related: [] });
        iterated = true;
      } else {
        iterated = true;
        if (selective(statement)) this.harvestBySelection(node.start);
      }
    }
    for (const { right, statement } of this.facts.forIns) {
      if (!isProcessEnv(this.facts.ref(right))) continue;
      iterated = true;
      if (selective(statement)) this.harvestBySelection(statement.start);
    }
    return iterated;
  }

  private harvestBySelection(offset: number): void {
    this.add({ rule: "env-harvest", severity: "high", message: "Collects every environment variable whose name looks like a secret.", offset, related: [] });
  }

  // ---------------------------------------------------------------------------------------------
  // Sinks

  private checkSink(site: CallSite): void {
    const sink = this.sinkOf(site.node);
    if (!sink) return;
    const sources = this.concrete(sink.data.flatMap((node) => (sink.kind === "network" ? this.sentSources(node) : this.sourcesOf(node))));
    if (sources.length === 0) return;
    if (sink.kind === "log") this.logged(site.node, sources, sink.via);
    else this.sent(site.node, sources, sink);
  }

  /**
   * What a network call sends: its arguments, except the TLS options of an options object (`key`,
   * `cert`, `pfx`), which stay on this machine to prove who it is.
   */
  private sentSources(node: Node, depth = 0): Source[] {
    const literal = depth < 4 ? this.facts.objectLiteral(node) : undefined;
    if (!literal) return this.sourcesOf(node);
    return literal.properties.flatMap((property) => {
      if (property.type === "SpreadElement") return this.sourcesOf(property.argument);
      const key = propertyName(property.key, property.computed);
      return key !== undefined && TLS_LOCAL_KEYS.has(key) ? [] : this.sentSources(property.value, depth + 1);
    });
  }

  /** Keeps real sources; dynamic environment reads count only where the module walks the environment. */
  private concrete(sources: Source[]): Concrete[] {
    return sources.filter((source): source is Concrete => source.kind !== "param" && (source.kind !== "env-any" || this.envIterated));
  }

  private sinkOf(call: CallNode): Sink | undefined {
    const args = call.arguments as Node[];
    const ref = this.facts.ref(call.callee);
    if (ref?.kind === "module") {
      // Making an agent or a connection pool sends nothing.
      if (NETWORK_MODULES.has(ref.name) && AGENT.test(ref.path.at(-1) ?? "")) return undefined;
      if (NETWORK_MODULES.has(ref.name)) return { kind: "network", via: describeRef(ref), data: args, destination: this.destinationTexts(args), dns: ref.name.startsWith("dns"), plain: ref.name === "http" || ref.name === "net" || ref.name === "dgram" };
      if (ref.name === "child_process" && SHELL_CALLS.has(ref.path.at(-1) ?? "")) {
        const commands = this.commandTexts(args);
        if (commands.some((command) => NETWORK_COMMAND.test(command))) return { kind: "network", via: "a shell command", data: args, destination: commands, dns: false, plain: false };
        return undefined;
      }
      if (FS_MODULES.has(ref.name) && FS_WRITES.has(ref.path.at(-1) ?? "")) {
        return this.facts.texts(args[0]).some((path) => LOG_FILE.test(path)) ? { kind: "log", via: "a log file", data: args.slice(1) } : undefined;
      }
      return undefined;
    }
    if (ref?.kind === "global") {
      const path = [ref.name, ...ref.path].join(".");
      if (NETWORK_GLOBALS.has(path)) return { kind: "network", via: path, data: args, destination: this.destinationTexts(args), dns: false, plain: false };
      if (ref.name === "console" && ref.path.length === 1 && LOG_METHODS.has(ref.path[0]!)) return { kind: "log", via: "the console", data: args };
      if (path === "process.stdout.write" || path === "process.stderr.write") return { kind: "log", via: path.slice(0, -6), data: args };
    }
    const callee = call.callee as AnyNode;
    if (callee.type === "Identifier" && LOGGER_NAMES.test(callee.name) && !this.facts.functionOf(callee) && !this.madeHere(callee)) return { kind: "log", via: `${callee.name}()`, data: args };
    if (callee.type === "MemberExpression") {
      const method = memberKey(callee);
      const object = callee.object as AnyNode;
      const objectName = object.type === "Identifier" ? object.name : object.type === "MemberExpression" ? memberKey(object) : undefined;
      if (method && LOG_METHODS.has(method) && objectName && LOGGER_NAMES.test(objectName) && !this.madeHere(object)) return { kind: "log", via: `${objectName}.${method}`, data: args };
      // `stream.write(line)` on a log file the module opened.
      if (method === "write" && this.isLogStream(object)) return { kind: "log", via: "a log file", data: args };
      // `request.write(data)`, `resolver.resolve4(name)`: a request, socket or client the module opened.
      // The opener first: following every method call's arguments to their sources costs more.
      if (method && method !== "on" && method !== "once" && args.length > 0) {
        const opener = this.opener(object);
        if (opener && this.concrete(args.flatMap((arg) => this.sourcesOf(arg))).length > 0) {
          const openerRef = this.facts.ref(opener.callee) as Ref & { kind: "module" | "global" };
          const name = openerRef.kind === "module" ? openerRef.name : openerRef.name;
          return { kind: "network", via: `${describeRef(openerRef)}().${method}`, data: args, destination: [...this.destinationTexts(opener.arguments as Node[]), ...this.connectTexts(object)], dns: name.startsWith("dns"), plain: name === "http" || name === "net" };
        }
      }
    }
    return undefined;
  }

  /**
   * A logger the module makes itself (`const log = createLogger()` with `createLogger` its own):
   * what it writes is followed inside, where it may redact, rather than trusted to its name.
   */
  private madeHere(node: AnyNode): boolean {
    if (node.type !== "Identifier") return false;
    return (this.facts.bindingsAt(node.name, node.start) ?? []).some((binding) => {
      if (binding.kind !== "init") return false;
      const init = binding.init as AnyNode;
      return (init.type === "CallExpression" && this.facts.functionOf(init.callee) !== undefined) || init.type === "ObjectExpression";
    });
  }

  /** A write stream to a file named like a log: `fs.createWriteStream(path.join(tmp, "sync.log"))`. */
  private isLogStream(node: AnyNode): boolean {
    if (node.type !== "Identifier") return false;
    return (this.facts.bindingsAt(node.name, node.start) ?? []).some((binding) => {
      if (binding.kind !== "init" || (binding.init as AnyNode).type !== "CallExpression") return false;
      const call = binding.init as CallNode;
      const ref = this.facts.ref(call.callee);
      return ref?.kind === "module" && FS_MODULES.has(ref.name) && ref.path.at(-1) === "createWriteStream" && this.facts.texts(call.arguments[0] as Node).some((path) => LOG_FILE.test(path));
    });
  }

  /** The network call that made a request or socket (`https.request(…)`, `new WebSocket(…)`), followed through a name. */
  private opener(node: AnyNode, depth = 0): CallNode | undefined {
    if (depth > 4) return undefined;
    if (node.type === "CallExpression" || node.type === "NewExpression") {
      const ref = this.facts.ref(node.callee);
      if (ref?.kind === "module" && NETWORK_MODULES.has(ref.name)) return node;
      if (ref?.kind === "global" && NETWORK_GLOBALS.has([ref.name, ...ref.path].join("."))) return node;
      return undefined;
    }
    if (node.type === "Identifier") {
      const key = this.facts.variableKey(node.name, node.start);
      if (this.openers.has(key)) return this.openers.get(key);
      this.openers.set(key, undefined);
      let found: CallNode | undefined;
      for (const binding of this.facts.bindingsAt(node.name, node.start) ?? []) {
        if (binding.kind !== "init" || binding.path.length > 0) continue;
        found = this.opener(binding.init as AnyNode, depth + 1);
        if (found) break;
      }
      this.openers.set(key, found);
      return found;
    }
    if (node.type === "AwaitExpression") return this.opener(node.argument as AnyNode, depth + 1);
    return undefined;
  }

  /** Addresses given later to a socket or request by name: `socket.connect(443, host)`, `xhr.open("POST", url)`. */
  private connectTexts(object: AnyNode): string[] {
    if (object.type !== "Identifier") return [];
    const texts: string[] = [];
    for (const { node } of this.facts.calls) {
      const callee = node.callee as AnyNode;
      if (callee.type !== "MemberExpression" || (callee.object as AnyNode).type !== "Identifier" || (callee.object as { name: string }).name !== object.name) continue;
      const method = memberKey(callee);
      if (method === "connect" || method === "open") texts.push(...this.destinationTexts(node.arguments as Node[]));
    }
    return texts;
  }

  /** The constant text of a sink's arguments that may name where data goes: URLs, hosts, options. */
  private destinationTexts(args: Node[]): string[] {
    const texts: string[] = [];
    for (const arg of args.slice(0, 3)) {
      const n = arg as AnyNode;
      const literal = this.facts.objectLiteral(n);
      if (literal) {
        for (const property of literal.properties) {
          if (property.type !== "Property") continue;
          const key = propertyName(property.key, property.computed);
          if (key && /^(?:url|uri|host|hostname|baseURL|baseUrl|href|origin|protocol|path)$/.test(key)) texts.push(...this.facts.texts(property.value).map((text) => (key === "host" || key === "hostname" ? `//${text}` : text)));
        }
      } else texts.push(...this.facts.texts(arg));
    }
    return texts.filter((text) => text !== "*");
  }

  private sent(call: CallNode, sources: Concrete[], sink: Sink & { kind: "network" }): void {
    const destination = describeDestination(sink.destination);
    const suspicious = destination.suspicious;
    const what = describeSources(sources);
    const related = sources.slice(0, 3).map((source) => ({ offset: source.offset, label: `reads ${labelOf(source)}` }));
    const harvested = sources.some((source) => source.kind === "environment" || source.kind === "env-any" || source.kind === "file" || source.kind === "cli" || source.kind === "private-key");
    const names = [...new Set(sources.flatMap((source) => (source.kind === "env" ? [source.name] : [])))];
    const to = sink.dns ? "a DNS lookup" : destination.host ? (destination.url && !destination.url.startsWith("//") ? destination.url : destination.host) : "an address the code computes";

    let severity: Severity;
    let reason = "";
    if (suspicious) {
      severity = "critical";
      reason = ` (${URL_KIND_LABELS[suspicious.kind]})`;
    } else if (sink.dns) {
      severity = "critical";
      reason = " (data in a DNS name is how stolen values leave networks that block everything else)";
    } else if (sources.every((source) => source.kind === "file" && source.fileKind === "package-manager") && (!destination.host || REGISTRY_HOST.test(destination.host))) {
      // A registry token from npm's settings, for the registry: what every registry client does.
      severity = "info";
    } else if (destination.host && sources.every((source) => source.kind === "file" && FILE_VENDOR[source.fileKind]?.test(destination.host!))) {
      // The AWS SDK sending the key id from ~/.aws/credentials to amazonaws.com.
      severity = "info";
    } else if (harvested || (names.length >= 3 && new Set(names.map(vendorWord)).size >= 2)) {
      severity = "critical";
    } else if (destination.host && names.some((name) => foreignCredential(name) && !variableMatchesHost(name, destination.host!))) {
      severity = "high";
      reason = " (another service's credential)";
    } else {
      // One variable to one host: what an SDK does with its own key.
      severity = "info";
    }
    this.add({ rule: "token-exfiltration", severity, message: `Sends ${what} to ${to} via ${sink.via}${reason}.`, offset: call.start, related });

    if (sources.some((source) => source.kind === "environment" || source.kind === "env-any") && !this.findings.some((finding) => finding.rule === "env-harvest" && finding.severity === "critical")) {
      this.add({ rule: "env-harvest", severity: "critical", message: `Sends the whole environment to ${to}.`, offset: call.start, related });
    }
    // The read that fed a theft is critical whatever the package's name: a name must not excuse it.
    for (const source of sources) {
      if (source.kind === "file" && severity !== "info") {
        this.add({ rule: "credential-file-access", severity: "critical", message: `Reads ${source.label} and sends it away.`, offset: source.offset, related: [] });
      }
    }
    const plain = destination.url?.startsWith("http://") || (sink.plain && destination.host !== undefined);
    if (plain && destination.host && !LOCAL_HOST.test(destination.host)) {
      this.add({ rule: "insecure-transport", severity: "high", message: `Sends ${what} over plain http to ${destination.host}.`, offset: call.start, related });
    }
  }

  private logged(call: CallNode, sources: Concrete[], via: string): void {
    const whole = sources.some((source) => source.kind === "environment");
    const related = sources.slice(0, 3).map((source) => ({ offset: source.offset, label: `reads ${labelOf(source)}` }));
    this.add({ rule: "token-logging", severity: whole ? "high" : "medium", message: `Writes ${describeSources(sources)} to ${via}.`, offset: call.start, related });
    if (whole) this.add({ rule: "env-harvest", severity: "medium", message: `Writes the whole environment to ${via}, every token in it included.`, offset: call.start, related });
  }

  /** `https://api.example.com/v1?token=${token}`: a token in a query string. */
  private findTokensInUrls(): void {
    // `?key=${token}`, or `?${new URLSearchParams({ key: token })}`.
    const check = (before: string, value: Node, at: number) => {
      if (!/[?&](?:[\w.[\]-]+=)?$/.test(before)) return;
      const sources = this.concrete(this.sourcesOf(value)).filter((source) => source.kind !== "environment");
      if (sources.length === 0) return;
      this.add({ rule: "token-in-url", severity: "medium", message: `Puts ${describeSources(sources)} in a URL's query string.`, offset: at, related: sources.slice(0, 3).map((source) => ({ offset: source.offset, label: `reads ${labelOf(source)}` })) });
    };
    for (const template of this.facts.templates) {
      template.expressions.forEach((expression, index) => check(template.quasis[index]?.value.cooked ?? "", expression, template.start));
    }
    for (const concatenation of this.facts.concatenations) {
      const before = this.facts.texts(concatenation.left).at(-1) ?? "";
      check(before, concatenation.right, concatenation.start);
    }
    for (const { node } of this.facts.calls) {
      const callee = node.callee as AnyNode;
      if (callee.type !== "MemberExpression" || callee.object.type !== "MemberExpression") continue;
      const method = memberKey(callee);
      if ((method === "set" || method === "append") && memberKey(callee.object) === "searchParams") check("?", node.arguments[1] as Node, node.start);
    }
  }

  private add(finding: CredentialFinding): void {
    const duplicate = this.findings.some((known) => known.rule === finding.rule && known.offset === finding.offset && known.message === finding.message);
    if (!duplicate) this.findings.push(finding);
  }
}

type Sink =
  | { kind: "network"; via: string; data: Node[]; destination: string[]; dns: boolean; plain: boolean }
  | { kind: "log"; via: string; data: Node[] };

/** Where each kind of credential file's own tool sends it. */
const FILE_VENDOR: Partial<Record<CredentialFileKind, RegExp>> = { cloud: /(?:^|\.)(?:amazonaws\.com(?:\.cn)?|googleapis\.com|azure\.com|microsoftonline\.com)$/i, git: /(?:^|\.)(?:github\.com|gitlab\.com|bitbucket\.org)$/i };
const TOOL_OF_KIND: Partial<Record<CredentialFileKind, string>> = { "package-manager": "npm", ssh: "ssh", cloud: "aws", git: "git", container: "docker" };

/** A regular expression or string in code that selects variables by a secret-looking name. */
const SECRET_PATTERN_IN_CODE = /\/[^/\n]*(?:token|secret|passw|api_?key|credential|private_?key)[^/\n]*\/[gimsuy]*|(["'`])[^"'`\n]*(?:TOKEN|SECRET|PASSW|API_?KEY|CREDENTIAL|PRIVATE_?KEY|token|secret)[^"'`\n]*\1/i;

function isProcessEnv(ref: Ref | undefined): boolean {
  return ref?.kind === "global" && ref.name === "process" && ref.path.length === 1 && ref.path[0] === "env";
}

function propertyName(key: Node, computed: boolean): string | undefined {
  const n = key as AnyNode;
  if (!computed && n.type === "Identifier") return n.name;
  if (n.type === "Literal") return String(n.value);
  return undefined;
}

function describeRef(ref: Ref): string {
  if (ref.kind === "module") return [ref.name, ...ref.path].join(".");
  if (ref.kind === "global") return [ref.name, ...ref.path].join(".");
  return "a call";
}

function labelOf(source: Concrete): string {
  switch (source.kind) {
    case "env":
      return `process.env.${source.name}`;
    case "environment":
      return "the whole environment";
    case "env-any":
      return "environment variables by name";
    case "file":
      return source.label;
    case "cli":
      return source.label;
    case "private-key":
      return `a private key (.${source.name})`;
  }
}

function describeSources(sources: Concrete[]): string {
  const labels = [...new Set(sources.map(labelOf))];
  const named = labels.map((label) => label.replace(/^process\.env\./, ""));
  if (named.length > 3) return `${named.slice(0, 3).join(", ")} and ${named.length - 3} more`;
  return named.length === 1 ? named[0]! : `${named.slice(0, -1).join(", ")} and ${named.at(-1)}`;
}

/** Where the texts of a sink's arguments say data goes: the first URL or host, and whether it is a known bad kind. */
function describeDestination(texts: string[]): { url?: string; host?: string; suspicious?: ReturnType<typeof classifyUrl> } {
  let first: { url?: string; host?: string } = {};
  for (const text of texts) {
    const suspicious = classifyUrl(text);
    const match = /(?:(https?|wss?):)?\/\/([^/\s:?#'"`]+)/i.exec(text);
    // `base + path` reads as `https://api.example.com*`: what follows a host is almost always its path.
    const host = match?.[2]?.replace(/\*+$/, "");
    if (match && host && !first.host) first = { ...(match[1] ? { url: `${match[1]}://${host}` } : {}), host };
    if (suspicious) return { url: suspicious.url, host: suspicious.host, suspicious };
  }
  return first;
}

/** The first word of a variable's name, its vendor when it has one: `AWS` of `AWS_SECRET_ACCESS_KEY`. */
function vendorWord(name: string): string {
  return name.split("_")[0]!.toUpperCase();
}

/** A replacement made of `*`, `x` or `•`: the value is being masked. */
function isMaskCharacter(text: string | undefined): boolean {
  return text !== undefined && /^[*x•#.]{1,}$/i.test(text);
}

/** `token.slice(0, 4)`: a few characters shown so a user can tell tokens apart, the usual way to mask one. */
function showsOnlyAPrefix(method: string, args: Node[]): boolean {
  if (method !== "slice" && method !== "substring" && method !== "substr") return false;
  const numbers = args.map((arg) => ((arg as AnyNode).type === "Literal" ? (arg as AnyNode & { type: "Literal" }).value : (arg as AnyNode).type === "UnaryExpression" ? -1 : undefined));
  if (numbers.some((value) => typeof value !== "number")) return false;
  const [start, end] = numbers as number[];
  if (start !== undefined && start < 0) return start >= -8;
  return end !== undefined && end - (start ?? 0) <= 8;
}

function dedupe(sources: Source[]): Source[] {
  if (sources.length <= 1) return sources;
  const seen = new Set<string>();
  const kept: Source[] = [];
  for (const source of sources) {
    const key = source.kind === "param" ? `param:${source.fn.start}:${source.index}` : `${source.kind}:${source.offset}:${"name" in source ? source.name : ""}`;
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(source);
    if (kept.length >= MAX_SOURCES) break;
  }
  return kept;
}
