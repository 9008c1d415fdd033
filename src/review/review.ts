import { matchesGlob } from "node:path";
import PQueue from "p-queue";
import { CONFIG_PATH, validateConfigText, type ConfigProblem } from "../config/validate.js";
import type { ParseContext } from "../lockfile/context.js";
import { baseName, isLockfilePath, isManifestPath, LOCKFILE_NAMES } from "../lockfile/detect.js";
import { diffLockfiles, type DependencyChange } from "../lockfile/diff.js";
import { parseManifest, type Manifest } from "../lockfile/manifest.js";
import { diffManifests, type ManifestChange } from "../lockfile/manifest-diff.js";
import { LockfileError, type Lockfile, type LockfileFormat } from "../lockfile/model.js";
import { parseLockfile } from "../lockfile/parse.js";
import type { Packument, Registry } from "../registry/registry.js";
import type { VersionAnalyzer } from "../analysis/version-analyzer.js";
import type { Alert, RepositoryLocation } from "./alert.js";
import { codeSignals, type AnalysisTarget, type CodeSummary } from "./code-signals.js";
import {
  approvalAlerts,
  approvalsAdded,
  installCommands,
  missingDataNotes,
  newDependencies,
  publicationSignals,
  readInstallPolicy,
  type Approval,
  type InstallPolicy,
  type MissingData,
  type ScriptedPackage,
} from "../publication/signals.js";
import { lockfileSignals, manifestSignals } from "./lockfile-signals.js";
import { registrySignals } from "./registry-signals.js";

export type Side = "base" | "head";

/** Where the files under review come from: a pull request, or two git refs of a local repository. */
export interface ReviewSource {
  /** The paths that differ between base and head. */
  changedPaths: readonly string[];
  /** The file's text at base or head; undefined when it does not exist there. */
  read(path: string, side: Side): Promise<string | undefined>;
}

export interface ReviewDeps {
  registry: Registry;
  /** Hosts whose tarballs count as the registry's. */
  registryHosts: readonly string[];
  /** Stops the review when a newer one replaces it. */
  signal?: AbortSignal;
  /** Registry requests in flight at once. */
  concurrency?: number;
  /** Told how far the registry look-ups are, for a progress line on long reviews. */
  progress?: (done: number, total: number) => void;
  /** Globs of the dependency files to review (the policy's `paths`); all of them when left out. */
  paths?: readonly string[];
  /** Reads the code of each new version; the review leaves code out when it is not given. */
  analyzer?: VersionAnalyzer;
  /** The clock, for how recently a version was published. */
  now?: () => Date;
  /** The policy's cooldown: versions younger than this many hours get `recently-published` (0: off). */
  cooldownHours?: number;
}

export interface LockfileReview {
  path: string;
  format?: LockfileFormat;
  changes: DependencyChange[];
  warnings: string[];
}

/** Something that could not be reviewed, and why: never dropped in silence. */
export interface Unreviewed {
  subject: string;
  reason: string;
  location?: RepositoryLocation;
}

export interface Review {
  lockfiles: LockfileReview[];
  manifestChanges: ManifestChange[];
  alerts: Alert[];
  unreviewed: Unreviewed[];
  /** Problems in the policy file this change edits: merged, it would break every later review. */
  configProblems: ConfigProblem[];
  /** What each new version's code can do, when the code was analysed. */
  code?: CodeSummary[];
  /** Things the reader should know about how complete the review is (a registry that serves less data). */
  notes?: string[];
}

