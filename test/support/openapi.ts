/**
 * Checks requests that Tollgate sends to GitHub against GitHub's own REST API
 * description (the api.github.com OpenAPI 3.0 document shipped by
 * @octokit/openapi), so that tests fail on bodies GitHub would reject or
 * silently ignore.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// --- The subset of OpenAPI 3.0 we read --------------------------------------

interface Ref {
  $ref: string;
}

interface Schema {
  type?: string | string[];
  nullable?: boolean;
  enum?: unknown[];
  format?: string;
  properties?: Record<string, Schema | Ref>;
  required?: string[];
  additionalProperties?: boolean | Schema | Ref;
  minProperties?: number;
  maxProperties?: number;
  items?: Schema | Ref;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  // OpenAPI 3.0 uses booleans here; JSON Schema 2019+ uses numbers.
  exclusiveMinimum?: boolean | number;
  exclusiveMaximum?: boolean | number;
  multipleOf?: number;
  allOf?: (Schema | Ref)[];
  anyOf?: (Schema | Ref)[];
  oneOf?: (Schema | Ref)[];
  not?: Schema | Ref;
  readOnly?: boolean;
  writeOnly?: boolean;
}

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Schema | Ref;
  "x-multi-segment"?: boolean;
}

interface MediaType {
  schema?: Schema | Ref;
}

interface RequestBody {
  required?: boolean;
  content?: Record<string, MediaType>;
}

interface ResponseObject {
  content?: Record<string, MediaType>;
}

interface Operation {
  operationId?: string;
  parameters?: (Parameter | Ref)[];
  requestBody?: RequestBody | Ref;
  responses?: Record<string, ResponseObject | Ref>;
}

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;
type Method = (typeof METHODS)[number];

type PathItem = Partial<Record<Method, Operation>> & { parameters?: (Parameter | Ref)[] };

interface Description {
  paths: Record<string, PathItem>;
  components: Record<string, Record<string, unknown>>;
}

// --- Loading ------------------------------------------------------------------

type Segment =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string }
  | { kind: "mixed"; regex: RegExp; names: string[] };

interface Route {
  template: string;
  item: PathItem;
  segments: Segment[];
  literalCount: number;
  // Params GitHub marks `x-multi-segment` (contents paths, refs, branch names)
  // may contain "/" when the caller does not percent-encode it.
  multiSegment: Set<string>;
}

interface Loaded {
  description: Description;
  routes: Route[];
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  // Only the single generated file: the package's main entry would load every
  // description (GHES, GHEC, dereferenced variants), hundreds of MB.
  const file = createRequire(import.meta.url).resolve("@octokit/openapi/generated/api.github.com.json");
  const description = JSON.parse(readFileSync(file, "utf8")) as Description;
  const routes = Object.entries(description.paths).map(([template, item]) => compileRoute(description, template, item));
  loaded = { description, routes };
  return loaded;
}

function compileRoute(description: Description, template: string, item: PathItem): Route {
  const segments: Segment[] = template
    .split("/")
    .slice(1)
    .map((text): Segment => {
      const whole = /^\{([^}]+)\}$/.exec(text);
      if (whole?.[1]) return { kind: "param", name: whole[1] };
      if (!text.includes("{")) return { kind: "literal", text };
      const names: string[] = [];
      const source = text
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const param = /^\{([^}]+)\}$/.exec(part);
          if (param?.[1]) {
            names.push(param[1]);
            return "([^/]+?)";
          }
          return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        })
        .join("");
      return { kind: "mixed", regex: new RegExp(`^${source}$`), names };
    });
  const multiSegment = new Set<string>();
  for (const method of METHODS) {
    const operation = item[method];
    if (!operation) continue;
    for (const parameter of parametersOf(description, item, operation)) {
      if (parameter.in === "path" && parameter["x-multi-segment"]) multiSegment.add(parameter.name);
    }
  }
  return {
    template,
    item,
    segments,
    literalCount: segments.filter((segment) => segment.kind === "literal").length,
    multiSegment,
  };
}

function isRef(value: unknown): value is Ref {
  return typeof value === "object" && value !== null && typeof (value as Ref).$ref === "string";
}

function resolvePointer(description: Description, pointer: string): unknown {
  if (!pointer.startsWith("#/")) throw new Error(`unsupported $ref ${pointer} (only local refs are used by GitHub)`);
  let node: unknown = description;
  for (const raw of pointer.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null || !(key in node)) throw new Error(`unresolvable $ref ${pointer}`);
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

// In OpenAPI 3.0 a Reference Object replaces the whole object: siblings of
// `$ref` are ignored, so we simply follow the chain.
function deref<T>(description: Description, value: T | Ref): T {
  let current: unknown = value;
  for (let hops = 0; isRef(current); hops++) {
    if (hops > 32) throw new Error(`$ref cycle at ${current.$ref}`);
    current = resolvePointer(description, current.$ref);
  }
  return current as T;
}

function parametersOf(description: Description, item: PathItem, operation: Operation): Parameter[] {
  // Operation-level parameters override path-level ones with the same name+in.
  const byKey = new Map<string, Parameter>();
  for (const raw of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
    const parameter = deref(description, raw);
    byKey.set(`${parameter.in}:${parameter.name}`, parameter);
  }
  return [...byKey.values()];
}

// --- Finding the operation ---------------------------------------------------------

export interface GitHubOperation {
  /** e.g. "checks/create" */
  operationId: string;
  /** Lower-case HTTP method as in the description, e.g. "post". */
  method: string;
  /** Path template, e.g. "/repos/{owner}/{repo}/check-runs" */
  template: string;
  /** Path parameters, percent-decoded. */
  pathParams: Record<string, string>;
}

