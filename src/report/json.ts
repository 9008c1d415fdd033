import type { DependencyChange } from "../lockfile/diff.js";
import type { PackageInstance } from "../lockfile/model.js";
import type { Verdict } from "../policy/apply.js";
import type { Review } from "../review/review.js";
import { reviewTitle } from "./summary.js";

/** A change as JSON: name, type, from, to, and everything the model knows about both sides. */
export function changeJson(lockfile: string, change: DependencyChange) {
  return {
    name: change.name,
    type: change.type,
    from: change.from,
    to: change.to,
    lockfile,
    flags: change.flags,
    base: change.base ? instanceJson(change.base) : null,
    head: change.head ? instanceJson(change.head) : null,
  };
}

function instanceJson(instance: PackageInstance) {
  const { name: _name, ...rest } = instance;
  return rest;
}

/** The whole review as JSON, for scripts and CI. */
export function reviewJson(review: Review, verdict: Verdict) {
  return {
    conclusion: verdict.conclusion,
    title: reviewTitle(review, verdict),
    counts: verdict.counts,
    changes: review.lockfiles.flatMap((lockfile) => lockfile.changes.map((change) => changeJson(lockfile.path, change))),
    manifestChanges: review.manifestChanges,
    alerts: verdict.findings,
    suppressed: verdict.suppressed,
    expiredExceptions: verdict.expired,
    unreviewed: review.unreviewed,
    code: review.code ?? [],
    notes: review.notes ?? [],
    configProblems: review.configProblems,
    warnings: review.lockfiles.flatMap((lockfile) => lockfile.warnings.map((warning) => `${lockfile.path}: ${warning}`)),
  };
}
