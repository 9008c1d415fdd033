import type { AnyNode, Node, Pattern, Program } from "acorn";

/** A function of the module: a declaration, an expression or an arrow. */
export type FunctionNode = AnyNode & { type: "FunctionDeclaration" | "FunctionExpression" | "ArrowFunctionExpression" };
export type CallNode = AnyNode & { type: "CallExpression" | "NewExpression" };

/** Where a name gets its value: an expression (and a path into it), an import, a function, or a parameter. */
export type Binding =
  | { kind: "init"; init: Node; path: string[] }
  | { kind: "import"; module: string; path: string[] }
  | { kind: "function"; fn: FunctionNode }
  | { kind: "param"; fn: FunctionNode; index: number }
  /** `for (const x of list)`: each element of the iterated value. */
  | { kind: "element"; of: Node }
  /** `for (const key in object)`: the keys of an object. */
  | { kind: "key"; of: Node }
  /** `let x;`, a catch parameter: declared here, its value comes from assignments or nowhere. */
  | { kind: "declared" };

/**
 * What a platform value is: Node's `require`, a module and a path into it (`fs.promises.readFile`),
 * a global and a path (`process.env.HOME`), or one of the module's own functions.
 */
export type Ref =
  | { kind: "require" }
  | { kind: "module"; name: string; path: string[] }
  | { kind: "global"; name: string; path: string[] }
  | { kind: "function"; fn: FunctionNode };

const GLOBAL_OBJECTS = new Set(["global", "globalThis", "window", "self"]);
/** Methods that put their arguments into the object they are called on. */
const ADDING_METHODS = new Set(["push", "unshift", "add", "set", "append", "splice"]);
const MAX_DEPTH = 24;
const MAX_TEXTS = 24;
/** Compilers' import helpers (TypeScript, Babel): they return the module, or an object whose `default` is it. */
const INTEROP_HELPER = /^_*(?:importDefault|importStar|interopRequireDefault|interopRequireWildcard|toESM|toCommonJS)$/;
const MAX_TEXT_BINDINGS = 6;
const MAX_METHODS = 3;
/** The nodes a call's `statement` can be: every kind of statement, and a variable declaration. */
const STATEMENTS = new Set([
  "ExpressionStatement",
  "BlockStatement",
  "EmptyStatement",
  "DebuggerStatement",
  "WithStatement",
  "ReturnStatement",
  "LabeledStatement",
  "BreakStatement",
  "ContinueStatement",
  "IfStatement",
  "SwitchStatement",
  "ThrowStatement",
  "TryStatement",
  "WhileStatement",
  "DoWhileStatement",
  "ForStatement",
  "ForInStatement",
  "ForOfStatement",
  "VariableDeclaration",
]);

/** A call with the statement around it, for rules that read the code near a call. */
export interface CallSite {
  node: CallNode;
  statement: Node | undefined;
  /** The call sits in a branch: an `if`, a `?:`, or the right side of `&&`/`||`. */
  conditional: boolean;
}

/** An object property (`rejectUnauthorized: false`) or member assignment (`x.rejectUnauthorized = false`) by name. */
export interface KeyedValue {
  key: string;
  value: Node;
  at: number;
  conditional: boolean;
}

/** A binding and where it is: declarations know their scope (a function, or the module); assignments find it when asked. */
type SitedBinding = Binding & { at: number; declaredIn?: Node };
type Scope = Node;

/**
 * One walk over a module that records what the credential rules need: bindings, calls, returns,
 * templates, keyed values. Names resolve by function scope (a minified bundle names a hundred
 * parameters `e`; each use means its own). Queries resolve lazily and remember the answers, so a
 * rule pays only for what it asks.
 */
export class ModuleFacts {
  private readonly sited = new Map<string, SitedBinding[]>();
  readonly calls: CallSite[] = [];
  readonly returns = new Map<FunctionNode, Node[]>();
  readonly templates: (AnyNode & { type: "TemplateLiteral" })[] = [];
  readonly concatenations: (AnyNode & { type: "BinaryExpression" })[] = [];
  /** Values written to a property of a named object after it was created: `payload.token = t`. */
  private readonly memberWrites = new Map<string, { key: string | undefined; value: Node; at: number }[]>();
  /** `this.key = value`, anywhere: classes keep their settings there. */
  readonly thisWrites = new Map<string, Node[]>();
  readonly keyed: KeyedValue[] = [];
  readonly forIns: { right: Node; statement: Node }[] = [];
  private readonly refs = new Map<Binding[], Ref | undefined | "pending">();
  private readonly byScope = new Map<string, Map<Scope, Binding[]>>();
  private readonly writesByScope = new Map<string, Map<Scope, { key: string | undefined; value: Node; at: number }[]>>();
  /** The names each function declares (its parameters, variables and inner functions). */
  private readonly declared = new Map<Scope, Set<string>>();
  /** Every function, by start offset, and the function each sits in. */
  private readonly functions: FunctionNode[] = [];
  private readonly parents = new Map<FunctionNode, FunctionNode>();
  private readonly textMemo = new Map<Node, string[]>();
  /** For each callback, the value it iterates: `list.forEach(x => …)` (found once for all callbacks). */
  private iterated: Map<FunctionNode, Node> | undefined;
  private readonly functionCalls = new Map<FunctionNode, CallNode[]>();
  private readonly methods = new Map<string, FunctionNode[]>();
  private readonly computedKeys: (Omit<KeyedValue, "key"> & { key: Node })[] = [];
  private callsIndexed = false;