interface Match {
  route: Route;
  params: Record<string, string>;
  // How many URL segments multi-segment params swallowed beyond one each.
  stretch: number;
}

function matchRoute(route: Route, parts: string[]): Match | undefined {
  const params: Record<string, string> = {};
  let stretch = 0;
  const go = (i: number, j: number): boolean => {
    const segment = route.segments[i];
    if (!segment) return j === parts.length;
    const part = parts[j];
    if (part === undefined) return false;
    if (segment.kind === "literal") return segment.text === part && go(i + 1, j + 1);
    if (segment.kind === "mixed") {
      const found = segment.regex.exec(part);
      if (!found) return false;
      segment.names.forEach((name, k) => (params[name] = found[k + 1] ?? ""));
      return go(i + 1, j + 1);
    }
    if (part === "") return false;
    if (route.multiSegment.has(segment.name)) {
      // Longest first, so "/contents/a/b" gives path "a/b" rather than failing.
      for (let end = parts.length; end > j; end--) {
        params[segment.name] = parts.slice(j, end).join("/");
        stretch += end - j - 1;
        if (go(i + 1, end)) return true;
        stretch -= end - j - 1;
      }
      return false;
    }
    params[segment.name] = part;
    return go(i + 1, j + 1);
  };
  return go(0, 0) ? { route, params, stretch } : undefined;
}

function httpMethodKey(method: string): Method {
  return method.toLowerCase() as Method;
}

function operationOf(item: PathItem, method: Method): Operation | undefined {
  // GitHub answers HEAD for every GET; the description lists only GET.
  return item[method] ?? (method === "head" ? item.get : undefined);
}

function splitUrl(url: string): { pathname: string; search: URLSearchParams } {
  const parsed = new URL(url, "https://api.github.com");
  // GitHub Enterprise Server serves the same API under /api/v3.
  const pathname = parsed.pathname.startsWith("/api/v3/") ? parsed.pathname.slice("/api/v3".length) : parsed.pathname;
  return { pathname, search: parsed.searchParams };
}

interface Located {
  operation: Operation;
  found: GitHubOperation;
  route: Route;
}

