import semver from "semver";
import { z } from "zod";
import { CAPABILITIES, type Capability } from "../analysis/model.js";
import { RULE_IDS, type RuleId } from "../policy/rules.js";

export const LevelSchema = z
  .enum(["error", "warning", "notice", "off"])
  .describe("`error` fails the check, `warning` and `notice` annotate, `off` hides the rule.");

/** Only variables with this prefix may hold registry tokens, so a repository cannot point a token at the app's own secrets. */
export const TOKEN_ENV_PREFIX = "TOLLGATE_TOKEN_";

// Each field's description is its documentation: it is what the JSON Schema (`tollgate schema`)
// shows in editors, so it is written with `.describe` rather than as a comment.

const RegistrySchema = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).describe("The registry's base URL, for example `https://npm.acme.internal/`."),
  tokenEnv: z
    .string()
    .regex(new RegExp(`^${TOKEN_ENV_PREFIX}[A-Z0-9_]+$`), `must be an environment variable name starting with ${TOKEN_ENV_PREFIX}`)
    .optional()
    .describe(`The environment variable of the Tollgate server that holds this registry's token (never the token itself); it must start with ${TOKEN_ENV_PREFIX}.`),
});

const ExceptionSchema = z.strictObject({
  package: z
    .string()
    .min(1)
    .refine((value) => parseSelector(value) !== undefined, "must be `name`, `name@version` or `name@range`")
    .describe("The package: `name`, `name@version` or `name@range` (`left-pad`, `left-pad@1.3.0`, `@acme/x@^2`)."),
  rules: z.array(z.enum(RULE_IDS)).min(1).optional().describe("The rules this exception quiets; all of them when left out."),
  reason: z.string().trim().min(1, "an exception needs a reason").describe("Why the exception is safe: shown in every review it applies to."),
  expires: z.iso
    .date({ error: "must be a date written YYYY-MM-DD" })
    .optional()
    .describe("The last day the exception applies (YYYY-MM-DD); after it the alerts come back and the review says so."),
});

/** The level of each capability a new version gains; those left out keep their default. */
const CapabilityLevelsSchema = z
  .strictObject(Object.fromEntries(CAPABILITIES.map((capability) => [capability, LevelSchema.optional()])) as Record<Capability, z.ZodOptional<typeof LevelSchema>>)
  .describe("A level per capability: network, filesystem, shell, environment, eval, dynamic-require, native-code, install-script.");

const DEFAULT_REGISTRY = { url: "https://registry.npmjs.org/" };

export const ConfigSchema = z
  .strictObject({
    rules: z
      .strictObject({
        ...(Object.fromEntries(RULE_IDS.map((rule) => [rule, LevelSchema.optional()])) as Record<Exclude<RuleId, "new-capability">, z.ZodOptional<typeof LevelSchema>>),
        "new-capability": z
          .union([LevelSchema, CapabilityLevelsSchema])
          .optional()
          .describe("One level for every new capability, or a level per capability (`shell: error`, `environment: notice`)."),
      })
      .default({})
      .describe("The level of each rule, for example `git-dependency: error`. Rules left out keep their default level."),
    exceptions: z.array(ExceptionSchema).default([]).describe("Known and accepted findings."),
    registries: z
      .strictObject({
        default: RegistrySchema.default(DEFAULT_REGISTRY).describe("The registry packages are looked up in."),
        scopes: z
          .record(z.string().regex(/^@[a-z0-9][a-z0-9._-]*$/, "a scope looks like @acme"), RegistrySchema)
          .default({})
          .describe("Registries for scopes, keyed by scope (`@acme`)."),
      })
      .default({ default: DEFAULT_REGISTRY, scopes: {} })
      .describe("Where packages are looked up: the default registry and per-scope registries."),
    devDependencies: z
      .strictObject({
        maxLevel: LevelSchema.default("error").describe(
          "The highest level an alert about a development-only package gets (`warning` keeps them from failing the check).",
        ),
      })
      .default({ maxLevel: "error" })
      .describe("How alerts about packages only development needs are ranked."),
    paths: z
      .array(z.string().min(1))
      .min(1)
      .default(["**"])
      .describe("Globs of the lockfiles and package.json files to review, relative to the repository root (`packages/app/**`)."),
    cooldownHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 365)
      .default(48)
      .describe(
        "Versions published less than this many hours ago get a `recently-published` alert: the cooldown that catches most hijacked releases before they reach a project. 0 turns the check off.",
      ),
    comment: z
      .enum(["off", "on-alerts", "always"])
      .default("on-alerts")
      .describe("The pull request comment: `off`, `on-alerts` (only when there is something to say) or `always`."),
    unreviewed: z
      .enum(["neutral", "failure"])
      .default("neutral")
      .describe("The check's conclusion when something could not be reviewed and nothing failed: `neutral` or `failure`."),
  })
  .describe("Tollgate's policy (`.github/tollgate.yml`): every field is optional.");

export type Config = z.infer<typeof ConfigSchema>;
export type Exception = Config["exceptions"][number];

/** The configuration of a repository that has no `.github/tollgate.yml`. */
export const DEFAULT_CONFIG: Config = ConfigSchema.parse({});

/** Splits `name`, `name@version` or `name@range` (scoped names keep their leading `@`). */
export function parseSelector(value: string): { name: string; range?: string } | undefined {
  const at = value.indexOf("@", 1);
  const name = at === -1 ? value : value.slice(0, at);
  const range = at === -1 ? undefined : value.slice(at + 1);
  if (!/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) return undefined;
  if (range !== undefined && semver.validRange(range) === null) return undefined;
  return { name, range };
}
