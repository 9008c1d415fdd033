import { readFile } from "node:fs/promises";
import { availableParallelism, homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { configJsonSchema } from "../config/json-schema.js";
import { DEFAULT_CONFIG, type Config } from "../config/schema.js";
import { CONFIG_PATH, validateConfigText } from "../config/validate.js";
import { diffLockfiles } from "../lockfile/diff.js";
import { LockfileError } from "../lockfile/model.js";
import { parseLockfile } from "../lockfile/parse.js";
import { applyPolicy } from "../policy/apply.js";
import { registryHosts } from "../registry/hosts.js";
import { createPacoteRegistry } from "../registry/pacote-registry.js";
import type { Registry } from "../registry/registry.js";
import { changeJson, reviewJson } from "../report/json.js";
import { renderSarif } from "../report/sarif.js";
import { renderSummary } from "../report/summary.js";
import { renderText } from "../report/text.js";
import { reviewChanges } from "../review/review.js";
import { TOLLGATE_VERSION } from "../version.js";
import { PackageReadError } from "../analysis/model.js";
import { TarballIntegrityError, TarballNotFoundError } from "../registry/registry.js";
import { directoryAnalysisStore, memoryFindingsCache } from "../analysis/caches.js";
import { createVersionAnalyzer } from "../analysis/version-analyzer.js";
import { createWorkerPool } from "../analysis/worker-pool.js";
import { analyzeJson, analyzeTargets, analyzeText, loadPackage, PackageArgumentError } from "./analyze-command.js";
import { createGitSource, defaultBase, GitError, repositoryRoot, resolveRef } from "./git-source.js";

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The registry for a policy; pacote by default (tests pass a fake). */
  registry?: (config: Config) => Registry;
  now?: () => Date;
  /** Worker threads for analysing package code; 1 analyses in this thread. */
  analysisJobs?: number;
}

/** A wrong command line: exit 2 with the reason and a pointer to --help. */
class UsageError extends Error {
  override readonly name = "UsageError";
}

const HELP = `Usage: tollgate <command> [options]

Tollgate reviews npm dependency changes for supply-chain risk.

Commands:
  review    Review the dependency changes between two git refs of a local repository
  diff      List the package changes between two lockfiles
  analyze   Show what a package's code can do, and what is new against another version
  schema    Print the JSON Schema of .github/tollgate.yml (for editor completion)
  help      Show this help

tollgate review [--repo DIR] [--base REF] [--head REF] [--format text|markdown|json|sarif] [--config FILE]
  --repo DIR       the repository (default: the current folder)
  --base REF       what to compare with (default: the merge base with the default branch, or HEAD~1)
  --head REF       the change to review (default: HEAD)
  --format FORMAT  text (default), markdown (the check run's summary), json, or sarif (code scanning)
  --config FILE    the policy file (default: .github/tollgate.yml as it is at the base ref)
  --no-code        do not download and analyse package code (lockfile and registry checks only)

tollgate diff BASE_LOCKFILE HEAD_LOCKFILE [--format text|json]
  Formats are detected from the file names and contents: package-lock.json, npm-shrinkwrap.json,
  yarn.lock (classic and berry), pnpm-lock.yaml, bun.lock.

tollgate analyze SPEC|DIR|TGZ [--against SPEC|DIR|TGZ] [--format text|json] [--jobs N]
  SPEC is name@version (or a range or tag) from the registry, DIR a package folder, TGZ a tarball.
  --against        the version it replaces: capabilities it did not have are marked new
  --jobs N         worker threads for the analysis (default: the number of cores)
  Exit 1 when an alert is high or critical.

Exit codes: 0 the policy passes, 1 it fails, 2 a usage or internal error.
`;