function locate(method: string, url: string): Located | string {
  const { routes } = load();
  const { pathname } = splitUrl(url);
  const parts = pathname.split("/").slice(1);
  const key = httpMethodKey(method);
  const matches = routes
    .map((route) => matchRoute(route, parts))
    .filter((match): match is Match => match !== undefined)
    // Prefer the most specific template: "/pulls/comments" over "/pulls/{pull_number}".
    .sort((a, b) => b.route.literalCount - a.route.literalCount || a.stretch - b.stretch);
  if (matches.length === 0) return `no path in GitHub's REST API description matches ${pathname}`;
  const withMethod = matches.find((match) => operationOf(match.route.item, key));
  if (!withMethod) {
    const first = matches[0] as Match;
    const allowed = METHODS.filter((m) => first.route.item[m]).map((m) => m.toUpperCase());
    return `GitHub has no ${method.toUpperCase()} operation for ${first.route.template} (only ${allowed.join(", ")})`;
  }
  const operation = operationOf(withMethod.route.item, key) as Operation;
  const pathParams: Record<string, string> = {};
  for (const [name, value] of Object.entries(withMethod.params)) pathParams[name] = safeDecode(value);
  return {
    operation,
    route: withMethod.route,
    found: {
      operationId: operation.operationId ?? "(no operationId)",
      method: withMethod.route.item[key] ? key : "get",
      template: withMethod.route.template,
      pathParams,
    },
  };
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The GitHub operation a request would hit, or undefined if there is none. */
export function findGitHubOperation(method: string, url: string): GitHubOperation | undefined {
  const located = locate(method, url);
  return typeof located === "string" ? undefined : located.found;
}

// --- Schema validation -------------------------------------------------------------------

type Mode = "request" | "response";

interface Ctx {
  description: Description;
  mode: Mode;
  problems: string[];
}

interface Shape {
  // Property names this schema level declares, for our strict "no unknown
  // properties" rule; `open` when the schema explicitly allows extra ones.
  known: Set<string>;
  open: boolean;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(type: string, value: unknown): boolean {
  switch (type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "object":
      return isPlainObject(value);
    case "array":
      return Array.isArray(value);
    case "null":
      return value === null;
    default:
      return typeof value === type;
  }
}

// Key order must not matter when comparing enum members or array items.
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "undefined";
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function child(at: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`;
}

const patternCache = new Map<string, RegExp | null>();
function compilePattern(pattern: string): RegExp | null {
  if (!patternCache.has(pattern)) {
    let regex: RegExp | null = null;
    for (const flags of ["u", ""]) {
      try {
        regex = new RegExp(pattern, flags);
        break;
      } catch {
        // Some patterns are valid ECMA-262 only without the `u` flag.
      }
    }
    patternCache.set(pattern, regex);
  }
  return patternCache.get(pattern) ?? null;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function formatProblem(format: string, value: string): string | undefined {
  switch (format) {
    case "date-time":
      return DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : "is not an RFC 3339 date-time";
    case "date":
      return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : "is not a date";
    case "uri":
      return URL.canParse(value) ? undefined : "is not an absolute URI";
    default:
      return undefined;
  }
}

function codePoints(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * Validates `value` and returns the shape of this schema level. `topLevel` is
 * false for members of allOf/anyOf/oneOf, whose unknown-property check is done
 * once by the schema that combines them.
 */
function validate(raw: Schema | Ref, value: unknown, at: string, ctx: Ctx, topLevel = true, depth = 0): Shape {
  const shape: Shape = { known: new Set(), open: false };
  if (depth > 100) {
    ctx.problems.push(`${at}: schema nesting too deep (recursive $ref?)`);
    return shape;
  }
  const schema = deref(ctx.description, raw);
  const problems = ctx.problems;

  // OpenAPI 3.0: `nullable: true` is how null is allowed; `type` is a single
  // string, and null is not allowed unless nullable (when `type` is given).
  if (value === null && schema.nullable) return { known: shape.known, open: true };

  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (types.length > 0 && !types.some((type) => typeMatches(type, value))) {
    const expected = types.join(" or ");
    problems.push(
      value === null ? `${at}: is null but the schema is not nullable (expected ${expected})` : `${at}: expected ${expected}, got ${jsonType(value)} ${preview(value)}`,
    );
    return { known: shape.known, open: true };
  }

  if (schema.enum && !schema.enum.some((allowed) => canonical(allowed) === canonical(value))) {
    problems.push(`${at}: ${preview(value)} is not one of ${schema.enum.map((allowed) => preview(allowed)).join(", ")}`);
  }

  if (typeof value === "string") {
    if (schema.maxLength !== undefined && value.length > schema.maxLength && codePoints(value) > schema.maxLength) {
      problems.push(`${at}: string of ${codePoints(value)} characters is longer than maxLength ${schema.maxLength}`);
    }
    if (schema.minLength !== undefined && codePoints(value) < schema.minLength) {
      problems.push(`${at}: string of ${codePoints(value)} characters is shorter than minLength ${schema.minLength}`);
    }
    if (schema.pattern !== undefined) {
      const regex = compilePattern(schema.pattern);
      if (regex && !regex.test(value)) problems.push(`${at}: ${preview(value)} does not match pattern ${schema.pattern}`);
    }
    if (schema.format !== undefined) {
      const problem = formatProblem(schema.format, value);
      if (problem) problems.push(`${at}: ${preview(value)} ${problem}`);
    }
  }

  if (typeof value === "number") {
    // exclusiveMinimum/Maximum are booleans modifying minimum/maximum in 3.0.
    if (schema.minimum !== undefined) {
      const exclusive = schema.exclusiveMinimum === true;
      if (exclusive ? value <= schema.minimum : value < schema.minimum) {
        problems.push(`${at}: ${value} is less than ${exclusive ? "or equal to " : ""}minimum ${schema.minimum}`);
      }
    }
    if (schema.maximum !== undefined) {
      const exclusive = schema.exclusiveMaximum === true;
      if (exclusive ? value >= schema.maximum : value > schema.maximum) {
        problems.push(`${at}: ${value} is greater than ${exclusive ? "or equal to " : ""}maximum ${schema.maximum}`);
      }
    }
    if (typeof schema.exclusiveMinimum === "number" && value <= schema.exclusiveMinimum) {
      problems.push(`${at}: ${value} must be greater than ${schema.exclusiveMinimum}`);
    }
    if (typeof schema.exclusiveMaximum === "number" && value >= schema.exclusiveMaximum) {
      problems.push(`${at}: ${value} must be less than ${schema.exclusiveMaximum}`);
    }
    if (schema.multipleOf !== undefined && !Number.isInteger(value / schema.multipleOf)) {
      problems.push(`${at}: ${value} is not a multiple of ${schema.multipleOf}`);
    }
  }

  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      problems.push(`${at}: has ${value.length} items, more than maxItems ${schema.maxItems}`);
    }
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      problems.push(`${at}: has ${value.length} items, fewer than minItems ${schema.minItems}`);
    }
    if (schema.uniqueItems && new Set(value.map(canonical)).size !== value.length) {
      problems.push(`${at}: items are not unique`);
    }
    if (schema.items) {
      const items = schema.items;
      value.forEach((item, index) => validate(items, item, `${at}[${index}]`, ctx, true, depth + 1));
    }
  }

  if (isPlainObject(value)) {
    const properties = schema.properties ?? {};
    for (const name of Object.keys(properties)) shape.known.add(name);
    for (const name of schema.required ?? []) {
      if (name in value) continue;
      const property = properties[name];
      // readOnly properties are "required" only in responses (OpenAPI 3.0).
      if (property && ctx.mode === "request" && deref(ctx.description, property).readOnly) continue;
      if (property && ctx.mode === "response" && deref(ctx.description, property).writeOnly) continue;
      problems.push(`${at}: missing required property ${JSON.stringify(name)}`);
    }
    for (const [name, property] of Object.entries(properties)) {
      if (!(name in value)) continue;
      const resolved = deref(ctx.description, property);
      if (ctx.mode === "request" && resolved.readOnly) problems.push(`${child(at, name)}: is read-only and must not be sent`);
      validate(property, value[name], child(at, name), ctx, true, depth + 1);
    }
    const count = Object.keys(value).length;
    if (schema.maxProperties !== undefined && count > schema.maxProperties) {
      problems.push(`${at}: has ${count} properties, more than maxProperties ${schema.maxProperties}`);
    }
    if (schema.minProperties !== undefined && count < schema.minProperties) {
      problems.push(`${at}: has ${count} properties, fewer than minProperties ${schema.minProperties}`);
    }
    const extra = schema.additionalProperties;
    if (extra === false) {
      for (const name of Object.keys(value)) {
        if (!(name in properties)) problems.push(`${child(at, name)}: unknown property (additionalProperties is false)`);
      }
    } else if (extra !== undefined) {
      shape.open = true;
      if (extra !== true) {
        for (const name of Object.keys(value)) {
          if (!(name in properties)) validate(extra, value[name], child(at, name), ctx, true, depth + 1);
        }
      }
    }
  }

  for (const member of schema.allOf ?? []) {
    const memberShape = validate(member, value, at, ctx, false, depth + 1);
    memberShape.known.forEach((name) => shape.known.add(name));
    // An allOf member that opens the object opens the combination.
    if (memberShape.open) shape.open = true;
  }

  for (const keyword of ["anyOf", "oneOf"] as const) {
    const branches = schema[keyword];
    if (!branches) continue;
    const results = branches.map((branch) => {
      const sub: Ctx = { ...ctx, problems: [] };
      const branchShape = validate(branch, value, at, sub, false, depth + 1);
      const explicit = deref(ctx.description, branch).additionalProperties;
      return { problems: sub.problems, shape: branchShape, mapLike: isPlainObject(explicit) };
    });
    const passing = results.filter((result) => result.problems.length === 0);
    // oneOf is checked like anyOf: GitHub's oneOf branches often overlap (a
    // file also "matches" the symlink form once extra fields are tolerated),
    // and demanding exactly one match would reject valid bodies.
    if (passing.length === 0) {
      if (results.length === 1) problems.push(...(results[0]?.problems ?? []));
      else {
        const detail = results.map((result, index) => `#${index + 1}: ${result.problems.slice(0, 2).join("; ")}`).join(" | ");
        problems.push(`${at}: matches none of the ${results.length} allowed forms (${keyword}): ${detail}`);
      }
      shape.open = true; // already reported; do not pile unknown-property noise on top
    }
    for (const result of passing) {
      result.shape.known.forEach((name) => shape.known.add(name));
      // GitHub writes `additionalProperties: true` on anyOf branches that only
      // add a constraint (check-run update: status completed => conclusion);
      // that must not open the parent. A map-like branch (a schema for extra
      // values) does.
      if (result.mapLike) shape.open = true;
    }
  }

  if (schema.not) {
    const sub: Ctx = { ...ctx, problems: [] };
    validate(schema.not, value, at, sub, false, depth + 1);
    if (sub.problems.length === 0) problems.push(`${at}: must not match the schema given under "not"`);
  }

  // Strict mode. GitHub's request schemas list every parameter an operation
  // accepts but leave `additionalProperties` unset, and GitHub silently drops
  // unknown fields, so a misspelt `conclusion` or an `output.sumary` would go
  // unnoticed. For requests we therefore treat every object schema that
  // declares properties as closed unless it says otherwise. Responses are not
  // closed: GitHub adds fields freely.
  if (topLevel && ctx.mode === "request" && isPlainObject(value) && !shape.open && shape.known.size > 0) {
    for (const name of Object.keys(value)) {
      if (!shape.known.has(name)) problems.push(`${child(at, name)}: unknown property (not in GitHub's schema)`);
    }
  }
  return shape;
}