  constructor(
    readonly ast: Program,
    readonly source: string,
  ) {
    this.visit(ast as AnyNode);
    // The walk visits a function after its body: order them by where they start for lookups.
    this.functions.sort((a, b) => a.start - b.start);
    // `{ [name]: "0" }` with `const name = "NODE_TLS_REJECT_UNAUTHORIZED"`: keys known once every binding is.
    for (const { key, ...rest } of this.computedKeys) {
      const name = this.constant(key);
      if (name !== undefined) this.keyed.push({ key: name, ...rest });
    }
  }

  /** Records a binding: `scope` for a declaration, none for an assignment (its variable is found when asked). */
  private bind(name: string, binding: Binding, at: number, scope?: Scope): void {
    const sited: SitedBinding = scope ? { ...binding, at, declaredIn: scope } : { ...binding, at };
    const list = this.sited.get(name);
    if (list) list.push(sited);
    else this.sited.set(name, [sited]);
    if (scope) {
      const names = this.declared.get(scope);
      if (names) names.add(name);
      else this.declared.set(scope, new Set([name]));
    }
  }

  private declare(pattern: Pattern | null | undefined, make: (path: string[]) => Binding | undefined, scope: Scope | undefined, path: string[] = []): void {
    if (!pattern) return;
    switch (pattern.type) {
      case "Identifier": {
        const binding = make(path);
        if (binding) this.bind(pattern.name, binding, pattern.start, scope);
        return;
      }
      case "ObjectPattern":
        for (const property of pattern.properties) {
          if (property.type === "RestElement") this.declare(property.argument, make, scope, path);
          else this.declare(property.value, make, scope, [...path, keyName(property.key, property.computed) ?? "*"]);
        }
        return;
      case "ArrayPattern":
        for (const element of pattern.elements) this.declare(element, make, scope, path);
        return;
      case "AssignmentPattern":
        this.declare(pattern.left, make, scope, path);
        // `{ apiKey = process.env.ACME_API_KEY }`: the default is one of the values the name takes.
        if (pattern.left.type === "Identifier") this.bind(pattern.left.name, { kind: "init", init: pattern.right, path: [] }, pattern.left.start, scope);
        return;
      case "RestElement":
        this.declare(pattern.argument, make, scope, path);
        return;
      default:
        return;
    }
  }

  private declareParams(fn: FunctionNode, parent: FunctionNode | undefined): void {
    this.functions.push(fn);
    if (parent) this.parents.set(fn, parent);
    fn.params.forEach((param, index) => this.declare(param, () => ({ kind: "param", fn, index }), fn));
  }

  /** The innermost function around an offset (functions nest, so the one starting last before it, or a parent). */
  private functionAt(offset: number): FunctionNode | undefined {
    let low = 0;
    let high = this.functions.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (this.functions[middle]!.start <= offset) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    let fn = found >= 0 ? this.functions[found] : undefined;
    while (fn && !(offset < fn.end)) fn = this.parents.get(fn);
    return fn;
  }

  /** The scope a use of `name` at `offset` refers to: the innermost function around it declaring it, or the module. */
  private scopeOf(name: string, offset: number): Scope {
    for (let fn = this.functionAt(offset); fn; fn = this.parents.get(fn)) if (this.declared.get(fn)?.has(name)) return fn;
    return this.ast;
  }

  /**
   * The bindings a use of `name` at `offset` sees: its scope's declarations and the assignments to
   * that variable. Undefined for a global: a name the module never binds where it is used.
   */
  bindingsAt(name: string, offset: number): Binding[] | undefined {
    const groups = this.groups(name);
    return groups?.get(this.scopeOf(name, offset));
  }

  /** A name's bindings by the scope of the variable they bind, grouped once per name. */
  private groups(name: string): Map<Scope, Binding[]> | undefined {
    const known = this.byScope.get(name);
    if (known) return known;
    const list = this.sited.get(name);
    if (!list) return undefined;
    const groups = new Map<Scope, Binding[]>();
    for (const binding of list) {
      const scope = binding.declaredIn ?? this.scopeOf(name, binding.at);
      const group = groups.get(scope);
      if (group) group.push(binding);
      else groups.set(scope, [binding]);
    }
    this.byScope.set(name, groups);
    return groups;
  }

