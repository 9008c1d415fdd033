import type { AnyNode, Expression, Node } from "acorn";

/** A string the code builds from constants, and whether decoding (base64, hex, char codes) made it. */
export interface ConstantString {
  value: string;
  decoded: boolean;
}

/** Resolves an identifier to the expression it was bound to, when there is one such binding. */
export type BindingLookup = (name: string) => Node | undefined;

const MAX_LENGTH = 1 << 20;
const MAX_DEPTH = 12;

/**
 * Evaluates the string an expression builds from constants, without running anything: literals,
 * templates, `+`, constant bindings, `[...].join`, `split`/`reverse`, `String.fromCharCode`, `atob`,
 * `Buffer.from(..., "base64" | "hex").toString()`, `decodeURIComponent` and a few string methods.
 * Undefined when the value depends on anything else.
 */
export function constantString(node: Node | null | undefined, lookup: BindingLookup): ConstantString | undefined {
  return new Evaluator(lookup).string(node, 0);
}

class Evaluator {
  constructor(private readonly lookup: BindingLookup) {}

  string(node: Node | null | undefined, depth: number): ConstantString | undefined {
    if (!node || depth > MAX_DEPTH) return undefined;
    const n = node as AnyNode;
    switch (n.type) {
      case "Literal":
        if (typeof n.value === "string") return { value: n.value, decoded: false };
        if (typeof n.value === "number") return { value: String(n.value), decoded: false };
        return undefined;
      case "TemplateLiteral": {
        let value = n.quasis[0]?.value.cooked ?? "";
        let decoded = false;
        for (let index = 0; index < n.expressions.length; index++) {
          const part = this.string(n.expressions[index], depth + 1);
          if (!part) return undefined;
          value += part.value + (n.quasis[index + 1]?.value.cooked ?? "");
          decoded ||= part.decoded;
        }
        return bounded(value, decoded);
      }
      case "BinaryExpression": {
        if (n.operator !== "+") return undefined;
        const left = this.string(n.left, depth + 1);
        const right = left && this.string(n.right, depth + 1);
        return right ? bounded(left.value + right.value, left.decoded || right.decoded) : undefined;
      }
      case "Identifier": {
        const bound = this.lookup(n.name);
        return bound ? this.string(bound, depth + 1) : undefined;
      }
      case "MemberExpression": {
        // `table.key` or `table["key"]` of an object literal of constants.
        const key = this.propertyName(n, depth);
        const object = key === undefined ? undefined : this.objectLiteral(n.object, depth);
        const property = object?.properties.find(
          (entry) => entry.type === "Property" && !entry.computed && propertyKey(entry.key) === key,
        );
        return property && property.type === "Property" ? this.string(property.value, depth + 1) : undefined;
      }
      case "CallExpression":
        return this.call(n, depth);
      case "SequenceExpression":
        return this.string(n.expressions.at(-1), depth + 1);
      case "ChainExpression":
        return this.string(n.expression, depth + 1);
      default:
        return undefined;
    }
  }

  /** The name a member expression reads, when it is constant. */
  propertyName(node: AnyNode & { type: "MemberExpression" }, depth: number): string | undefined {
    if (!node.computed) return node.property.type === "Identifier" ? node.property.name : undefined;
    return this.string(node.property, depth + 1)?.value;
  }

  private objectLiteral(node: Node, depth: number): (AnyNode & { type: "ObjectExpression" }) | undefined {
    const n = node as AnyNode;
    if (n.type === "ObjectExpression") return n;
    if (n.type === "Identifier" && depth < MAX_DEPTH) {
      const bound = this.lookup(n.name);
      return bound ? this.objectLiteral(bound, depth + 1) : undefined;
    }
    return undefined;
  }

  private call(n: AnyNode & { type: "CallExpression" }, depth: number): ConstantString | undefined {
    const callee = n.callee as AnyNode;
    const args = n.arguments as Expression[];
    if (callee.type === "Identifier") {
      const argument = this.string(args[0], depth + 1);
      if (!argument) return undefined;
      if (callee.name === "atob") return decodeBase64(argument.value);
      if (callee.name === "decodeURIComponent" || callee.name === "unescape") {
        try {
          return { value: decodeURIComponent(argument.value), decoded: true };
        } catch {
          return undefined;
        }
      }
      return undefined;
    }
    if (callee.type !== "MemberExpression") return undefined;
    const method = this.propertyName(callee, depth);
    const object = callee.object as AnyNode;

    if (object.type === "Identifier" && object.name === "String" && method === "fromCharCode") {
      const codes = args.map((arg) => this.number(arg, depth + 1));
      if (codes.some((code) => code === undefined)) return undefined;
      return bounded(String.fromCharCode(...(codes as number[])), true);
    }
    if (method === "join") {
      const parts = this.array(object, depth + 1);
      const separator = args.length === 0 ? { value: ",", decoded: false } : this.string(args[0], depth + 1);
      if (!parts || !separator) return undefined;
      return bounded(parts.values.join(separator.value), parts.decoded || separator.decoded);
    }
    if (method === "toString" && isBufferFrom(object)) return this.bufferText(object as AnyNode & { type: "CallExpression" }, args, depth);

    const self = this.string(object, depth + 1);
    if (!self) return undefined;
    const argument = (index: number) => this.string(args[index], depth + 1)?.value;
    switch (method) {
      case "toString":
      case "valueOf":
      case "trim":
        return method === "trim" ? { ...self, value: self.value.trim() } : self;
      case "toLowerCase":
        return { ...self, value: self.value.toLowerCase() };
      case "toUpperCase":
        return { ...self, value: self.value.toUpperCase() };
      case "concat": {
        const rest = args.map((arg) => this.string(arg, depth + 1));
        if (rest.some((part) => !part)) return undefined;
        return bounded(self.value + rest.map((part) => part!.value).join(""), self.decoded || rest.some((part) => part!.decoded));
      }
      case "replace":
      case "replaceAll": {
        const from = argument(0);
        const to = argument(1);
        if (from === undefined || to === undefined) return undefined;
        return bounded(method === "replace" ? self.value.replace(from, () => to) : self.value.split(from).join(to), self.decoded);
      }
      default:
        return undefined;
    }
  }