/** Reviews the dependency changes between the two sides of a source. */
export async function reviewChanges(uncached: ReviewSource, deps: ReviewDeps): Promise<Review> {
  const source = cachedSource(uncached);
  const wanted = (path: string) => !deps.paths || deps.paths.some((glob) => matchesGlob(path, glob));
  const lockfilePaths = source.changedPaths.filter((path) => isLockfilePath(path) && wanted(path)).sort();
  const manifestPaths = source.changedPaths.filter((path) => isManifestPath(path) && wanted(path)).sort();
  const manifests = new ManifestCache(source);
  const review: Review = { lockfiles: [], manifestChanges: [], alerts: [], unreviewed: [], configProblems: [] };
  const headLockfiles: Lockfile[] = [];
  const targets: AnalysisTarget[] = [];
  const projects: Project[] = [];
  const approvals: { approval: Approval; policy: InstallPolicy; lockfile?: Lockfile }[] = [];

  for (const path of lockfilePaths) {
    deps.signal?.throwIfAborted();
    const result = await reviewLockfile(path, source, manifests, deps.registryHosts);
    if ("error" in result) {
      review.unreviewed.push(result.error);
      continue;
    }
    review.lockfiles.push(result.review);
    if (result.head) headLockfiles.push(result.head);
    const policies = await installPolicies(source, path, result.review.format);
    projects.push({ lockfile: result.review, base: result.base, policy: policies.head });
    if (policies.head) approvals.push(...approvalsAdded(policies.base, policies.head).map((approval) => ({ approval, policy: policies.head!, lockfile: result.head })));
    for (const change of result.review.changes) {
      const location = await changeLocation(path, change, manifests);
      review.alerts.push(...lockfileSignals(change, location));
      if (isAnalysable(change) && !targets.some((target) => sameVersion(target.change, change))) targets.push({ change, location });
    }
  }

  // A change that only approves install scripts (`npm install-scripts approve`, an
  // onlyBuiltDependencies entry) touches settings and no lockfile: read the project's lockfile as it
  // stands to know what the approval lets run.
  const lockfileFolders = new Set(lockfilePaths.map(folderOf));
  const settingsFolders = [...new Set(source.changedPaths.filter((path) => INSTALL_SETTINGS.has(baseName(path)) && wanted(path)).map(folderOf))];
  for (const folder of settingsFolders.filter((candidate) => !lockfileFolders.has(candidate))) {
    deps.signal?.throwIfAborted();
    const lockfile = await headLockfileIn(folder, source, manifests);
    if (!lockfile) continue;
    const policies = await installPolicies(source, lockfile.path, lockfile.format);
    if (policies.head) approvals.push(...approvalsAdded(policies.base, policies.head).map((approval) => ({ approval, policy: policies.head!, lockfile })));
  }

  for (const path of manifestPaths) {
    deps.signal?.throwIfAborted();
    const [base, head] = await Promise.all([manifests.get(path, "base"), manifests.get(path, "head")]);
    if (base instanceof LockfileError || head instanceof LockfileError) {
      const error = (base instanceof LockfileError ? base : head) as LockfileError;
      review.unreviewed.push({ subject: path, reason: error.problem, location: { path, line: error.line } });
      continue;
    }
    const changes = diffManifests(base, head);
    review.manifestChanges.push(...changes);
    const folder = folderOf(path);
    const covering = lockfilePaths.filter((lockfile) => isWithin(folder, folderOf(lockfile)));
    for (const change of changes) {
      const inHead = headLockfiles.some(
        (lockfile) => isWithin(folder, folderOf(lockfile.path)) && lockfile.packages.some((p) => (p.alias ?? p.name) === change.name),
      );
      review.alerts.push(...manifestSignals(change, covering.length > 0, inHead));
    }
  }

  if (source.changedPaths.includes(CONFIG_PATH)) {
    const text = await source.read(CONFIG_PATH, "head");
    if (text !== undefined) {
      const result = validateConfigText(CONFIG_PATH, text);
      if (!result.ok) review.configProblems.push(...result.problems);
    }
  }

  const packuments = await checkRegistry(review, projects, deps);
  const lookup = (name: string, version: string) => packuments.get(name)?.versions[version];
  for (const project of projects) {
    review.alerts.push(...newDependencies(project.lockfile.changes, { lockfilePath: project.lockfile.path, base: project.base, lookup }));
  }
  review.alerts.push(...(await approvedScripts(approvals, packuments, deps)));
  if (deps.analyzer) {
    const registry = deps.registry;
    const code = await codeSignals(targets, {
      analyzer: deps.analyzer,
      signal: deps.signal,
      registryVersion: lookup,
      viewerUrl: (name, version, file, line) => (isPublicRegistry(registry.urlFor(name)) ? publicCodeUrl(name, version, file, line) : undefined),
    });
    review.alerts.push(...withoutDuplicateScripts(code.alerts, review.alerts));
    review.unreviewed.push(...code.unreviewed);
    review.code = code.summaries;
  }
  return review;
}