// --- Parameters ---------------------------------------------------------------------

// Path and query values arrive as strings; turn them into what the schema
// expects so that "12" satisfies `type: integer` but "abc" does not.
function coerce(description: Description, raw: Schema | Ref | undefined, text: string): unknown {
  if (!raw) return text;
  const schema = deref(description, raw);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "integer":
    case "number":
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    case "boolean":
      return text === "true" ? true : text === "false" ? false : text;
    case "array":
      return text.split(",").map((item) => coerce(description, schema.items, item));
    default:
      return text;
  }
}

function checkParameters(located: Located, url: string, ctx: Ctx): void {
  const { description } = ctx;
  const parameters = parametersOf(description, located.route.item, located.operation);
  for (const parameter of parameters.filter((p) => p.in === "path")) {
    const value = located.found.pathParams[parameter.name];
    if (value === undefined) continue;
    if (parameter.schema) {
      validate(parameter.schema, coerce(description, parameter.schema, value), `path parameter ${parameter.name}`, ctx);
    }
  }
  const { search } = splitUrl(url);
  const query = new Map(parameters.filter((p) => p.in === "query").map((p) => [p.name, p]));
  for (const [name, value] of search) {
    const parameter = query.get(name);
    if (!parameter) {
      // GitHub ignores unknown query parameters, which hides typos such as `perPage`.
      ctx.problems.push(`query parameter ${JSON.stringify(name)}: unknown to this operation`);
      continue;
    }
    if (parameter.schema) validate(parameter.schema, coerce(description, parameter.schema, value), `query parameter ${name}`, ctx);
  }
  for (const parameter of query.values()) {
    if (parameter.required && !search.has(parameter.name)) {
      ctx.problems.push(`query parameter ${JSON.stringify(parameter.name)}: required but missing`);
    }
  }
}

