import type { AnyNode, Expression, Node, Pattern, Program } from "acorn";
import { capabilityOfBinding, capabilityOfModule } from "./builtin-modules.js";
import { constantString, type ConstantString } from "./constant-strings.js";
import type { Capability } from "./model.js";

/** A capability found at an offset of the file's source. */
export interface FoundUse {
  capability: Capability;
  detail: string;
  offset: number;
}

/** A constant string that decoding produced, kept to look for hidden URLs. */
export interface DecodedString {
  value: string;
  offset: number;
}

export interface FileCapabilities {
  uses: FoundUse[];
  /** Relative modules the file loads with constant specifiers (`./lib/x`), to follow install-time code. */
  requires: string[];
  /** Code built by decoding and then run (`eval(atob("…"))`): the offsets of the calls. */
  decodedAndRun: number[];
  decodedStrings: DecodedString[];
  /** How the file reaches the environment, for the credential rules to decide whether there is a token to follow. */
  environment: EnvironmentAccess;
}

export interface EnvironmentAccess {
  /** Variables read by name (`process.env.NPM_TOKEN`, `const { HOME } = process.env`). */
  names: string[];
  /** The environment reached other than by reading variables: taken whole, or bound to a name. */
  whole: boolean;
  /** A variable read by a computed name (`process.env[name]`). */
  computed: boolean;
}

/**
 * What a value is, as far as loading code and reaching the platform goes: the `require` function,
 * a loaded module (and a path of properties into it), the global object, a global name and a path
 * into it (`process.env`), or Node's `module` object. `dead` is a value that no property path can
 * take to anything that matters (`require("react")`, `module.exports.x`): it stands for such values
 * without copying their paths, and lets every use of a name bound to one be skipped at once.
 */
type Value =
  | { kind: "require" }
  | { kind: "module"; name: string; path: string[] }
  | { kind: "global" }
  | { kind: "global-name"; name: string; path: string[] }
  | { kind: "cjs-module"; path: string[] }
  | { kind: "dead" };

const DEAD: Value = { kind: "dead" };

const GLOBAL_OBJECTS = new Set(["global", "globalThis", "window", "self"]);
/** Global names whose use is a capability, so their value is tracked through aliases. */
const TRACKED_GLOBALS = new Set([
  "process",
  "eval",
  "Function",
  "fetch",
  "WebSocket",
  "XMLHttpRequest",
  "EventSource",
  "navigator",
  "WebAssembly",
  "setTimeout",
  "setInterval",
  "Reflect",
]);
/** The properties of tracked globals that are checked below (`globalCall`, `isProcessEnv`, `Reflect.apply`): all one key deep. */
const GLOBAL_PATHS = new Set([
  "navigator.sendBeacon",
  "WebAssembly.instantiate",
  "WebAssembly.instantiateStreaming",
  "WebAssembly.compile",
  "WebAssembly.compileStreaming",
  "WebAssembly.Module",
  "WebAssembly.Instance",
  "process.binding",
  "process._linkedBinding",
  "process.dlopen",
  "process.env",
  "Reflect.apply",
]);
/** Loaded modules that matter, and their properties that do: `createRequire`, `Module._load`, `process.env`. */
const MODULE_PATHS = new Set(["module.createRequire", "module.createRequireFromPath", "module._load", "process.env"]);
/** Property paths into Node's `module` object that lead somewhere (`module.require` is `require` itself). */
const CJS_PATHS = new Set(["_compile", "constructor", "constructor._load", "constructor.prototype", "constructor.prototype._compile"]);
const MAX_DEPTH = 16;

type CallNode = AnyNode & { type: "CallExpression" | "NewExpression" };
type MemberNode = AnyNode & { type: "MemberExpression" };
type Binding = { init?: Node; path: readonly string[] } | { module: string; path: readonly string[] };

const NO_PATH: readonly string[] = [];
/** The binding of a parameter, a function or a class: a name that is not an alias of anything. */
const UNBOUND: Binding = { path: NO_PATH };