function isPublicRegistry(url: string): boolean {
  return /^https:\/\/registry\.(npmjs\.org|yarnpkg\.com)\/?$/.test(url);
}

/** A file of a published version, at a line, on unpkg (which serves every public npm version). */
export function publicCodeUrl(name: string, version: string, file: string, line: number): string {
  const path = file.split("/").map(encodeURIComponent).join("/");
  return `https://unpkg.com/browse/${name}@${encodeURIComponent(version)}/${path}#L${line}`;
}

/**
 * An install script the registry already reported as added (with whether it runs) is one finding:
 * the code analysis's alert for it is dropped, and its evidence (the script's line, the files it
 * runs) goes to the registry's alert.
 */
function withoutDuplicateScripts(codeAlerts: readonly Alert[], existing: Alert[]): Alert[] {
  return codeAlerts.filter((alert) => {
    if (alert.rule !== "install-script") return true;
    const added = existing.find(
      (other) => other.rule === "install-script-added" && other.package.name === alert.package.name && other.package.version === alert.package.version,
    );
    if (!added) return true;
    added.evidence = [...(added.evidence ?? []), ...(alert.evidence ?? [])];
    return false;
  });
}

/** A new version from the registry: the code the change brings in. */
function isAnalysable(change: DependencyChange): boolean {
  return (change.type === "added" || change.type === "updated") && change.head?.source === "registry";
}

function sameVersion(a: DependencyChange, b: DependencyChange): boolean {
  return a.name === b.name && a.head?.version === b.head?.version && a.head?.integrity === b.head?.integrity;
}

type LockfileResult = { review: LockfileReview; head?: Lockfile; base?: Lockfile } | { error: Unreviewed };

async function reviewLockfile(
  path: string,
  source: ReviewSource,
  manifests: ManifestCache,
  registryHosts: readonly string[],
): Promise<LockfileResult> {
  const manifestPath = joinPath(folderOf(path), "package.json");
  const parseSide = async (side: Side): Promise<Lockfile | undefined> => {
    const text = await source.read(path, side);
    if (text === undefined) return undefined;
    const manifest = await manifests.get(manifestPath, side);
    const context: ParseContext = manifest && !(manifest instanceof LockfileError) ? { manifests: new Map([["", manifest]]) } : {};
    return parseLockfile(path, text, context);
  };
  let base: Lockfile | undefined;
  let head: Lockfile | undefined;
  try {
    head = await parseSide("head");
  } catch (error) {
    return { error: lockfileError(path, error) };
  }
  try {
    base = await parseSide("base");
  } catch {
    // A broken base (the conflict this PR fixes, say) must not block the review: compare with nothing.
    base = undefined;
  }
  const changes = diffLockfiles(base, head, { registryHosts });
  return {
    review: { path, format: (head ?? base)?.format, changes, warnings: [...(head?.warnings ?? [])] },
    head,
    base,
  };
}

/** Files where a project approves or denies install scripts, besides its lockfile. */
const INSTALL_SETTINGS = new Set(["package.json", "pnpm-workspace.yaml", ".yarnrc.yml", ".npmrc"]);

/** The lockfile of a folder as the change leaves it, if it has one Tollgate reads. */
async function headLockfileIn(folder: string, source: ReviewSource, manifests: ManifestCache): Promise<Lockfile | undefined> {
  for (const name of LOCKFILE_NAMES) {
    const path = joinPath(folder, name);
    const text = await source.read(path, "head");
    if (text === undefined) continue;
    const manifest = await manifests.get(joinPath(folder, "package.json"), "head");
    const context: ParseContext = manifest && !(manifest instanceof LockfileError) ? { manifests: new Map([["", manifest]]) } : {};
    try {
      return parseLockfile(path, text, context);
    } catch {
      return undefined; // an unreadable lockfile is reported when it changes; here it only means no approvals to check
    }
  }
  return undefined;
}

function lockfileError(path: string, error: unknown): Unreviewed {
  if (error instanceof LockfileError) {
    return { subject: path, reason: error.problem, location: { path, line: error.line } };
  }
  return { subject: path, reason: `could not be read: ${(error as Error).message}`, location: { path } };
}