// --- Check runs: limits GitHub enforces beyond its schema ----------------------------

const CHECK_RUN_OPERATIONS = new Set(["checks/create", "checks/update"]);
const TEXT_LIMIT = 65535;
const ANNOTATION_LIMIT = 50;
const ANNOTATION_REQUIRED = ["path", "start_line", "end_line", "annotation_level", "message"];

const hardenedSchemas = new Map<string, Schema>();

/**
 * The check-run request schemas carry some of GitHub's documented limits
 * (summary/text maxLength, annotations maxItems) but not all of them (title
 * has no maxLength). We overlay the documented limits on a copy so that each
 * limit is enforced (and reported) exactly once, whatever the description
 * version says.
 */
function hardenedCheckRunSchema(description: Description, operationId: string, original: Schema | Ref): Schema {
  const cached = hardenedSchemas.get(operationId);
  if (cached) return cached;
  const copy = structuredClone(deref(description, original));
  const properties = (copy.properties ??= {});
  // Clone what we change: a $ref would otherwise lead into the shared description.
  const output = structuredClone(deref(description, properties.output ?? { type: "object", properties: {} }));
  properties.output = output;
  const outputProperties = (output.properties ??= {});
  for (const field of ["title", "summary", "text"]) {
    const existing = outputProperties[field] ? deref(description, outputProperties[field]) : { type: "string" };
    outputProperties[field] = { ...existing, maxLength: Math.min(existing.maxLength ?? TEXT_LIMIT, TEXT_LIMIT) };
  }
  const annotations = deref(description, (outputProperties.annotations ??= { type: "array", items: { type: "object" } }));
  const item = deref(description, annotations.items ?? { type: "object" });
  outputProperties.annotations = {
    ...annotations,
    maxItems: Math.min(annotations.maxItems ?? ANNOTATION_LIMIT, ANNOTATION_LIMIT),
    items: { ...item, required: [...new Set([...(item.required ?? []), ...ANNOTATION_REQUIRED])] },
  };
  hardenedSchemas.set(operationId, copy);
  return copy;
}