  /**
   * The variable a name used at an offset refers to, as a key for callers that remember answers per
   * variable: its bindings in its scope (one list per variable), or the name itself for a global.
   */
  variableKey(name: string, offset: number): Binding[] | string {
    return this.bindingsAt(name, offset) ?? name;
  }

  /** Values written into the variable's object after it was made: `payload.token = t`, `list.push(t)`. */
  writesAt(name: string, offset: number): { key: string | undefined; value: Node }[] {
    const list = this.memberWrites.get(name);
    if (!list) return [];
    let groups = this.writesByScope.get(name);
    if (!groups) {
      groups = new Map();
      for (const write of list) {
        const scope = this.scopeOf(name, write.at);
        const group = groups.get(scope);
        if (group) group.push(write);
        else groups.set(scope, [write]);
      }
      this.writesByScope.set(name, groups);
    }
    return groups.get(this.scopeOf(name, offset)) ?? [];
  }

  /** The function being walked (undefined at the module's top level). */
  private fn: FunctionNode | undefined;
  /** The innermost statement around the node being walked. */
  private statement: Node | undefined;
  /** Whether the node being walked runs only on a branch of its function: an `if`, a `?:`, the right of `&&`/`||`. */
  private conditional = false;

  /**
   * Visits a node's children, then records the node: the order acorn-walk's walks visit in. A walker
   * of its own rather than acorn-walk's `ancestor`: one switch per node, and the function, statement
   * and branch around a node kept as it goes instead of searched for in a list of ancestors (the
   * credential rules took 13% less time on next@15's bundles than with the `ancestor` walk).
   */
  private visit(node: AnyNode | null | undefined): void {
    if (!node) return;
    if (!STATEMENTS.has(node.type)) {
      this.children(node);
      return;
    }
    const outer = this.statement;
    this.statement = node;
    this.children(node);
    this.statement = outer;
  }