/** Runs the CLI and returns the exit code; every failure is one line on stderr. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout.write(HELP);
        return 0;
      case "review":
        return await reviewCommand(rest, io);
      case "diff":
        return await diffCommand(rest, io);
      case "analyze":
        return await analyzeCommand(rest, io);
      case "schema":
        io.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`tollgate: ${error.message} (see tollgate --help)\n`);
    } else if (
      error instanceof LockfileError ||
      error instanceof GitError ||
      error instanceof PackageArgumentError ||
      error instanceof PackageReadError ||
      error instanceof TarballIntegrityError ||
      error instanceof TarballNotFoundError
    ) {
      io.stderr.write(`tollgate: ${error.message}\n`);
    } else {
      io.stderr.write(`tollgate: internal error: ${(error as Error).message}\n`);
    }
    return 2;
  }
}

function parse<T extends Record<string, { type: "string" | "boolean" }>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: "boolean", short: "h" } }, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split("\n")[0]!.replace(/\. To specify.*$/, ""));
  }
}

function format<const F extends string>(value: string | boolean | undefined, allowed: readonly F[]): F {
  const chosen = (value ?? allowed[0]) as F;
  if (!allowed.includes(chosen)) throw new UsageError(`--format must be one of ${allowed.join(", ")}`);
  return chosen;
}

async function reviewCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, {
    repo: { type: "string" },
    base: { type: "string" },
    head: { type: "string" },
    format: { type: "string" },
    config: { type: "string" },
    "no-code": { type: "boolean" },
  });
  if (values.help) return io.stdout.write(HELP), 0;
  const outputFormat = format(values.format, ["text", "markdown", "json", "sarif"] as const);
  const root = await repositoryRoot(resolve(io.cwd, values.repo ?? "."));
  const head = await resolveRef(root, values.head ?? "HEAD");
  const base = values.base ? await resolveRef(root, values.base) : await defaultBase(root, head);
  const source = await createGitSource(root, base, head);
  const config = await loadPolicy(values.config ? resolve(io.cwd, values.config) : undefined, () => source.read(CONFIG_PATH, "base"));
  const registry = (io.registry ?? ((policy: Config) => createPacoteRegistry({ registries: policy.registries, env: io.env })))(config);
  if (io.stderr.isTTY) io.stderr.write(`Reviewing ${base.slice(0, 12)}..${head.slice(0, 12)} in ${root}\n`);
  const progress = io.stderr.isTTY
    ? (done: number, total: number) => io.stderr.write(done === total ? "\r\u001b[K" : `\r  asking the registry: ${done}/${total}`)
    : undefined;
  const jobs = io.analysisJobs ?? availableParallelism();
  const pool = values["no-code"] || jobs < 2 ? undefined : createWorkerPool(jobs);
  const analyzer = values["no-code"]
    ? undefined
    : createVersionAnalyzer({ registry, store: directoryAnalysisStore(cacheFolder(io.env)), findings: memoryFindingsCache(), analyzeFile: pool?.analyzeFile });
  const review = await reviewChanges(source, { registry, registryHosts: registryHosts(config), paths: config.paths, progress, analyzer, now: io.now, cooldownHours: config.cooldownHours }).finally(() => pool?.close());
  const verdict = applyPolicy(review, config, (io.now ?? (() => new Date()))());
  if (outputFormat === "json") io.stdout.write(`${JSON.stringify(reviewJson(review, verdict), null, 2)}\n`);
  else if (outputFormat === "sarif") io.stdout.write(`${JSON.stringify(renderSarif(review, verdict, TOLLGATE_VERSION), null, 2)}\n`);
  else if (outputFormat === "markdown") io.stdout.write(`${renderSummary(review, verdict, Number.POSITIVE_INFINITY)}\n`);
  else io.stdout.write(renderText(review, verdict, { color: Boolean(io.stdout.isTTY) && !io.env.NO_COLOR }));
  return verdict.conclusion === "failure" ? 1 : 0;
}

/** The policy from --config, else the repository's file at the base ref, else the defaults. */
async function loadPolicy(file: string | undefined, atBase: () => Promise<string | undefined>): Promise<Config> {
  let text: string | undefined;
  let name = CONFIG_PATH;
  if (file) {
    name = file;
    text = await readFile(file, "utf8").catch(() => {
      throw new UsageError(`cannot read the policy file ${file}`);
    });
  } else {
    text = await atBase();
  }
  if (text === undefined) return DEFAULT_CONFIG;
  const result = validateConfigText(name, text);
  if (result.ok) return result.config;
  const first = result.problems[0]!;
  const more = result.problems.length > 1 ? ` (and ${result.problems.length - 1} more problems)` : "";
  throw new UsageError(`invalid policy ${name}:${first.line ?? 1}: ${first.field ? `${first.field}: ` : ""}${first.message}${more}`);
}

async function diffCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { format: { type: "string" } }, true);
  if (values.help) return io.stdout.write(HELP), 0;
  const outputFormat = format(values.format, ["text", "json"] as const);
  if (positionals.length !== 2) throw new UsageError("diff takes two lockfiles: BASE_LOCKFILE HEAD_LOCKFILE");
  const [basePath, headPath] = positionals as [string, string];
  const read = (path: string) =>
    readFile(resolve(io.cwd, path), "utf8").catch(() => {
      throw new UsageError(`cannot read ${path}`);
    });
  const [baseText, headText] = await Promise.all([read(basePath), read(headPath)]);
  const changes = diffLockfiles(parseLockfile(basePath, baseText), parseLockfile(headPath, headText));
  if (outputFormat === "json") {
    io.stdout.write(`${JSON.stringify({ changes: changes.map((change) => changeJson(headPath, change)) }, null, 2)}\n`);
    return 0;
  }
  if (changes.length === 0) io.stdout.write("No package changes.\n");
  for (const change of changes) {
    const version = change.type === "updated" ? `${change.from} -> ${change.to}` : (change.to ?? change.from);
    const flags = change.flags.length > 0 ? `  [${change.flags.map((flag) => flag.kind).join(", ")}]` : "";
    const line = change.head ? `  (${headPath}:${change.head.line})` : "";
    io.stdout.write(`${change.type.padEnd(8)} ${change.name} ${version}${flags}${line}\n`);
  }
  return 0;
}

async function analyzeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { against: { type: "string" }, format: { type: "string" }, jobs: { type: "string" } }, true);
  if (values.help) return io.stdout.write(HELP), 0;
  const outputFormat = format(values.format, ["text", "json"] as const);
  if (positionals.length !== 1) throw new UsageError("analyze takes one package: SPEC, DIR or TGZ");
  const jobs = values.jobs === undefined ? (io.analysisJobs ?? availableParallelism()) : Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError("--jobs must be a whole number of at least 1");
  const registry = () => (io.registry ?? ((policy: Config) => createPacoteRegistry({ registries: policy.registries, env: io.env })))(DEFAULT_CONFIG);
  const current = await loadPackage(positionals[0]!, io.cwd, registry);
  const previous = values.against ? await loadPackage(values.against, io.cwd, registry) : undefined;
  const result = await analyzeTargets(current.contents, previous?.contents, jobs);
  const json = analyzeJson(result.current, result.previous, result.alerts);
  if (outputFormat === "json") io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else io.stdout.write(analyzeText(json, Boolean(io.stdout.isTTY) && !io.env.NO_COLOR));
  return json.alerts.some((alert) => alert.severity === "critical" || alert.severity === "high") ? 1 : 0;
}

/** Where analyses are kept between runs: TOLLGATE_CACHE_DIR, else the user's cache folder. */
function cacheFolder(env: NodeJS.ProcessEnv): string {
  const base = env.TOLLGATE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "tollgate");
  return join(base, "analyses");
}
