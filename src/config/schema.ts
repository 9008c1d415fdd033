import semver from "semver";
import { z } from "zod";
import { RULE_IDS } from "../policy/rules.js";

/** The levels a rule can have: `error` fails the check, `warning` and `notice` annotate, `off` hides. */
export const LevelSchema = z.enum(["error", "warning", "notice", "off"]);

/** Only variables with this prefix may hold registry tokens, so a repository cannot point a token at the app's own secrets. */
export const TOKEN_ENV_PREFIX = "TOLLGATE_TOKEN_";

const RegistrySchema = z.strictObject({
  /** The registry's base URL, for example `https://npm.acme.internal/`. */
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  /** The environment variable of the Tollgate server that holds the token for this registry (never the token itself). */
  tokenEnv: z
    .string()
    .regex(new RegExp(`^${TOKEN_ENV_PREFIX}[A-Z0-9_]+$`), `must be an environment variable name starting with ${TOKEN_ENV_PREFIX}`)
    .optional(),
});

const PackageSelector = z
  .string()
  .min(1)
  .refine((value) => parseSelector(value) !== undefined, "must be `name`, `name@version` or `name@range`");

const ExceptionSchema = z.strictObject({
  /** The package: `name`, `name@version` or `name@range` (`left-pad`, `left-pad@1.3.0`, `@acme/x@^2`). */
  package: PackageSelector,
  /** The rules this exception quiets; all of them when left out. */
  rules: z.array(z.enum(RULE_IDS)).min(1).optional(),
  /** Why the exception is safe: shown in every review it applies to. */
  reason: z.string().trim().min(1, "an exception needs a reason"),
  /** The last day the exception applies (YYYY-MM-DD); after it the alerts come back and the review says so. */
  expires: z.iso.date({ error: "must be a date written YYYY-MM-DD" }).optional(),
});

/** `.github/tollgate.yml`: the repository's (or organisation's) policy. Every field is optional. */
export const ConfigSchema = z.strictObject({
  /** The level of each rule, for example `git-dependency: error`. Rules left out keep their default level. */
  rules: z.partialRecord(z.enum(RULE_IDS), LevelSchema).default({}),
  /** Known and accepted findings. */
  exceptions: z.array(ExceptionSchema).default([]),
  /** The registry packages are fetched from, and per-scope registries (`"@acme": { url, tokenEnv }`). */
  registries: z
    .strictObject({
      /** The default registry. */
      default: RegistrySchema.default({ url: "https://registry.npmjs.org/" }),
      /** Registries for scopes, keyed by scope (`@acme`). */
      scopes: z
        .record(z.string().regex(/^@[a-z0-9][a-z0-9._-]*$/, "a scope looks like @acme"), RegistrySchema)
        .default({}),
    })
    .default({ default: { url: "https://registry.npmjs.org/" }, scopes: {} }),
  /** The check's conclusion when something could not be reviewed (and nothing failed): `neutral` or `failure`. */
  unreviewed: z.enum(["neutral", "failure"]).default("neutral"),
});

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