/**
 * The identifier an expression resolves through (`a` for `a.b.c()`, `require` for
 * `require("x").y`), null when it cannot resolve to a value at all (`this.x`, `new X().y`), or
 * COMPOUND when it depends on more than one (`(a || b).c`) or on none (`import("x").then`).
 * COMPOUND cannot be an identifier, so it is never a resolved name and is always resolved in full.
 */
type Root = string | null;
const COMPOUND = " compound";

/**
 * One pass over a syntax tree, in the order acorn-walk's `simple` walk visits it (children first,
 * then the node), collecting bindings and the candidates `findCapabilities` resolves afterwards. A
 * walker of its own rather than acorn-walk: one switch per node instead of two dynamic dispatches,
 * and each expression returns its root, so member expressions and calls that cannot reach the
 * platform are never collected.
 */
class Collector {
  readonly bindings = new Map<string, Binding[]>();
  readonly calls: CallNode[] = [];
  readonly callRoots: string[] = [];
  /** Member expressions whose object could be `process.env` (the object is not a read of another property). */
  readonly members: MemberNode[] = [];
  readonly memberRoots: string[] = [];
  /** Member expressions that are not the object of another, reading `env` or a computed property. */
  readonly outermost: (MemberNode | Node)[] = [];
  readonly outermostRoots: string[] = [];
  readonly spreads: Node[] = [];
  readonly spreadRoots: string[] = [];
  readonly imports: { source: Node; offset: number }[] = [];
  readonly envPatterns: { pattern: Pattern; init: Node; root: string }[] = [];

  bind(name: string, binding: Binding): void {
    const list = this.bindings.get(name);
    if (list) list.push(binding);
    else this.bindings.set(name, [binding]);
  }

  declarePattern(pattern: Pattern | null | undefined, init: Node | undefined, path: readonly string[]): void {
    if (!pattern) return;
    switch (pattern.type) {
      case "Identifier":
        this.bind(pattern.name, init ? { init, path } : path.length === 0 ? UNBOUND : { path });
        return;
      case "ObjectPattern":
        for (const property of pattern.properties) {
          if (property.type === "RestElement") {
            this.declarePattern(property.argument, undefined, NO_PATH);
            continue;
          }
          const key = !property.computed && property.key.type === "Identifier" ? property.key.name : literalKey(property.key);
          this.declarePattern(property.value, key === undefined ? undefined : init, key === undefined ? path : [...path, key]);
        }
        return;
      case "ArrayPattern":
        for (const element of pattern.elements) this.declarePattern(element, undefined, NO_PATH);
        return;
      case "AssignmentPattern":
        this.declarePattern(pattern.left, init, path);
        return;
      case "RestElement":
        this.declarePattern(pattern.argument, undefined, NO_PATH);
        return;
      default:
        return;
    }
  }

  /** A pattern: a plain name declares nothing to visit; a member expression is a member expression. */
  pattern(node: AnyNode): void {
    if (node.type !== "Identifier") this.visit(node);
  }

  statements(list: readonly AnyNode[]): void {
    for (let index = 0; index < list.length; index++) this.visit(list[index]!);
  }

  function(node: AnyNode & { params: Pattern[]; id?: { name: string } | null; body: AnyNode }, declaration: boolean): void {
    const params = node.params;
    for (let index = 0; index < params.length; index++) this.pattern(params[index]!);
    this.visit(node.body);
    if (declaration && node.id) this.bind(node.id.name, UNBOUND);
    for (let index = 0; index < params.length; index++) this.declarePattern(params[index], undefined, NO_PATH);
  }

  member(node: MemberNode, isObject: boolean): Root {
    const object = node.object;
    const root = object.type === "MemberExpression" ? this.member(object, true) : this.visit(object);
    if (node.computed) this.visit(node.property);
    if (root === null) return null;
    // `x.y.z` reads `z` of `x.y`, which is `process.env` only when `y` is `env`.
    if (object.type !== "MemberExpression" || object.computed || (object.property.type === "Identifier" && object.property.name === "env")) {
      this.members.push(node);
      this.memberRoots.push(root);
    }
    // The environment taken whole: `f(process.env)`, `process["env"]`; an outer member reads a property of it instead.
    if (!isObject && (node.computed || (node.property.type === "Identifier" && node.property.name === "env"))) {
      this.outermost.push(node);
      this.outermostRoots.push(root);
    }
    return root;
  }

