import type { AnyNode, Expression, Node, Pattern, Program } from "acorn";
import { simple } from "acorn-walk";
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
}

/**
 * What a value is, as far as loading code and reaching the platform goes: the `require` function,
 * a loaded module (and a path of properties into it), the global object, a global name and a path
 * into it (`process.env`), or Node's `module` object.
 */
type Value =
  | { kind: "require" }
  | { kind: "module"; name: string; path: string[] }
  | { kind: "global" }
  | { kind: "global-name"; name: string; path: string[] }
  | { kind: "cjs-module"; path: string[] };

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
const MAX_DEPTH = 16;

/**
 * Finds what a parsed file can do in one walk over its tree, then resolves each candidate with the
 * file's bindings: aliases of `require` (`module.require`, `createRequire`, `process.mainModule`,
 * the global object, destructuring, `.call`), module names built from constants, `node:` prefixes.
 * Bindings are file-wide rather than per scope: a name bound once is followed wherever it is used.
 */
export function findCapabilities(ast: Program): FileCapabilities {
  const bindings = new Map<string, Binding[]>();
  const calls: (AnyNode & { type: "CallExpression" | "NewExpression" })[] = [];
  const members: (AnyNode & { type: "MemberExpression" })[] = [];
  const memberObjects = new Set<Node>();
  const imports: { source: Node; offset: number }[] = [];
  const envPatterns: { pattern: Pattern; init: Node }[] = [];
  const spreads: Node[] = [];

  const bind = (name: string, binding: Binding) => {
    const list = bindings.get(name);
    if (list) list.push(binding);
    else bindings.set(name, [binding]);
  };
  const declarePattern = (pattern: Pattern | null | undefined, init: Node | undefined, path: string[] = []) => {
    if (!pattern) return;
    switch (pattern.type) {
      case "Identifier":
        bind(pattern.name, init ? { init, path } : { path });
        return;
      case "ObjectPattern":
        for (const property of pattern.properties) {
          if (property.type === "RestElement") {
            declarePattern(property.argument, undefined);
            continue;
          }
          const key = !property.computed && property.key.type === "Identifier" ? property.key.name : literalKey(property.key);
          declarePattern(property.value, key === undefined ? undefined : init, key === undefined ? path : [...path, key]);
        }
        return;
      case "ArrayPattern":
        for (const element of pattern.elements) declarePattern(element, undefined);
        return;
      case "AssignmentPattern":
        declarePattern(pattern.left, init, path);
        return;
      case "RestElement":
        declarePattern(pattern.argument, undefined);
        return;
      default:
        return;
    }
  };
  const declareFunction = (node: AnyNode & { params: Pattern[]; id?: { name: string } | null }) => {
    for (const param of node.params) declarePattern(param, undefined);
  };

  simple(ast as Node, {
    VariableDeclarator(node) {
      const n = node as AnyNode & { type: "VariableDeclarator" };
      declarePattern(n.id, n.init ?? undefined);
      if (n.id.type === "ObjectPattern" && n.init) envPatterns.push({ pattern: n.id, init: n.init });
    },
    AssignmentExpression(node) {
      const n = node as AnyNode & { type: "AssignmentExpression" };
      if (n.operator === "=" && n.left.type === "Identifier") bind(n.left.name, { init: n.right, path: [] });
    },
    FunctionDeclaration(node) {
      const n = node as AnyNode & { type: "FunctionDeclaration" };
      if (n.id) {
        bind(n.id.name, { path: [] });
      }
      declareFunction(n);
    },
    FunctionExpression(node) {
      declareFunction(node as AnyNode & { type: "FunctionExpression" });
    },
    ArrowFunctionExpression(node) {
      declareFunction(node as AnyNode & { type: "ArrowFunctionExpression" });
    },
    ClassDeclaration(node) {
      const n = node as AnyNode & { type: "ClassDeclaration" };
      if (n.id) {
        bind(n.id.name, { path: [] });
      }
    },
    CatchClause(node) {
      declarePattern((node as AnyNode & { type: "CatchClause" }).param, undefined);
    },
    ImportDeclaration(node) {
      const n = node as AnyNode & { type: "ImportDeclaration" };
      imports.push({ source: n.source, offset: n.start });
      for (const specifier of n.specifiers) {
        const path = specifier.type === "ImportSpecifier" ? [literalKey(specifier.imported) ?? "default"] : [];
        bind(specifier.local.name, { module: String(n.source.value), path });
      }
    },
    ExportNamedDeclaration(node) {
      const n = node as AnyNode & { type: "ExportNamedDeclaration" };
      if (n.source) imports.push({ source: n.source, offset: n.start });
    },
    ExportAllDeclaration(node) {
      const n = node as AnyNode & { type: "ExportAllDeclaration" };
      imports.push({ source: n.source, offset: n.start });
    },
    ImportExpression(node) {
      const n = node as AnyNode & { type: "ImportExpression" };
      imports.push({ source: n.source, offset: n.start });
    },
    CallExpression(node) {
      calls.push(node as AnyNode & { type: "CallExpression" });
    },
    NewExpression(node) {
      calls.push(node as AnyNode & { type: "NewExpression" });
    },
    MemberExpression(node) {
      const n = node as AnyNode & { type: "MemberExpression" };
      members.push(n);
      memberObjects.add(n.object);
    },
    SpreadElement(node) {
      spreads.push((node as AnyNode & { type: "SpreadElement" }).argument);
    },
  });

  const single = (name: string): Node | undefined => {
    const only = bindings.get(name)?.length === 1 ? bindings.get(name)![0]! : undefined;
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
          return specifier ? { kind: "module", name: moduleName(specifier.value), path: [] } : undefined;
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
        return specifier ? { kind: "module", name: moduleName(specifier.value), path: [] } : undefined;
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
      case "ThisExpression":
        return undefined;
      default:
        return undefined;
    }
  };
  // A name resolves the same wherever it is used (bindings are file-wide), so each is resolved
  // once: minified bundles bind `e` or `t` thousands of times, and following every binding of every
  // name again at each use would be exponential. A name met again while resolving is a cycle.
  const resolvedNames = new Map<string, Value | undefined | "pending">();
  const resolveName = (name: string, depth: number): Value | undefined => {
    const known = resolvedNames.get(name);
    if (known === "pending") return undefined;
    if (resolvedNames.has(name)) return known;
    const list = bindings.get(name);
    if (!list) return globalValue(name);
    resolvedNames.set(name, "pending");
    let value: Value | undefined;
    for (const binding of list) {
      value = resolveBinding(binding, depth + 1);
      if (value) break;
    }
    resolvedNames.set(name, value);
    return value;
  };
  const resolveBinding = (binding: Binding, depth: number): Value | undefined => {
    let value: Value | undefined;
    if ("module" in binding) value = { kind: "module", name: moduleName(binding.module), path: [] };
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
  const propertyName = (n: AnyNode & { type: "MemberExpression" }): string | undefined => {
    if (!n.computed) return n.property.type === "Identifier" ? n.property.name : undefined;
    return constant(n.property)?.value;
  };

  const uses: FoundUse[] = [];
  const requires = new Set<string>();
  const decodedAndRun: number[] = [];
  const decodedStrings: DecodedString[] = [];
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

  for (const { source, offset } of imports) {
    const specifier = constant(source);
    if (specifier) loaded(specifier, offset);
    else notConstant("import", source, offset);
  }

  for (const call of calls) {
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
  function requireCalledIndirectly(call: AnyNode & { type: "CallExpression" | "NewExpression" }): boolean {
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
  for (const node of members) {
    const object = resolve(node.object);
    if (!isProcessEnv(object)) continue;
    const key = propertyName(node);
    use("environment", key === undefined ? "process.env[…]" : `process.env.${key}`, node.start);
  }
  for (const { pattern, init } of envPatterns) {
    if (!isProcessEnv(resolve(init)) || pattern.type !== "ObjectPattern") continue;
    for (const property of pattern.properties) {
      const key = property.type === "Property" ? (property.computed ? constant(property.key)?.value : literalKey(property.key)) : undefined;
      use("environment", key === undefined ? "process.env (all variables)" : `process.env.${key}`, property.start);
    }
  }
  const bindingInits = new Set<Node>();
  for (const list of bindings.values()) for (const binding of list) if ("init" in binding && binding.init) bindingInits.add(binding.init);
  for (const node of [...members.filter((member) => !memberObjects.has(member)), ...spreads]) {
    if (bindingInits.has(node) || !isProcessEnv(resolve(node))) continue;
    use("environment", "process.env (all variables)", node.start);
  }

  return { uses: dedupe(uses), requires: [...requires], decodedAndRun, decodedStrings };

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

type Binding = { init?: Node; path: string[] } | { module: string; path: string[] };

function member(object: Value, key: string): Value | undefined {
  switch (object.kind) {
    case "global":
      if (key === "require") return { kind: "require" };
      if (GLOBAL_OBJECTS.has(key)) return object;
      if (key === "module") return { kind: "cjs-module", path: [] };
      return TRACKED_GLOBALS.has(key) ? { kind: "global-name", name: key, path: [] } : undefined;
    case "global-name":
      if (object.name === "process" && object.path.length === 0 && key === "mainModule") return { kind: "cjs-module", path: [] };
      return { ...object, path: [...object.path, key] };
    case "module":
      return { ...object, path: [...object.path, key] };
    case "cjs-module":
      if (object.path.length === 0 && key === "require") return { kind: "require" };
      return { ...object, path: [...object.path, key] };
    case "require":
      return key === "main" ? { kind: "cjs-module", path: [] } : undefined;
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