  /** `Buffer.from(text, encoding).toString(encoding?)`. */
  private bufferText(from: AnyNode & { type: "CallExpression" }, toStringArgs: Expression[], depth: number): ConstantString | undefined {
    const text = this.string(from.arguments[0] as Expression, depth + 1);
    const encoding = from.arguments[1] ? this.string(from.arguments[1] as Expression, depth + 1)?.value : "utf8";
    const output = toStringArgs[0] ? this.string(toStringArgs[0], depth + 1)?.value : "utf8";
    if (!text || !encoding || !output || !Buffer.isEncoding(encoding) || !Buffer.isEncoding(output)) return undefined;
    const value = Buffer.from(text.value, encoding).toString(output);
    return bounded(value, text.decoded || encoding !== "utf8" || output !== "utf8");
  }

  private array(node: Node, depth: number): { values: string[]; decoded: boolean } | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const n = node as AnyNode;
    if (n.type === "ArrayExpression") {
      const values: string[] = [];
      let decoded = false;
      for (const element of n.elements) {
        if (!element || element.type === "SpreadElement") return undefined;
        const part = this.string(element, depth + 1);
        if (!part) return undefined;
        values.push(part.value);
        decoded ||= part.decoded;
      }
      return { values, decoded };
    }
    if (n.type === "Identifier") {
      const bound = this.lookup(n.name);
      return bound ? this.array(bound, depth + 1) : undefined;
    }
    if (n.type === "CallExpression" && n.callee.type === "MemberExpression") {
      const method = this.propertyName(n.callee, depth);
      if (method === "reverse") {
        const inner = this.array(n.callee.object, depth + 1);
        return inner && { values: [...inner.values].reverse(), decoded: true };
      }
      if (method === "split") {
        const self = this.string(n.callee.object, depth + 1);
        const separator = this.string(n.arguments[0] as Expression, depth + 1);
        return self && separator ? { values: self.value.split(separator.value), decoded: self.decoded } : undefined;
      }
    }
    return undefined;
  }

  private number(node: Node | undefined, depth: number): number | undefined {
    const n = node as AnyNode | undefined;
    if (n?.type === "Literal" && typeof n.value === "number") return n.value;
    if (n?.type === "UnaryExpression" && n.operator === "-" ) {
      const inner = this.number(n.argument, depth + 1);
      return inner === undefined ? undefined : -inner;
    }
    if (n?.type === "BinaryExpression" && depth < MAX_DEPTH) {
      const left = this.number(n.left, depth + 1);
      const right = left === undefined ? undefined : this.number(n.right, depth + 1);
      if (left === undefined || right === undefined) return undefined;
      if (n.operator === "+") return left + right;
      if (n.operator === "-") return left - right;
      if (n.operator === "*") return left * right;
      if (n.operator === "^") return left ^ right;
      return undefined;
    }
    if (n?.type === "Identifier") {
      const bound = this.lookup(n.name);
      return bound && depth < MAX_DEPTH ? this.number(bound, depth + 1) : undefined;
    }
    return undefined;
  }
}

function isBufferFrom(node: AnyNode): boolean {
  if (node.type !== "CallExpression" && node.type !== "NewExpression") return false;
  const callee = node.callee as AnyNode;
  if (node.type === "NewExpression") return callee.type === "Identifier" && callee.name === "Buffer";
  return (
    callee.type === "MemberExpression" &&
    callee.object.type === "Identifier" &&
    callee.object.name === "Buffer" &&
    callee.property.type === "Identifier" &&
    callee.property.name === "from"
  );
}

function decodeBase64(text: string): ConstantString | undefined {
  if (!/^[A-Za-z0-9+/=\s_-]*$/.test(text)) return undefined;
  return bounded(Buffer.from(text, "base64").toString("utf8"), true);
}

function propertyKey(key: Node): string | undefined {
  const n = key as AnyNode;
  if (n.type === "Identifier") return n.name;
  if (n.type === "Literal") return String(n.value);
  return undefined;
}

function bounded(value: string, decoded: boolean): ConstantString | undefined {
  return value.length > MAX_LENGTH ? undefined : { value, decoded };
}