  /** A node's children, in acorn-walk's order, then what the node itself records. */
  private children(node: AnyNode): void {
    switch (node.type) {
      case "Identifier":
      case "Literal":
      case "ThisExpression":
      case "Super":
      case "TemplateElement":
      case "EmptyStatement":
      case "DebuggerStatement":
      case "BreakStatement":
      case "ContinueStatement":
      case "MetaProperty":
      case "PrivateIdentifier":
      case "ImportSpecifier":
      case "ImportDefaultSpecifier":
      case "ImportNamespaceSpecifier":
      case "ExportSpecifier":
        return;
      case "Program":
        this.all(node.body);
        return;
      case "BlockStatement":
        this.all(node.body);
        return;
      case "StaticBlock":
        this.all(node.body);
        return;
      case "ExpressionStatement":
      case "ParenthesizedExpression":
      case "ChainExpression":
        this.visit(node.expression);
        return;
      case "ReturnStatement":
        this.visit(node.argument);
        if (node.argument && this.fn) {
          const list = this.returns.get(this.fn);
          if (list) list.push(node.argument);
          else this.returns.set(this.fn, [node.argument]);
        }
        return;
      case "ThrowStatement":
        this.visit(node.argument);
        return;
      case "YieldExpression":
      case "AwaitExpression":
      case "UnaryExpression":
      case "UpdateExpression":
      case "SpreadElement":
      case "RestElement":
        this.visit(node.argument);
        return;
      case "LabeledStatement":
        this.visit(node.body);
        return;
      case "WithStatement":
        this.visit(node.object);
        this.visit(node.body);
        return;
      case "IfStatement":
        this.visit(node.test);
        this.branch(node.consequent);
        this.branch(node.alternate);
        return;
      case "ConditionalExpression":
        this.visit(node.test);
        this.branch(node.consequent);
        this.branch(node.alternate);
        return;
      case "LogicalExpression":
        this.visit(node.left);
        this.branch(node.right);
        return;
      case "SwitchStatement":
        this.visit(node.discriminant);
        for (const item of node.cases) {
          this.visit(item.test);
          this.all(item.consequent);
        }
        return;
      case "TryStatement":
        this.visit(node.block);
        this.visit(node.handler);
        this.visit(node.finalizer);
        return;
      case "CatchClause":
        this.visit(node.param);
        this.visit(node.body);
        this.declare(node.param, () => ({ kind: "declared" }), this.fn ?? this.ast);
        return;
      case "WhileStatement":
        this.visit(node.test);
        this.visit(node.body);
        return;
      case "DoWhileStatement":
        this.visit(node.body);
        this.visit(node.test);
        return;
      case "ForStatement":
        this.visit(node.init);
        this.visit(node.test);
        this.visit(node.update);
        this.visit(node.body);
        return;
      case "ForInStatement":
      case "ForOfStatement":
        this.visit(node.left);
        this.visit(node.right);
        this.visit(node.body);
        if (node.type === "ForOfStatement") this.declareLoop(node.left, { kind: "element", of: node.right }, this.fn ?? this.ast);
        else {
        this.declareLoop(node.left, { kind: "key", of: node.right }, this.fn ?? this.ast);
        this.forIns.push({ right: node.right, statement: node });
        }
        return;
      case "VariableDeclaration":
        this.all(node.declarations);
        return;
      case "VariableDeclarator": {
        this.visit(node.id);
        this.visit(node.init);
        const init = node.init;
        // A declaration without a value still declares the name in its scope (assignments follow).
        this.declare(node.id, init ? (path) => ({ kind: "init", init, path }) : () => ({ kind: "declared" }), this.fn ?? this.ast);
        return;
      }
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        const outer = this.fn;
        const wasConditional = this.conditional;
        this.fn = node;
        this.conditional = false;
        this.all(node.params);
        this.visit(node.body);
        this.fn = outer;
        this.conditional = wasConditional;
        if (node.type === "FunctionDeclaration" && node.id) this.bind(node.id.name, { kind: "function", fn: node }, node.id.start, outer ?? this.ast);
        this.declareParams(node, outer);
        if (node.type === "ArrowFunctionExpression" && node.expression) this.returns.set(node, [node.body]);
        return;
      }
      case "ClassDeclaration":
      case "ClassExpression":
        this.visit(node.id);
        this.visit(node.superClass);
        this.all(node.body.body);
        return;
      case "MethodDefinition":
      case "PropertyDefinition": {
        if (node.computed) this.visit(node.key);
        this.visit(node.value);
        const key = keyName(node.key, node.computed);
        if (node.type === "MethodDefinition" && key !== undefined && node.kind === "method") this.addMethod(key, node.value);
        return;
      }
      case "ObjectExpression":
        for (const property of node.properties) {
          if (property.type === "SpreadElement") {
        this.visit(property);
            continue;
          }
        this.property(property);
          const key = keyName(property.key, property.computed);
          if (key !== undefined) this.keyed.push({ key, value: property.value, at: property.start, conditional: this.conditional });
          else if (property.computed) this.computedKeys.push({ key: property.key, value: property.value, at: property.start, conditional: this.conditional });
        }
        return;
      case "ObjectPattern":
        for (const property of node.properties) {
          if (property.type === "RestElement") this.visit(property);
          else {
            if (property.computed) this.visit(property.key);
        this.visit(property.value);
          }
        }
        return;
      case "Property":
        this.property(node);
        return;
      case "ArrayExpression":
      case "ArrayPattern":
        for (const element of node.elements) this.visit(element);
        return;
      case "AssignmentPattern":
        this.visit(node.left);
        this.visit(node.right);
        return;
      case "BinaryExpression":
        this.visit(node.left);
        this.visit(node.right);
        if (node.operator === "+" && node.right.type !== "Literal") this.concatenations.push(node);
        return;
      case "AssignmentExpression":
        this.visit(node.left);
        this.visit(node.right);
        this.assignment(node);
        return;
      case "MemberExpression":
        this.visit(node.object);
        if (node.computed) this.visit(node.property);
        return;
      case "CallExpression":
      case "NewExpression":
        this.visit(node.callee);
        this.all(node.arguments);
        this.call(node);
        return;
      case "SequenceExpression":
        this.all(node.expressions);
        return;
      case "TemplateLiteral":
        this.all(node.expressions);
        if (node.expressions.length > 0) this.templates.push(node);
        return;
      case "TaggedTemplateExpression":
        this.visit(node.tag);
        this.visit(node.quasi);
        return;
      case "ImportDeclaration":
        this.all(node.attributes);
        for (const specifier of node.specifiers) {
          const path = specifier.type === "ImportSpecifier" ? [keyName(specifier.imported, false) ?? "default"] : [];
        this.bind(specifier.local.name, { kind: "import", module: moduleName(String(node.source.value)), path }, specifier.start, this.ast);
        }
        return;
      case "ExportNamedDeclaration":
        this.visit(node.declaration);
        this.all(node.attributes);
        return;
      case "ExportDefaultDeclaration":
        this.visit(node.declaration);
        return;
      case "ExportAllDeclaration":
        this.all(node.attributes);
        return;
      case "ImportAttribute":
        this.visit(node.value);
        return;
      case "ImportExpression":
        this.visit(node.source);
        this.visit(node.options);
        return;
      default:
        return;
    }
  }

  private all(nodes: readonly (AnyNode | null)[]): void {
    for (let index = 0; index < nodes.length; index++) this.visit(nodes[index]);
  }


  /** A node that runs only when a condition holds. */
  private branch(node: AnyNode | null | undefined): void {
    const outer = this.conditional;
    this.conditional = true;
    this.visit(node);
    this.conditional = outer;
  }

  /** A property of an object literal: its value, and the method it defines. */
  private property(node: AnyNode & { type: "Property" }): void {
    if (node.computed) this.visit(node.key);
    this.visit(node.value);
    const key = keyName(node.key, node.computed);
    const value = node.value as AnyNode;
    if (key !== undefined && (value.type === "FunctionExpression" || value.type === "ArrowFunctionExpression")) this.addMethod(key, value);
  }

  private assignment(node: AnyNode & { type: "AssignmentExpression" }): void {
    if (node.operator !== "=" && node.operator !== "||=" && node.operator !== "??=" && node.operator !== "+=") return;
    const left = node.left as AnyNode;
    if (left.type === "Identifier") this.bind(left.name, { kind: "init", init: node.right, path: [] }, left.start);
    else if (left.type === "MemberExpression") {
      const key = memberKey(left);
      const root = rootObject(left);
      if (root?.type === "Identifier") this.addWrite(root.name, left.object === root ? key : undefined, node.right, root.start);
      else if (root?.type === "ThisExpression" && key !== undefined && left.object === root) {
        const list = this.thisWrites.get(key) ?? [];
        list.push(node.right);
        this.thisWrites.set(key, list);
      }
      if (key !== undefined) this.keyed.push({ key, value: node.right, at: left.start, conditional: this.conditional });
      else if (left.computed) this.computedKeys.push({ key: left.property as Node, value: node.right, at: left.start, conditional: this.conditional });
    } else if (left.type === "ObjectPattern" || left.type === "ArrayPattern") this.declare(left, (path) => ({ kind: "init", init: node.right, path }), undefined);
  }

  private call(node: CallNode): void {
    this.calls.push({ node, statement: this.statement, conditional: this.conditional });
    if (node.type !== "CallExpression") return;
    // `list.push(value)`, `Object.assign(target, value)`: the value now lives in the named object.
    const callee = node.callee as AnyNode;
    if (callee.type !== "MemberExpression") return;
    const method = memberKey(callee);
    const object = callee.object as AnyNode;
    if (method !== undefined && ADDING_METHODS.has(method) && object.type === "Identifier") {
      for (const arg of node.arguments) this.addWrite(object.name, undefined, arg as Node, object.start);
    } else if (method === "assign" && object.type === "Identifier" && object.name === "Object") {
      const target = rootObject(node.arguments[0] as AnyNode);
      if (target?.type === "Identifier") for (const arg of node.arguments.slice(1)) this.addWrite(target.name, undefined, arg as Node, target.start);
    }
  }

  private addMethod(name: string, fn: FunctionNode): void {
    const list = this.methods.get(name);
    if (list) list.push(fn);
    else this.methods.set(name, [fn]);
  }

  /**
   * The module's own functions a method call may run: object literal and class methods of that name
   * (`api.send(token)`, `this.post(body)`). Common names defined many times say nothing.
   */
  methodsNamed(name: string): FunctionNode[] {
    const list = this.methods.get(name);
    return list && list.length <= MAX_METHODS ? list : [];
  }

  private addWrite(name: string, key: string | undefined, value: Node, at: number): void {
    const list = this.memberWrites.get(name);
    if (list) list.push({ key, value, at });
    else this.memberWrites.set(name, [{ key, value, at }]);
  }

  private declareLoop(left: AnyNode, binding: Binding, scope: Scope): void {
    if (left.type === "VariableDeclaration") for (const declarator of left.declarations) this.declare(declarator.id, () => binding, scope);
    else if (left.type === "Identifier") this.bind(left.name, binding, left.start);
    else if (left.type === "ObjectPattern" || left.type === "ArrayPattern") this.declare(left, () => binding, undefined);
  }

  /** What a callee or value is, as far as modules and globals go; undefined for anything else. */
  ref(node: Node | null | undefined, depth = 0): Ref | undefined {
    if (!node || depth > MAX_DEPTH) return undefined;
    const n = node as AnyNode;
    switch (n.type) {
      case "Identifier":
        return this.refOfName(n.name, n.start, depth);
      case "MemberExpression": {
        const object = this.ref(n.object, depth + 1);
        const key = object && memberKey(n, (value) => this.constant(value));
        return object && key !== undefined ? extend(object, key) : undefined;
      }
      case "CallExpression": {
        // `fetch.bind(globalThis)` is `fetch`.
        if (n.callee.type === "MemberExpression" && memberKey(n.callee) === "bind") return this.ref(n.callee.object, depth + 1);
        const callee = this.ref(n.callee, depth + 1);
        if (!callee) return undefined;
        if (callee.kind === "require") {
          const specifier = this.constant(n.arguments[0]);
          return specifier === undefined ? undefined : { kind: "module", name: moduleName(specifier), path: [] };
        }
        // `__importDefault(require("axios"))`, as compilers write imports: the module itself.
        if (n.callee.type === "Identifier" && INTEROP_HELPER.test(n.callee.name)) return this.ref(n.arguments[0] as Node | undefined, depth + 1);
        // `util.promisify(exec)` is `exec`, as far as what it reaches goes.
        if (callee.kind === "module" && callee.name === "util" && callee.path.join(".") === "promisify") return this.ref(n.arguments[0], depth + 1);
        if (callee.kind === "module" && callee.name === "module" && callee.path.join(".") === "createRequire") return { kind: "require" };
        return undefined;
      }
      case "ImportExpression": {
        const specifier = this.constant(n.source);
        return specifier === undefined ? undefined : { kind: "module", name: moduleName(specifier), path: [] };
      }
      case "AwaitExpression":
        return this.ref(n.argument, depth + 1);
      case "ChainExpression":
        return this.ref(n.expression, depth + 1);
      case "SequenceExpression":
        return this.ref(n.expressions.at(-1), depth + 1);
      case "LogicalExpression":
        return this.ref(n.left, depth + 1) ?? this.ref(n.right, depth + 1);
      case "FunctionExpression":
      case "ArrowFunctionExpression":
        return { kind: "function", fn: n };
      default:
        return undefined;
    }
  }

  private refOfName(name: string, offset: number, depth: number): Ref | undefined {
    const list = this.bindingsAt(name, offset);
    if (!list) return globalRef(name);
    const known = this.refs.get(list);
    if (known === "pending") return undefined;
    if (this.refs.has(list)) return known;
    this.refs.set(list, "pending");
    let found: Ref | undefined;
    for (const binding of list) {
      found = this.refOfBinding(binding, depth + 1);
      if (found) break;
    }
    this.refs.set(list, found);
    return found;
  }

  private refOfBinding(binding: Binding, depth: number): Ref | undefined {
    let value: Ref | undefined;
    switch (binding.kind) {
      case "import":
        value = { kind: "module", name: binding.module, path: [] };
        break;
      case "init":
        value = this.ref(binding.init, depth);
        break;
      case "function":
        return { kind: "function", fn: binding.fn };
      default:
        return undefined;
    }
    for (const key of binding.path) value = value && extend(value, key);
    return value;
  }

  /** The module's own function a callee names, if any. */
  functionOf(callee: Node): FunctionNode | undefined {
    const ref = this.ref(callee);
    return ref?.kind === "function" ? ref.fn : undefined;
  }

  /** The calls of one of the module's functions by name (`send(token)`), found once for all functions. */
  callsOf(fn: FunctionNode): CallNode[] {
    if (!this.callsIndexed) {
      this.callsIndexed = true;
      for (const { node } of this.calls) {
        const callee = node.callee as AnyNode;
        const method = callee.type === "MemberExpression" ? memberKey(callee) : undefined;
        const targets = callee.type === "Identifier" ? [this.functionOf(callee)] : method !== undefined ? this.methodsNamed(method) : [];
        for (const target of targets) {
          if (!target) continue;
          const list = this.functionCalls.get(target);
          if (list) list.push(node);
          else this.functionCalls.set(target, [node]);
        }
      }
    }
    return this.functionCalls.get(fn) ?? [];
  }

  /** The string an expression is, when it is one constant (a literal, or a name bound once to one). */
  constant(node: Node | null | undefined, depth = 0): string | undefined {
    if (!node || depth > 8) return undefined;
    const n = node as AnyNode;
    if (n.type === "Literal") return typeof n.value === "string" || typeof n.value === "number" ? String(n.value) : undefined;
    if (n.type === "TemplateLiteral" && n.expressions.length === 0) return n.quasis[0]?.value.cooked ?? undefined;
    if (n.type === "Identifier") {
      const list = this.bindingsAt(n.name, n.start);
      const only = list?.length === 1 ? list[0] : undefined;
      return only?.kind === "init" && only.path.length === 0 ? this.constant(only.init, depth + 1) : undefined;
    }
    if (n.type === "BinaryExpression" && n.operator === "+") {
      const left = this.constant(n.left, depth + 1);
      const right = left === undefined ? undefined : this.constant(n.right, depth + 1);
      return right === undefined ? undefined : left! + right;
    }
    return undefined;
  }

  /**
   * The texts an expression can be, with what is unknown written `*`: a path built with
   * `path.join(os.homedir(), ".npmrc")` is `~/.npmrc`, a command built from a template keeps its
   * words. Arrays and loops give one text per element, up to a bound.
   */
  texts(node: Node | null | undefined, depth = 0): string[] {
    if (!node || depth > 10) return ["*"];
    const known = this.textMemo.get(node);
    if (known) return known;
    this.textMemo.set(node, ["*"]); // a cycle reads as unknown
    const found = this.computeTexts(node as AnyNode, depth);
    this.textMemo.set(node, found);
    return found;
  }

  private computeTexts(n: AnyNode, depth: number): string[] {
    switch (n.type) {
      case "Literal":
        return typeof n.value === "string" || typeof n.value === "number" ? [String(n.value)] : ["*"];
      case "TemplateLiteral": {
        let results = [n.quasis[0]?.value.cooked ?? ""];
        n.expressions.forEach((expression, index) => {
          const parts = this.texts(expression, depth + 1);
          const tail = n.quasis[index + 1]?.value.cooked ?? "";
          results = product(results, parts.map((part) => part + tail), "");
        });
        return results;
      }
      case "BinaryExpression":
        return n.operator === "+" ? product(this.texts(n.left, depth + 1), this.texts(n.right, depth + 1), "") : ["*"];
      case "ArrayExpression":
        return n.elements.flatMap((element) => (element && element.type !== "SpreadElement" ? this.texts(element, depth + 1) : [])).slice(0, MAX_TEXTS);
      case "ObjectExpression":
        // An object of paths (`{ aws: "~/.aws/credentials", … }`) is iterated for its values.
        return n.properties.flatMap((property) => (property.type === "Property" ? this.texts(property.value, depth + 1) : [])).slice(0, MAX_TEXTS);
      case "Identifier": {
        const list = this.bindingsAt(n.name, n.start);
        if (!list) return [n.name === "__dirname" || n.name === "__filename" ? "." : "*"];
        // A name bound many times (minified code reuses `e` everywhere) says nothing about one path.
        if (list.length > MAX_TEXT_BINDINGS) return ["*"];
        const results = list.flatMap((binding) => {
          if (binding.kind === "init" && binding.path.length === 0) return this.texts(binding.init, depth + 1);
          if (binding.kind === "element") return this.texts(binding.of, depth + 1);
          if (binding.kind === "param") return this.paramTexts(binding, depth + 1);
          return ["*"];
        });
        // `out.push(path)`: what was put in a list is among its texts.
        for (const write of this.writesAt(n.name, n.start)) if (write.key === undefined) results.push(...this.texts(write.value, depth + 1));
        return [...new Set(results)].slice(0, MAX_TEXTS);
      }
      case "MemberExpression": {
        const ref = this.ref(n);
        if (ref?.kind === "global" && ref.name === "process" && /^env\.(?:HOME|USERPROFILE)$/.test(ref.path.join("."))) return ["~"];
        // `this.targets`: what the class put there.
        if ((n.object as AnyNode).type === "ThisExpression") {
          const key = memberKey(n);
          const values = key === undefined ? [] : (this.thisWrites.get(key) ?? []);
          return values.length > 0 ? values.flatMap((value) => this.texts(value, depth + 1)).slice(0, MAX_TEXTS) : ["*"];
        }
        // `settings.base` of `const settings = { base: "https://…" }`.
        const key = memberKey(n);
        const literal = key === undefined ? undefined : this.objectLiteral(n.object);
        const property = literal?.properties.find((candidate) => candidate.type === "Property" && keyName(candidate.key, candidate.computed) === key);
        return property?.type === "Property" ? this.texts(property.value, depth + 1) : ["*"];
      }
      case "NewExpression": {
        // `new URL(relative, base)`.
        const callee = this.ref(n.callee);
        if (callee?.kind === "global" && callee.name === "URL" && callee.path.length === 0) {
          const [relative, base] = n.arguments as Node[];
          return base ? product(this.texts(base, depth + 1), this.texts(relative, depth + 1), "/") : this.texts(relative, depth + 1);
        }
        return ["*"];
      }
      case "SpreadElement": {
        // `path.join(home, ...segments)` with `(...segments)` a rest parameter: each call's arguments.
        const argument = n.argument as AnyNode;
        const binding = argument.type === "Identifier" ? this.bindingsAt(argument.name, argument.start)?.find((candidate) => candidate.kind === "param") : undefined;
        if (binding?.kind !== "param" || binding.fn.params[binding.index]?.type !== "RestElement") return this.texts(argument, depth + 1);
        return this.callsOf(binding.fn).flatMap((call) => [
          (call.arguments.slice(binding.index) as Node[]).map((arg) => this.texts(arg, depth + 1)[0] ?? "*").join("/"),
        ]).slice(0, MAX_TEXTS);
      }
      case "LogicalExpression":
        return [...this.texts(n.left, depth + 1), ...this.texts(n.right, depth + 1)].slice(0, MAX_TEXTS);
      case "ConditionalExpression":
        return [...this.texts(n.consequent, depth + 1), ...this.texts(n.alternate, depth + 1)].slice(0, MAX_TEXTS);
      case "AwaitExpression":
        return this.texts(n.argument, depth + 1);
      case "CallExpression": {
        const callee = this.ref(n.callee);
        const path = callee?.kind === "module" ? `${callee.name}.${callee.path.join(".")}` : undefined;
        if (path === "os.homedir" || path === "os.userInfo.homedir") return ["~"];
        if (callee?.kind === "function") return (this.returns.get(callee.fn) ?? []).flatMap((value) => this.texts(value, depth + 1)).slice(0, MAX_TEXTS);
        const global = callee?.kind === "global" ? [callee.name, ...callee.path].join(".") : undefined;
        if (global === "Object.values" || global === "Object.entries") return this.texts(n.arguments[0] as Node | undefined, depth + 1);
        if (path === "path.join" || path === "path.resolve" || path === "path.posix.join" || path === "path.win32.join") {
          return n.arguments.map((arg) => this.texts(arg as Node, depth + 1)).reduce((all, parts) => product(all, parts, "/"));
        }
        // `[…].map(f => …)`, `[…].join(" ")`: the elements, or their joined text.
        if (n.callee.type === "MemberExpression") {
          const method = memberKey(n.callee);
          if (method === "join") return [this.texts(n.callee.object, depth + 1).join(this.constant(n.arguments[0] as Node) ?? ",")];
          if (method === "map" || method === "filter" || method === "concat" || method === "slice") return this.texts(n.callee.object, depth + 1);
          if (method === "toString" || method === "trim") return this.texts(n.callee.object, depth + 1);
        }
        return ["*"];
      }
      default:
        return ["*"];
    }
  }

  /** A callback's parameter in `list.forEach(x => …)` or `list.map(x => …)` is each element of the list. */
  private paramTexts(binding: Binding & { kind: "param" }, depth: number): string[] {
    if (!this.iterated) {
      this.iterated = new Map();
      for (const { node } of this.calls) {
        if (node.callee.type !== "MemberExpression") continue;
        const method = memberKey(node.callee);
        if (method !== "forEach" && method !== "map" && method !== "filter" && method !== "some") continue;
        const callback = node.arguments[0] as AnyNode | undefined;
        if (callback?.type === "FunctionExpression" || callback?.type === "ArrowFunctionExpression") this.iterated.set(callback, node.callee.object);
      }
    }
    const list = binding.index === 0 ? this.iterated.get(binding.fn) : undefined;
    if (list) return this.texts(list, depth);
    // `(region = "us-east-1")`: the default, and whatever the calls pass.
    const param = binding.fn.params[binding.index] as AnyNode | undefined;
    const fallback = param?.type === "AssignmentPattern" ? this.texts(param.right, depth) : ["*"];
    const rest = param?.type === "RestElement";
    const passed = this.callsOf(binding.fn).flatMap((call) => (rest ? (call.arguments.slice(binding.index) as Node[]) : [call.arguments[binding.index] as Node | undefined]).flatMap((arg) => this.texts(arg, depth)));
    return [...new Set([...fallback, ...passed])].slice(0, MAX_TEXTS);
  }

  /** The object literal a name is bound to, once: `const settings = { … }`. */
  objectLiteral(node: Node): (AnyNode & { type: "ObjectExpression" }) | undefined {
    const n = node as AnyNode;
    if (n.type === "ObjectExpression") return n;
    if (n.type !== "Identifier") return undefined;
    const list = this.bindingsAt(n.name, n.start);
    const only = list?.length === 1 ? list[0] : undefined;
    return only?.kind === "init" && only.path.length === 0 && (only.init as AnyNode).type === "ObjectExpression" ? (only.init as AnyNode & { type: "ObjectExpression" }) : undefined;
  }

  /** The source text of a node, cut to a bound. */
  text(node: Node, limit = 4000): string {
    return this.source.slice(node.start, Math.min(node.end, node.start + limit));
  }
}