  call(node: CallNode): Root {
    const root = this.visit(node.callee);
    const args = node.arguments;
    for (let index = 0; index < args.length; index++) this.visit(args[index]!);
    if (root !== null) {
      this.calls.push(node);
      this.callRoots.push(root);
    }
    return root;
  }

  visit(node: AnyNode): Root {
    switch (node.type) {
      case "Identifier":
        return node.name;
      case "MemberExpression":
        return this.member(node, false);
      case "Literal":
      case "ThisExpression":
      case "TemplateElement":
      case "EmptyStatement":
      case "BreakStatement":
      case "ContinueStatement":
      case "DebuggerStatement":
      case "Super":
      case "MetaProperty":
      case "PrivateIdentifier":
      case "ImportSpecifier":
      case "ImportDefaultSpecifier":
      case "ImportNamespaceSpecifier":
        return null;
      case "CallExpression":
        return this.call(node);
      case "NewExpression":
        this.call(node);
        return null;
      case "ExpressionStatement":
      case "ParenthesizedExpression":
        this.visit(node.expression);
        return null;
      case "ChainExpression":
        return this.visit(node.expression);
      case "BinaryExpression":
        this.visit(node.left);
        this.visit(node.right);
        return null;
      case "LogicalExpression": {
        const left = this.visit(node.left);
        const right = this.visit(node.right);
        return left === null && right === null ? null : COMPOUND;
      }
      case "AssignmentExpression":
        this.pattern(node.left);
        this.visit(node.right);
        if (node.operator === "=" && node.left.type === "Identifier") this.bind(node.left.name, { init: node.right, path: NO_PATH });
        return null;
      case "Program":
      case "BlockStatement":
      case "StaticBlock":
        this.statements(node.body);
        return null;
      case "ReturnStatement":
      case "YieldExpression":
        if (node.argument) this.visit(node.argument);
        return null;
      case "AwaitExpression":
        return node.argument ? this.visit(node.argument) : null;
      case "VariableDeclaration":
        this.statements(node.declarations);
        return null;
      case "VariableDeclarator": {
        this.pattern(node.id);
        const init = node.init ?? undefined;
        const root = init ? this.visit(init) : null;
        this.declarePattern(node.id, init, NO_PATH);
        if (node.id.type === "ObjectPattern" && init && root !== null) this.envPatterns.push({ pattern: node.id, init, root });
        return null;
      }
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        this.function(node, false);
        return null;
      case "FunctionDeclaration":
        this.function(node, true);
        return null;
      case "ObjectExpression":
        this.statements(node.properties);
        return null;
      case "Property":
      case "MethodDefinition":
      case "PropertyDefinition":
        if (node.computed) this.visit(node.key);
        if (node.value) this.visit(node.value);
        return null;
      case "ArrayExpression":
        for (const element of node.elements) if (element) this.visit(element);
        return null;
      case "SpreadElement": {
        const root = this.visit(node.argument);
        if (root !== null) {
          this.spreads.push(node.argument);
          this.spreadRoots.push(root);
        }
        return null;
      }
      case "UnaryExpression":
      case "UpdateExpression":
      case "ThrowStatement":
        this.visit(node.argument);
        return null;
      case "ConditionalExpression": {
        this.visit(node.test);
        const consequent = this.visit(node.consequent);
        const alternate = this.visit(node.alternate);
        return consequent === null && alternate === null ? null : COMPOUND;
      }
      case "SequenceExpression": {
        let root: Root = null;
        for (const expression of node.expressions) root = this.visit(expression);
        return root;
      }
      case "IfStatement":
        this.visit(node.test);
        this.visit(node.consequent);
        if (node.alternate) this.visit(node.alternate);
        return null;
      case "ForStatement":
        if (node.init) this.visit(node.init);
        if (node.test) this.visit(node.test);
        if (node.update) this.visit(node.update);
        this.visit(node.body);
        return null;
      case "ForInStatement":
      case "ForOfStatement":
        this.visit(node.left);
        this.visit(node.right);
        this.visit(node.body);
        return null;
      case "WhileStatement":
      case "DoWhileStatement":
        this.visit(node.test);
        this.visit(node.body);
        return null;
      case "TemplateLiteral":
        this.statements(node.expressions);
        return null;
      case "TaggedTemplateExpression":
        this.visit(node.tag);
        this.visit(node.quasi);
        return null;
      case "SwitchStatement":
        this.visit(node.discriminant);
        this.statements(node.cases);
        return null;
      case "SwitchCase":
        if (node.test) this.visit(node.test);
        this.statements(node.consequent);
        return null;
      case "TryStatement":
        this.visit(node.block);
        if (node.handler) this.visit(node.handler);
        if (node.finalizer) this.visit(node.finalizer);
        return null;
      case "CatchClause":
        if (node.param) this.pattern(node.param);
        this.visit(node.body);
        this.declarePattern(node.param, undefined, NO_PATH);
        return null;
      case "LabeledStatement":
        this.visit(node.body);
        return null;
      case "WithStatement":
        this.visit(node.object);
        this.visit(node.body);
        return null;
      case "ClassDeclaration":
      case "ClassExpression":
        if (node.superClass) this.visit(node.superClass);
        this.statements(node.body.body);
        if (node.type === "ClassDeclaration" && node.id) this.bind(node.id.name, UNBOUND);
        return null;
      case "ClassBody":
        this.statements(node.body);
        return null;
      case "ObjectPattern":
        for (const property of node.properties) {
          if (property.type === "Property") {
            if (property.computed) this.visit(property.key);
            this.pattern(property.value);
          } else this.pattern(property.argument);
        }
        return null;
      case "ArrayPattern":
        for (const element of node.elements) if (element) this.pattern(element);
        return null;
      case "RestElement":
        this.pattern(node.argument);
        return null;
      case "AssignmentPattern":
        this.pattern(node.left);
        this.visit(node.right);
        return null;
      case "ImportExpression":
        this.visit(node.source);
        if (node.options) this.visit(node.options);
        this.imports.push({ source: node.source, offset: node.start });
        return COMPOUND;
      case "ImportDeclaration":
        this.statements(node.attributes);
        this.imports.push({ source: node.source, offset: node.start });
        for (const specifier of node.specifiers) {
          const path = specifier.type === "ImportSpecifier" ? [literalKey(specifier.imported) ?? "default"] : NO_PATH;
          this.bind(specifier.local.name, { module: String(node.source.value), path });
        }
        return null;
      case "ExportNamedDeclaration":
        if (node.declaration) this.visit(node.declaration);
        if (node.source) this.imports.push({ source: node.source, offset: node.start });
        this.statements(node.attributes);
        return null;
      case "ExportDefaultDeclaration":
        this.visit(node.declaration);
        return null;
      case "ExportAllDeclaration":
        this.statements(node.attributes);
        this.imports.push({ source: node.source, offset: node.start });
        return null;
      case "ImportAttribute":
        this.visit(node.value);
        return null;
      default:
        throw new Error(`No walker function defined for node type ${(node as Node).type}`);
    }
  }
}