/** The lockfile line of the head instance, and the package.json line of a direct dependency. */
async function changeLocation(lockfilePath: string, change: DependencyChange, manifests: ManifestCache): Promise<RepositoryLocation> {
  const instance = change.head ?? change.base;
  const location: RepositoryLocation = { path: lockfilePath, line: instance?.line };
  if (!instance?.direct) return location;
  const declaredName = instance.alias ?? instance.name;
  for (const workspace of instance.workspaces) {
    const path = joinPath(joinPath(folderOf(lockfilePath), workspace), "package.json");
    const manifest = await manifests.get(path, change.head ? "head" : "base");
    if (!manifest || manifest instanceof LockfileError) continue;
    const declaration = manifest.dependencies.find((dependency) => dependency.name === declaredName);
    if (declaration) return { ...location, manifest: { path, line: declaration.line } };
  }
  return location;
}

/** A lockfile under review with what the registry signals need from its project. */
interface Project {
  lockfile: LockfileReview;
  base?: Lockfile;
  /** The project's install-script settings at head. */
  policy?: InstallPolicy;
}

interface WantedVersion {
  version: string;
  previous?: string;
  location: RepositoryLocation;
  devOnly: boolean;
  policy?: InstallPolicy;
  /** Checked for typosquatting (see checkRegistry). */
  newName: boolean;
}

/**
 * Asks the registry about every new registry version, one packument per name, a few at a time:
 * gone, deprecated, and what its publication says (publisher, provenance, age, install scripts,
 * look-alike names). Returns the packuments, for the checks that follow.
 */
async function checkRegistry(review: Review, projects: readonly Project[], deps: ReviewDeps): Promise<Map<string, Packument>> {
  const wanted = new Map<string, WantedVersion[]>();
  for (const { lockfile, policy } of projects) {
    // A look-alike name matters where someone chose it: a new direct dependency, or a package an
    // update pulled in. The dependencies of a newly chosen package are that package's choice.
    const addsDirect = lockfile.changes.some((change) => change.type === "added" && change.head?.direct);
    for (const change of lockfile.changes) {
      if (change.type === "removed" || change.type === "changed" || change.head?.source !== "registry") continue;
      const list = wanted.get(change.name) ?? [];
      if (!list.some((entry) => entry.version === change.head!.version)) {
        list.push({
          version: change.head.version,
          newName: change.type === "added" && (change.head.direct || !addsDirect),
          ...(change.type === "updated" && change.base ? { previous: change.base.version } : {}),
          location: { path: lockfile.path, line: change.head.line },
          devOnly: change.head.dev,
          policy,
        });
      }
      wanted.set(change.name, list);
    }
  }
  const now = (deps.now ?? (() => new Date()))();
  const packuments = new Map<string, Packument>();
  const missing: { registryUrl: string; missing: MissingData[] }[] = [];
  const queue = new PQueue({ concurrency: deps.concurrency ?? 8 });
  let done = 0;
  queue.on("completed", () => deps.progress?.(++done, wanted.size));
  const results = await Promise.all(
    [...wanted].map(([name, versions]) =>
      queue.add(async () => {
        deps.signal?.throwIfAborted();
        try {
          const packument = await deps.registry.packument(name, deps.signal);
          if (packument) packuments.set(name, packument);
          const registryUrl = deps.registry.urlFor(name);
          return versions.flatMap(({ version, previous, newName, location, devOnly, policy }) => {
            const alerts = registrySignals(name, version, packument, registryUrl, location);
            if (packument) {
              const publication = publicationSignals({
                name,
                version,
                previousVersion: previous,
                newName,
                packument,
                registryUrl,
                location,
                now,
                cooldownHours: deps.cooldownHours,
                installPolicy: policy,
                devOnly,
              });
              alerts.push(...publication.alerts);
              missing.push({ registryUrl, missing: publication.missing });
            }
            return alerts.map((alert) => (devOnly ? { ...alert, devOnly } : alert));
          });
        } catch (error) {
          if (deps.signal?.aborted) throw error;
          for (const { version, location } of versions) {
            review.unreviewed.push({ subject: `${name}@${version}`, reason: (error as Error).message, location });
          }
          return [];
        }
      }),
    ),
  );
  for (const alerts of results) review.alerts.push(...(alerts ?? []));
  const notes = missingDataNotes(missing);
  if (notes.length > 0) review.notes = [...(review.notes ?? []), ...notes];
  return packuments;
}

