/**
 * new-dependencies: transitive packages that an update brings into the project for the first time.
 * A compromised release often adds one new dependency that carries the payload (axios 1.14.1
 * brought in plain-crypto-js); a name the project never installed before deserves a look even
 * when nothing else is wrong with it.
 *
 * Severity: low, a notice: new transitive packages are common, and what is wrong with one is
 * for the other rules to say.
 */

import type { DependencyChange } from "../lockfile/diff.js";
import type { Lockfile } from "../lockfile/model.js";
import type { PackumentVersion } from "../registry/registry.js";
import type { Alert } from "../review/alert.js";
import { joinWords } from "./text.js";
import { stringMap } from "./values.js";

/** What `newDependencies` needs besides the changes. */
export interface NewDependenciesOptions {
  /** The lockfile the changes come from (for the alerts' location). */
  lockfilePath: string;
  /**
   * The base lockfile: a name is new only when no version of it was installed before. Without it,
   * a name counts as new when the changes show no earlier version of it.
   */
  base?: Lockfile;
  /**
   * The registry's record of a version, when the caller has the packuments: names the updated or
   * added packages whose new version declares the new dependency.
   */
  lookup?: (name: string, version: string) => PackumentVersion | undefined;
}

/** One new-dependencies alert per transitive package name the changes bring in for the first time. */
export function newDependencies(changes: readonly DependencyChange[], options: NewDependenciesOptions): Alert[] {
  const before = options.base ? new Set(options.base.packages.map((instance) => instance.name)) : undefined;
  const existedBefore = (name: string) =>
    before ? before.has(name) : changes.some((change) => change.name === name && change.base !== undefined);
  const fresh = changes.filter(
    (change) => change.type === "added" && change.head !== undefined && !change.head.direct && !existedBefore(change.name),
  );
  // Only what an update brings in: a new direct dependency's own tree was chosen with it, and
  // flagging every package of it would bury the one a compromised release slips in. What an
  // update brings in is its new dependencies and, through them, theirs (axios → a new package →
  // the package that new package requires).
  const byUpdate = new Map<DependencyChange, string>();
  const origin = new Map<DependencyChange, string>();
  if (options.lookup) {
    const lookup = options.lookup;
    for (const change of fresh) {
      const introducers = introducedBy(change.name, changes, lookup);
      if (introducers.length === 0) continue;
      byUpdate.set(change, `required by ${joinWords(introducers.slice(0, 3))}${introducers.length > 3 ? ` and ${introducers.length - 3} more` : ""}`);
      origin.set(change, joinWords(introducers.slice(0, 3)));
    }
    for (let grew = true; grew; ) {
      grew = false;
      for (const change of fresh) {
        if (origin.has(change)) continue;
        const parent = fresh.find((other) => {
          if (other === change || !origin.has(other)) return false;
          const record = lookup(other.name, other.head!.version);
          return record !== undefined && declares(record, change.name);
        });
        if (!parent) continue;
        const root = origin.get(parent)!;
        byUpdate.set(change, `required by ${parent.name}@${parent.head!.version}, which ${root} brings in`);
        origin.set(change, root);
        grew = true;
      }
    }
  }
  const alerts: Alert[] = [];
  const seen = new Set<string>();
  for (const change of fresh) {
    const head = change.head!;
    const by = byUpdate.get(change);
    if (!by || seen.has(`${change.name}@${head.version}`)) continue;
    seen.add(`${change.name}@${head.version}`);
    alerts.push({
      rule: "new-dependencies",
      severity: "low",
      package: { name: change.name, version: head.version },
      message: `${change.name}@${head.version} is new to this project, ${by}: no version of it was installed before.`,
      why: "A compromised release often slips its payload in through one new dependency; a package the project never installed before has had no review of its own.",
      action: `Check that ${change.name} is a package its dependents are expected to use (its repository, its publisher, its age) before merging.`,
      location: { path: options.lockfilePath, line: head.line },
      ...(head.dev ? { devOnly: true } : {}),
    });
  }
  return alerts;
}

/** The changes whose new version declares `name` and whose old version did not: `axios 1.14.0 → 1.14.1`. */
function introducedBy(name: string, changes: readonly DependencyChange[], lookup: NonNullable<NewDependenciesOptions["lookup"]>): string[] {
  const result: string[] = [];
  for (const change of changes) {
    if (!change.to || !change.from || change.name === name || change.type !== "updated") continue;
    const after = lookup(change.name, change.to);
    if (!after || !declares(after, name)) continue;
    const before = change.from ? lookup(change.name, change.from) : undefined;
    if (before && declares(before, name)) continue;
    result.push(change.from ? `${change.name} ${change.from} → ${change.to}` : `${change.name}@${change.to}`);
  }
  return result;
}

function declares(record: PackumentVersion, name: string): boolean {
  return name in stringMap(record.dependencies) || name in stringMap(record.optionalDependencies) || name in stringMap(record.peerDependencies);
}