/**
 * Finds what a parsed file can do in one walk over its tree, then resolves each candidate with the
 * file's bindings: aliases of `require` (`module.require`, `createRequire`, `process.mainModule`,
 * the global object, destructuring, `.call`), module names built from constants, `node:` prefixes.
 * Bindings are file-wide rather than per scope: a name bound once is followed wherever it is used.
 */
export function findCapabilities(ast: Program): FileCapabilities {
  const walk = new Collector();
  walk.visit(ast);
  const { bindings } = walk;

  const single = (name: string): Node | undefined => {
    const list = bindings.get(name);
    const only = list?.length === 1 ? list[0]! : undefined;
    return only && "init" in only && only.path.length === 0 ? only.init : undefined;
  };
  const constant = (node: Node | null | undefined) => constantString(node, single);

  const resolve = (node: Node | null | undefined, depth = 0): Value | undefined => {
    if (!node || depth > MAX_DEPTH) return undefined;
    const n = node as AnyNode;
    switch (n.type) {
      case "Identifier":
        return resolveName(n.name, depth);
      case "MemberExpression": {
        const object = resolve(n.object, depth + 1);
        const key = object && propertyName(n);
        return object && key !== undefined ? member(object, key) : undefined;
      }
      case "CallExpression": {
        const callee = resolve(n.callee, depth + 1);
        if (!callee) return undefined;
        if (callee.kind === "require") {
          const specifier = constant(n.arguments[0]);
          return specifier ? loadedModule(specifier.value) : undefined;
        }
        if (callee.kind === "module" && callee.name === "module" && (callee.path.join(".") === "createRequire" || callee.path.join(".") === "createRequireFromPath")) {
          return { kind: "require" };
        }
        if (callee.kind === "global-name" && callee.name === "eval" && callee.path.length === 0) {
          const code = constant(n.arguments[0]);
          return code && /^[\w$.]+$/.test(code.value) ? resolveDotted(code.value) : undefined;
        }
        return undefined;
      }
      case "ImportExpression": {
        const specifier = constant(n.source);
        return specifier ? loadedModule(specifier.value) : undefined;
      }
      case "AwaitExpression":
        return resolve(n.argument, depth + 1);
      case "SequenceExpression":
        return resolve(n.expressions.at(-1), depth + 1);
      case "ChainExpression":
        return resolve(n.expression, depth + 1);
      case "LogicalExpression":
        return resolve(n.left, depth + 1) ?? resolve(n.right, depth + 1);
      case "ConditionalExpression":
        return resolve(n.consequent, depth + 1) ?? resolve(n.alternate, depth + 1);
      default:
        return undefined;
    }
  };
  // A name resolves the same wherever it is used (bindings are file-wide), so each is resolved
  // once: minified bundles bind `e` or `t` thousands of times, and following every binding of every
  // name again at each use would be exponential. A name met again while resolving is a cycle.
  // null: resolved, to nothing.
  const resolvedNames = new Map<string, Value | null | "pending">();
  const resolveName = (name: string, depth: number): Value | undefined => {
    const known = resolvedNames.get(name);
    if (known !== undefined) return known === "pending" || known === null ? undefined : known;
    const list = bindings.get(name);
    if (!list) {
      const value = globalValue(name);
      resolvedNames.set(name, value ?? null);
      return value;
    }
    resolvedNames.set(name, "pending");
    let value: Value | undefined;
    for (const binding of list) {
      value = resolveBinding(binding, depth + 1);
      if (value) break;
    }
    resolvedNames.set(name, value ?? null);
    return value;
  };
  /**
   * Whether every candidate rooted at this name can be passed over: the name is resolved already,
   * to nothing or to a dead value. Skipping one then changes nothing, not even which names are
   * resolved first; a root not resolved yet is resolved in full, as it always was.
   */
  // Candidates come in source order, so the same root often follows itself (`ts.a`, `ts.b(…)`):
  // comparing with the last settled one is cheaper than hashing the name again. A name once
  // settled stays settled.
  let lastSettled: string | undefined;
  const settled = (root: string): boolean => {
    if (root === lastSettled) return true;
    const known = resolvedNames.get(root);
    if (known !== null && known !== DEAD) return false;
    lastSettled = root;
    return true;
  };
  const resolveBinding = (binding: Binding, depth: number): Value | undefined => {
    let value: Value | undefined;
    if ("module" in binding) value = loadedModule(binding.module);
    else if (binding.init) value = resolve(binding.init, depth);
    for (const key of binding.path) value = value && member(value, key);
    return value;
  };
  const globalValue = (name: string): Value | undefined => {
    if (name === "require") return { kind: "require" };
    if (name === "module") return { kind: "cjs-module", path: [] };
    if (GLOBAL_OBJECTS.has(name)) return { kind: "global" };
    if (TRACKED_GLOBALS.has(name)) return { kind: "global-name", name, path: [] };
    return undefined;
  };
  const resolveDotted = (text: string): Value | undefined => {
    const [first, ...rest] = text.split(".");
    let value = first && !bindings.has(first) ? globalValue(first) : undefined;
    for (const key of rest) value = value && member(value, key);
    return value;
  };
  const propertyName = (n: MemberNode): string | undefined => {
    if (!n.computed) return n.property.type === "Identifier" ? n.property.name : undefined;
    return constant(n.property)?.value;
  };

  const uses: FoundUse[] = [];
  const requires = new Set<string>();
  const decodedAndRun: number[] = [];
  const decodedStrings: DecodedString[] = [];
  const environment: EnvironmentAccess = { names: [], whole: false, computed: false };
  const use = (capability: Capability, detail: string, offset: number) => uses.push({ capability, detail, offset });
  const loaded = (specifier: ConstantString, offset: number) => {
    if (specifier.decoded) decodedStrings.push({ value: specifier.value, offset });
    const found = capabilityOfModule(specifier.value);
    if (found) use(found.capability, found.detail, offset);
    if (/^\.\.?(\/|$)/.test(specifier.value)) requires.add(specifier.value);
  };
  const notConstant = (what: string, node: Node, offset: number) => {
    use("dynamic-require", `${what}(${describe(node)})`, offset);
  };

  for (const { source, offset } of walk.imports) {
    const specifier = constant(source);
    if (specifier) loaded(specifier, offset);
    else notConstant("import", source, offset);
  }

  const { calls, callRoots } = walk;
  for (let index = 0; index < calls.length; index++) {
    if (settled(callRoots[index]!)) continue;
    const call = calls[index]!;
    if (requireCalledIndirectly(call)) continue;
    const callee = resolve(call.callee);
    if (!callee) continue;
    let args = call.arguments as Expression[];
    let target = callee;
    // `require.call(null, "x")`, `require.apply(null, ["x"])`, `Reflect.apply(require, null, ["x"])`.
    if (callee.kind === "global-name" && callee.name === "Reflect" && callee.path.join(".") === "apply") {
      const applied = resolve(args[0]);
      if (!applied) continue;
      target = applied;
      args = arrayElements(args[2]);
    }
    const offset = call.start;
    const isNew = call.type === "NewExpression";
    switch (target.kind) {
      case "require": {
        const specifier = constant(args[0]);
        if (specifier) loaded(specifier, offset);
        else if (args[0]) notConstant(describe(call.callee), args[0], offset);
        break;
      }
      case "module": {
        const path = target.path.join(".");
        if (target.name === "module" && path === "_load") {
          const specifier = constant(args[0]);
          if (specifier) loaded(specifier, offset);
          else if (args[0]) notConstant("Module._load", args[0], offset);
        }
        break;
      }
      case "cjs-module": {
        const path = target.path.join(".");
        if (path === "_compile" || path === "constructor.prototype._compile") {
          use("eval", "module._compile", offset);
          if (involvesDecoding(args[0])) decodedAndRun.push(offset);
        } else if (path === "constructor._load" || path === "require") {
          const specifier = constant(args[0]);
          if (specifier) loaded(specifier, offset);
          else if (args[0]) notConstant(path === "require" ? "module.require" : "Module._load", args[0], offset);
        }
        break;
      }
      case "global-name":
        globalCall(target, args, offset, isNew);
        break;
      default:
        break;
    }
  }

  /** `require.call(null, x)` and `require.apply(null, [x])`. */
  function requireCalledIndirectly(call: CallNode): boolean {
    if (call.callee.type !== "MemberExpression") return false;
    const method = propertyName(call.callee);
    if (method !== "call" && method !== "apply") return false;
    if (resolve(call.callee.object)?.kind !== "require") return false;
    const args = call.arguments as Expression[];
    const argument = method === "call" ? args[1] : arrayElements(args[1])[0];
    const specifier = constant(argument);
    if (specifier) loaded(specifier, call.start);
    else if (argument) notConstant(describe(call.callee.object), argument, call.start);
    return true;
  }

  function globalCall(target: Value & { kind: "global-name" }, args: Expression[], offset: number, isNew: boolean) {
    const path = [target.name, ...target.path].join(".");
    switch (path) {
      case "eval":
      case "Function":
        use("eval", isNew ? `new ${path}` : path, offset);
        if (args.some((arg) => involvesDecoding(arg))) decodedAndRun.push(offset);
        return;
      case "setTimeout":
      case "setInterval": {
        const first = args[0] as AnyNode | undefined;
        if (first && (first.type === "Literal" || first.type === "TemplateLiteral" || first.type === "BinaryExpression" || constant(first))) {
          use("eval", `${path} with a string`, offset);
          if (involvesDecoding(first)) decodedAndRun.push(offset);
        }
        return;
      }
      case "fetch":
        use("network", "fetch", offset);
        return;
      case "WebSocket":
      case "XMLHttpRequest":
      case "EventSource":
        use("network", path, offset);
        return;
      case "navigator.sendBeacon":
        use("network", path, offset);
        return;
      case "WebAssembly.instantiate":
      case "WebAssembly.instantiateStreaming":
      case "WebAssembly.compile":
      case "WebAssembly.compileStreaming":
      case "WebAssembly.Module":
      case "WebAssembly.Instance":
        use("eval", path, offset);
        return;
      case "process.binding":
      case "process._linkedBinding": {
        const name = constant(args[0])?.value;
        use(name ? capabilityOfBinding(name) : "native-code", `${path}(${name ? JSON.stringify(name) : describe(args[0])})`, offset);
        return;
      }
      case "process.dlopen":
        use("native-code", "process.dlopen", offset);
        return;
      default:
        return;
    }
  }

  // process.env: each variable read by name, and the whole environment taken at once.
  const { members, memberRoots } = walk;
  for (let index = 0; index < members.length; index++) {
    if (settled(memberRoots[index]!)) continue;
    const node = members[index]!;
    const object = resolve(node.object);
    if (!isProcessEnv(object)) continue;
    const key = propertyName(node);
    use("environment", key === undefined ? "process.env[…]" : `process.env.${key}`, node.start);
    if (key === undefined) environment.computed = true;
    else environment.names.push(key);
  }
  for (const { pattern, init, root } of walk.envPatterns) {
    if (settled(root) || !isProcessEnv(resolve(init)) || pattern.type !== "ObjectPattern") continue;
    for (const property of pattern.properties) {
      const key = property.type === "Property" ? (property.computed ? constant(property.key)?.value : literalKey(property.key)) : undefined;
      use("environment", key === undefined ? "process.env (all variables)" : `process.env.${key}`, property.start);
      if (key === undefined) environment.whole = true;
      else environment.names.push(key);
    }
  }
  // The expressions bound to names are aliases (`const env = process.env`), not the environment
  // taken: gathered only when a candidate is process.env, which few files have.
  let bindingInits: Set<Node> | undefined;
  const isBindingInit = (node: Node) => {
    if (!bindingInits) {
      bindingInits = new Set();
      for (const list of bindings.values()) for (const binding of list) if ("init" in binding && binding.init) bindingInits.add(binding.init);
    }
    return bindingInits.has(node);
  };
  const taken = [walk.outermost, walk.spreads];
  const takenRoots = [walk.outermostRoots, walk.spreadRoots];
  for (let list = 0; list < taken.length; list++) {
    const nodes = taken[list]!;
    const roots = takenRoots[list]!;
    for (let index = 0; index < nodes.length; index++) {
      if (settled(roots[index]!)) continue;
      const node = nodes[index]!;
      if (!isProcessEnv(resolve(node))) continue;
      // Bound to a name, it is not yet taken; what the credential rules follow through the name may be.
      environment.whole = true;
      if (isBindingInit(node)) continue;
      use("environment", "process.env (all variables)", node.start);
    }
  }

  return { uses: dedupe(uses), requires: [...requires], decodedAndRun, decodedStrings, environment };

  function involvesDecoding(node: Node | undefined): boolean {
    if (!node) return false;
    const value = constant(node);
    if (value) {
      if (value.decoded) decodedStrings.push({ value: value.value, offset: node.start });
      return value.decoded;
    }
    // Not constant, but decoded on the spot: `eval(Buffer.from(x, "base64").toString())`, `eval(atob(x))`.
    const text = describe(node, 400);
    return /\batob\s*\(|Buffer\.from\s*\([^)]*["'`](base64|hex)["'`]|fromCharCode/.test(text);
  }
}

/** A loaded module as a value: only `module` and `process` have properties that matter. */
function loadedModule(specifier: string): Value {
  const name = moduleName(specifier);
  return name === "module" || name === "process" ? { kind: "module", name, path: [] } : DEAD;
}

function member(object: Value, key: string): Value | undefined {
  switch (object.kind) {
    case "global":
      if (key === "require") return { kind: "require" };
      if (GLOBAL_OBJECTS.has(key)) return object;
      if (key === "module") return { kind: "cjs-module", path: [] };
      return TRACKED_GLOBALS.has(key) ? { kind: "global-name", name: key, path: [] } : undefined;
    case "global-name":
      if (object.path.length > 0) return DEAD;
      if (object.name === "process" && key === "mainModule") return { kind: "cjs-module", path: [] };
      return GLOBAL_PATHS.has(`${object.name}.${key}`) ? { ...object, path: [key] } : DEAD;
    case "module":
      return object.path.length === 0 && MODULE_PATHS.has(`${object.name}.${key}`) ? { ...object, path: [key] } : DEAD;
    case "cjs-module": {
      if (object.path.length === 0 && key === "require") return { kind: "require" };
      const path = [...object.path, key];
      return CJS_PATHS.has(path.join(".")) ? { ...object, path } : DEAD;
    }
    case "require":
      return key === "main" ? { kind: "cjs-module", path: [] } : undefined;
    case "dead":
      return DEAD;
  }
}

function isProcessEnv(value: Value | undefined): boolean {
  if (!value) return false;
  if (value.kind === "global-name") return value.name === "process" && value.path.length === 1 && value.path[0] === "env";
  if (value.kind === "module") return value.name === "process" && value.path.length === 1 && value.path[0] === "env";
  return false;
}

function moduleName(specifier: string): string {
  return specifier.startsWith("node:") ? specifier.slice(5) : specifier;
}

function literalKey(node: Node): string | undefined {
  const n = node as AnyNode;
  if (n.type === "Identifier") return n.name;
  if (n.type === "Literal") return String(n.value);
  return undefined;
}

function arrayElements(node: Node | undefined): Expression[] {
  const n = node as AnyNode | undefined;
  if (n?.type !== "ArrayExpression") return [];
  return n.elements.filter((element): element is Expression => !!element && element.type !== "SpreadElement");
}

/** A short description of an expression for a message: its shape, not its value. */
function describe(node: Node | undefined, limit = 40): string {
  if (!node) return "";
  const n = node as AnyNode;
  if (n.type === "Identifier") return n.name;
  if (n.type === "MemberExpression" && !n.computed && n.property.type === "Identifier") return `${describe(n.object, limit)}.${n.property.name}`.slice(0, limit);
  if (n.type === "CallExpression") return `${describe(n.callee, limit)}(${n.arguments.map((arg) => describe(arg as Node, limit)).join(", ")})`.slice(0, limit);
  if (n.type === "Literal") return String(n.raw).slice(0, limit);
  return n.type === "TemplateLiteral" ? "`…`" : "…";
}

function dedupe(uses: FoundUse[]): FoundUse[] {
  const seen = new Set<string>();
  return uses
    .filter((found) => {
      const key = `${found.offset}:${found.capability}:${found.detail}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.offset - b.offset);
}