/** The project's install-script settings beside a lockfile, at base and head (package.json, pnpm-workspace.yaml, .yarnrc.yml, .npmrc). */
async function installPolicies(source: ReviewSource, lockfilePath: string, format: LockfileFormat | undefined): Promise<{ base?: InstallPolicy; head?: InstallPolicy }> {
  if (!format) return {};
  const folder = folderOf(lockfilePath);
  const read = async (side: Side) => {
    const file = async (name: string) => {
      const path = joinPath(folder, name);
      const text = await source.read(path, side);
      return text === undefined ? undefined : { path, text };
    };
    // Only the files the lockfile's package manager reads: each one is a request to GitHub.
    const [packageJson, pnpmWorkspace, yarnrc, npmrc] = await Promise.all([
      file("package.json"),
      format === "pnpm" ? file("pnpm-workspace.yaml") : undefined,
      format === "yarn-berry" ? file(".yarnrc.yml") : undefined,
      format === "npm" || format === "pnpm" || format === "yarn-classic" ? file(".npmrc") : undefined,
    ]);
    if (!packageJson && !pnpmWorkspace && !yarnrc && !npmrc) return undefined;
    return readInstallPolicy(format, { packageJson, pnpmWorkspace, yarnrc, npmrc });
  };
  const [base, head] = await Promise.all([read("base"), read("head")]);
  return { base, head };
}

/** install-script-approved: approvals this change adds, for installed packages that have install scripts. */
async function approvedScripts(
  approvals: readonly { approval: Approval; policy: InstallPolicy; lockfile?: Lockfile }[],
  packuments: Map<string, Packument>,
  deps: ReviewDeps,
): Promise<Alert[]> {
  const alerts: Alert[] = [];
  for (const { approval, policy, lockfile } of approvals) {
    const installed = (lockfile?.packages ?? []).filter(
      (instance) => instance.source === "registry" && (approval.entry.name === "*" || instance.name === approval.entry.name),
    );
    const scripted: ScriptedPackage[] = [];
    for (const instance of installed.slice(0, 50)) {
      let packument = packuments.get(instance.name);
      if (!packument && approval.entry.name !== "*") {
        packument = await deps.registry.packument(instance.name, deps.signal).catch(() => undefined);
        if (packument) packuments.set(instance.name, packument);
      }
      const record = packument?.versions[instance.version];
      const commands = record ? installCommands(record) : [];
      if (commands.length > 0) scripted.push({ name: instance.name, version: instance.version, commands });
    }
    alerts.push(...approvalAlerts([approval], policy, scripted));
  }
  return alerts;
}

/** A source that reads each file once per side, however many checks ask for it. */
function cachedSource(source: ReviewSource): ReviewSource {
  const texts = new Map<string, Promise<string | undefined>>();
  return {
    changedPaths: source.changedPaths,
    read(path, side) {
      const key = `${side}:${path}`;
      let text = texts.get(key);
      if (!text) texts.set(key, (text = source.read(path, side)));
      return text;
    },
  };
}

/** Reads each package.json once per side; a broken one is kept as its error. */
class ManifestCache {
  private readonly cache = new Map<string, Promise<Manifest | LockfileError | undefined>>();
  constructor(private readonly source: ReviewSource) {}

  get(path: string, side: Side): Promise<Manifest | LockfileError | undefined> {
    const key = `${side}:${path}`;
    let entry = this.cache.get(key);
    if (!entry) {
      entry = this.source.read(path, side).then((text) => {
        if (text === undefined) return undefined;
        try {
          return parseManifest(path, text);
        } catch (error) {
          if (error instanceof LockfileError) return error;
          throw error;
        }
      });
      this.cache.set(key, entry);
    }
    return entry;
  }
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}

function joinPath(folder: string, name: string): string {
  if (!folder) return name;
  if (!name) return folder;
  return `${folder}/${name}`;
}

/** Whether `folder` is `ancestor` or inside it. */
function isWithin(folder: string, ancestor: string): boolean {
  return ancestor === "" || folder === ancestor || folder.startsWith(`${ancestor}/`);
}