/** Rules from GitHub's check-run docs that a JSON schema cannot express. */
function checkRunRules(operationId: string, body: unknown, ctx: Ctx): void {
  if (!isPlainObject(body)) return;
  const hasConclusion = body.conclusion !== undefined && body.conclusion !== null;
  // The update schema already encodes "status completed => conclusion" as anyOf.
  if (operationId === "checks/create" && body.status === "completed" && !hasConclusion) {
    ctx.problems.push(`body: status "completed" requires a conclusion`);
  }
  if (body.completed_at !== undefined && !hasConclusion) {
    ctx.problems.push(`body: completed_at requires a conclusion`);
  }
  const output = body.output;
  if (!isPlainObject(output) || !Array.isArray(output.annotations)) return;
  output.annotations.forEach((annotation, index) => {
    if (!isPlainObject(annotation)) return;
    const at = `body.output.annotations[${index}]`;
    const { start_line: start, end_line: end } = annotation;
    if (typeof start === "number" && start < 1) ctx.problems.push(`${at}.start_line: line numbers start at 1`);
    if (typeof start === "number" && typeof end === "number" && end < start) {
      ctx.problems.push(`${at}.end_line: ${end} is before start_line ${start}`);
    }
    if ((annotation.start_column !== undefined || annotation.end_column !== undefined) && start !== end) {
      ctx.problems.push(`${at}: start_column/end_column are only allowed when start_line equals end_line`);
    }
  });
}