function product(left: string[], right: string[], separator: string): string[] {
  const results: string[] = [];
  for (const a of left) for (const b of right) if (results.length < MAX_TEXTS) results.push(a === "" ? b : b === "" ? a : a + separator + b);
  return results;
}

function extend(ref: Ref, key: string): Ref | undefined {
  switch (ref.kind) {
    case "module":
      return { ...ref, path: [...ref.path, key] };
    case "global":
      if (GLOBAL_OBJECTS.has(ref.name) && ref.path.length === 0) return key === "require" ? { kind: "require" } : (globalRef(key) ?? { kind: "global", name: key, path: [] });
      return { ...ref, path: [...ref.path, key] };
    default:
      return undefined;
  }
}

function globalRef(name: string): Ref | undefined {
  if (name === "require") return { kind: "require" };
  if (GLOBAL_OBJECTS.has(name)) return { kind: "global", name: "globalThis", path: [] };
  return { kind: "global", name, path: [] };
}

function moduleName(specifier: string): string {
  return specifier.startsWith("node:") ? specifier.slice(5) : specifier;
}

function keyName(key: Node, computed: boolean): string | undefined {
  const n = key as AnyNode;
  if (!computed && n.type === "Identifier") return n.name;
  if (!computed && n.type === "PrivateIdentifier") return `#${n.name}`;
  if (n.type === "Literal") return String(n.value);
  return undefined;
}

/** The property name of a member expression, when it is written or constant. */
export function memberKey(node: AnyNode & { type: "MemberExpression" }, constant?: (node: Node) => string | undefined): string | undefined {
  if (!node.computed) return node.property.type === "Identifier" ? node.property.name : node.property.type === "PrivateIdentifier" ? `#${node.property.name}` : undefined;
  const property = node.property as AnyNode;
  if (property.type === "Literal") return String(property.value);
  return constant?.(property);
}

function rootObject(node: AnyNode): AnyNode | undefined {
  let current: AnyNode = node;
  while (current.type === "MemberExpression") current = current.object as AnyNode;
  return current.type === "Identifier" || current.type === "ThisExpression" ? current : undefined;
}