// --- Public API --------------------------------------------------------------------

function normalizeBody(body: unknown, ctx: Ctx): { ok: true; value: unknown } | { ok: false } {
  if (typeof body === "string") {
    try {
      return { ok: true, value: JSON.parse(body) };
    } catch {
      ctx.problems.push(`body: not valid JSON: ${preview(body)}`);
      return { ok: false };
    }
  }
  if (body instanceof Uint8Array) return normalizeBody(Buffer.from(body).toString("utf8"), ctx);
  // What goes over the wire: undefined members vanish, Dates become strings.
  return { ok: true, value: JSON.parse(JSON.stringify(body)) as unknown };
}

function isEmptyBody(body: unknown): boolean {
  return body === undefined || body === null || body === "" || (isPlainObject(body) && Object.keys(body).length === 0);
}

/**
 * Problems with a request Tollgate would send to GitHub; empty when GitHub's
 * description accepts it. `url` may be absolute or a path, with or without the
 * GHES `/api/v3` prefix and query string. `body` is the JSON body (object or
 * JSON text), undefined when there is none.
 */
export function validateGitHubRequest(method: string, url: string, body: unknown): string[] {
  const located = locate(method, url);
  const label = `${method.toUpperCase()} ${splitUrl(url).pathname}`;
  if (typeof located === "string") return [`${label}: ${located}`];
  const { description } = load();
  const ctx: Ctx = { description, mode: "request", problems: [] };
  checkParameters(located, url, ctx);

  const requestBody = located.operation.requestBody ? deref(description, located.operation.requestBody) : undefined;
  if (!requestBody) {
    if (!isEmptyBody(body)) ctx.problems.push(`body: this operation takes no request body, got ${preview(body)}`);
  } else if (body === undefined || body === null || body === "") {
    if (requestBody.required) ctx.problems.push("body: this operation requires a request body");
  } else {
    const schema = requestBody.content?.["application/json"]?.schema;
    // Operations with only non-JSON bodies (markdown/raw, octet-stream) are not checked.
    if (schema) {
      const normalized = normalizeBody(body, ctx);
      if (normalized.ok) {
        const operationId = located.found.operationId;
        if (CHECK_RUN_OPERATIONS.has(operationId)) {
          validate(hardenedCheckRunSchema(description, operationId, schema), normalized.value, "body", ctx);
          checkRunRules(operationId, normalized.value, ctx);
        } else {
          validate(schema, normalized.value, "body", ctx);
        }
      }
    }
  }
  const prefix = `${located.found.method.toUpperCase()} ${located.found.template}`;
  return ctx.problems.map((problem) => `${prefix}: ${problem}`);
}

/** Throws listing every problem if GitHub's description rejects the request. */
export function expectValidGitHubRequest(method: string, url: string, body: unknown): void {
  const found = validateGitHubRequest(method, url, body);
  if (found.length > 0) {
    throw new Error(`Request does not match GitHub's REST API description:\n  - ${found.join("\n  - ")}`);
  }
}

/**
 * Problems with a JSON response body, checked against the schema GitHub
 * documents for that status (not closed: GitHub may add fields). Meant for
 * keeping test doubles honest, e.g. the fake GitHub server.
 */
export function validateGitHubResponse(method: string, url: string, status: number, body: unknown): string[] {
  const located = locate(method, url);
  const label = `${method.toUpperCase()} ${splitUrl(url).pathname}`;
  if (typeof located === "string") return [`${label}: ${located}`];
  const { description } = load();
  const responses = located.operation.responses ?? {};
  const raw = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  if (!raw) return [`${label}: GitHub documents no ${status} response for this operation`];
  const schema = deref(description, raw).content?.["application/json"]?.schema;
  if (!schema) return [];
  const ctx: Ctx = { description, mode: "response", problems: [] };
  const normalized = normalizeBody(body, ctx);
  if (normalized.ok) validate(schema, normalized.value, "response", ctx);
  const prefix = `${located.found.method.toUpperCase()} ${located.found.template} ${status}`;
  return ctx.problems.map((problem) => `${prefix}: ${problem}`);
}
