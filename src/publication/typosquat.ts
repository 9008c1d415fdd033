/**
 * typosquat: a name that is a near miss of a popular package and not popular itself. Near miss:
 * one letter changed, added or missing (names of five characters or more), two neighbouring
 * letters swapped or a letter doubled or undoubled (four or more), a separator added, dropped or
 * changed (`crossenv` for `cross-env`), a `-js`/`.js`/`js` suffix added or dropped, or a scoped
 * package written without its scope (`types-node` for `@types/node`). A name under the same
 * scope as the popular package is never a squat: only the scope's owner can publish there.
 *
 * Severity: medium. A name alone does not prove intent (some near misses are older, honest
 * packages), but a squat is malware far more often than not, and the reviewer can tell in a
 * glance whether the project meant the popular package.
 */

import type { Alert, RepositoryLocation } from "../review/alert.js";
import popular from "./popular-packages.json" with { type: "json" };

/** What a name imitates, and how. */
export interface Typosquat {
  /** The popular package it is a near miss of. */
  imitates: string;
  /** The popular package's downloads a month, in millions. */
  downloadsMillions: number;
  /** How the name differs, for a sentence: `"d" and "a" swapped`. */
  how: string;
}

interface PopularIndex {
  downloads: Map<string, number>;
  /** Each popular name and each of its one-character deletions, to the names it came from. */
  deletions: Map<string, string[]>;
  /** Names with separators removed (`crossenv`), to the names they came from. */
  compact: Map<string, string[]>;
  /** `types-node`, `typesnode` for `@types/node`. */
  unscoped: Map<string, string>;
}

let index: PopularIndex | undefined;

/** Popular unscoped `<scope>-…` packages that make an older family of a scope's names (babel-…). */
const FAMILY_SIZE = 5;

/** Monthly downloads (millions) a package needs for a one-letter change to count as imitating it. */
const WEAK_EDIT_MIN_DOWNLOADS = 25;

/** Whether `name` is on the list of popular packages. */
export function isPopular(name: string): boolean {
  return popularIndex().downloads.has(name);
}

/** The popular package `name` imitates, or undefined when it imitates none (or is popular itself). */
export function typosquatOf(name: string): Typosquat | undefined {
  const { downloads, deletions, compact, unscoped } = popularIndex();
  if (downloads.has(name)) return undefined;
  const found: { imitates: string; how: string }[] = [];

  const candidates = new Set<string>();
  for (const key of [name, ...oneDeleted(name)]) for (const target of deletions.get(key) ?? []) candidates.add(target);
  for (const target of candidates) {
    if (sameScope(name, target)) continue;
    const edit = singleEdit(name, target);
    // A changed, added or missing letter also separates honest names (matched, matcher): only
    // near the most installed packages, the ones squatters aim at, is it taken as a squat.
    if (edit && (edit.strong || (downloads.get(target) ?? 0) >= WEAK_EDIT_MIN_DOWNLOADS)) found.push({ imitates: target, how: edit.how });
  }

  const squeezed = squeeze(name);
  if (squeezed.length >= 4) {
    for (const target of compact.get(squeezed) ?? []) {
      if (target !== name && !sameScope(name, target)) found.push({ imitates: target, how: separatorChange(name, target) });
    }
  }

  for (const suffix of ["-js", ".js", "js"]) {
    if (name.endsWith(suffix) && name.length - suffix.length >= 4) {
      const target = name.slice(0, -suffix.length);
      if (downloads.has(target)) found.push({ imitates: target, how: `"${suffix}" added to the name` });
    }
    if (!name.endsWith(suffix) && downloads.has(name + suffix) && name.length >= 4) {
      found.push({ imitates: name + suffix, how: `"${suffix}" dropped from the name` });
    }
  }

  const scoped = unscoped.get(name);
  if (scoped) found.push({ imitates: scoped, how: `written without its scope` });

  // The most popular target is the one a reader most likely meant.
  let best: Typosquat | undefined;
  for (const entry of found) {
    const count = downloads.get(entry.imitates) ?? 0;
    if (!best || count > best.downloadsMillions) best = { imitates: entry.imitates, downloadsMillions: count, how: entry.how };
  }
  return best;
}

/** The typosquat alert for a package new to the project, if its name imitates a popular one. */
export function typosquatAlert(name: string, version: string, location: RepositoryLocation): Alert | undefined {
  const squat = typosquatOf(name);
  if (!squat) return undefined;
  return {
    rule: "typosquat",
    severity: "medium",
    package: { name, version },
    message: `${name} looks like a misspelling of ${squat.imitates} (${squat.downloadsMillions.toLocaleString("en-US")} million downloads a month): ${squat.how}.`,
    why: "Attackers publish packages under near misses of popular names so that a typo in package.json, or a dependency that makes one, installs their code instead.",
    action: `If the project meant ${squat.imitates}, replace ${name} with it; if ${name} is really intended, check who publishes it and record an exception.`,
    location,
  };
}

function popularIndex(): PopularIndex {
  if (index) return index;
  const downloads = new Map<string, number>();
  const deletions = new Map<string, string[]>();
  const compact = new Map<string, string[]>();
  const unscoped = new Map<string, string>();
  const add = (map: Map<string, string[]>, key: string, name: string) => {
    const list = map.get(key);
    if (!list) map.set(key, [name]);
    else if (!list.includes(name)) list.push(name);
  };
  for (const [name, count] of popular.packages as [string, number][]) {
    if (downloads.has(name)) continue;
    downloads.set(name, count);
    if (bareLength(name) >= 4) for (const key of [name, ...oneDeleted(name)]) add(deletions, key, name);
    if (squeeze(name).length >= 4) add(compact, squeeze(name), name);
    const scoped = /^@([^/]+)\/(.+)$/.exec(name);
    if (scoped) {
      for (const joiner of ["-", "", ".", "_"]) {
        const key = `${scoped[1]}${joiner}${scoped[2]}`;
        if (!unscoped.has(key)) unscoped.set(key, name);
      }
    }
  }
  // A joined form that is itself popular is a package of its own, not a misspelling; and where
  // popular unscoped packages share the scope's name as a prefix (babel-jest, babel-loader), the
  // unscoped family is older than the scope and its names are not squats of the scoped ones.
  const families = new Map<string, number>();
  for (const name of downloads.keys()) {
    if (!name.startsWith("@") && name.includes("-")) families.set(name.slice(0, name.indexOf("-")), (families.get(name.slice(0, name.indexOf("-"))) ?? 0) + 1);
  }
  for (const [key, scopedName] of [...unscoped]) {
    const family = families.get(scopedName.slice(1, scopedName.indexOf("/"))) ?? 0;
    if (downloads.has(key) || family >= FAMILY_SIZE) unscoped.delete(key);
  }
  index = { downloads, deletions, compact, unscoped };
  return index;
}

/** Every string with one character removed. */
function oneDeleted(text: string): string[] {
  const result = new Set<string>();
  for (let i = 0; i < text.length; i++) result.add(text.slice(0, i) + text.slice(i + 1));
  return [...result];
}

/**
 * How `name` differs from `target` by one edit, or undefined when it does not (or the target is
 * too short for that edit to mean anything: `ms` and `mz` are both honest names).
 */
function singleEdit(name: string, target: string): Edit | undefined {
  const length = bareLength(target);
  const weak = (how: string): Edit | undefined => (length >= 5 ? { how, strong: false } : undefined);
  const strong = (how: string): Edit | undefined => (length >= 4 ? { how, strong: true } : undefined);
  if (name.length === target.length) {
    const diff = [...name].flatMap((char, i) => (char === target[i] ? [] : [i]));
    const i = diff[0]!;
    if (diff.length === 1) {
      const how = `${JSON.stringify(name[i])} in place of ${JSON.stringify(target[i])}`;
      return isSeparator(name[i]!) && isSeparator(target[i]!) ? strong(how) : weak(how);
    }
    if (diff.length === 2 && diff[1] === i + 1 && name[i] === target[i + 1] && name[i + 1] === target[i]) {
      return strong(`${JSON.stringify(target[i])} and ${JSON.stringify(target[i + 1])} swapped`);
    }
    return undefined;
  }
  if (name.length === target.length + 1) {
    const i = firstDifference(name, target);
    if (name.slice(i + 1) !== target.slice(i)) return undefined;
    const char = name[i]!;
    if (char === name[i - 1] || char === name[i + 1]) return strong(`${JSON.stringify(char)} doubled`);
    return isSeparator(char) ? strong(`${JSON.stringify(char)} added`) : weak(`${JSON.stringify(char)} added`);
  }
  if (name.length === target.length - 1) {
    const i = firstDifference(name, target);
    if (name.slice(i) !== target.slice(i + 1)) return undefined;
    const char = target[i]!;
    if (char === target[i - 1] || char === target[i + 1]) return strong(`one ${JSON.stringify(char)} of the double dropped`);
    return isSeparator(char) ? strong(`${JSON.stringify(char)} dropped`) : weak(`${JSON.stringify(char)} missing`);
  }
  return undefined;
}

/** One edit between two names; a strong one (swap, doubling, separator) is the shape of a typo, a weak one also of an honest name. */
interface Edit {
  how: string;
  strong: boolean;
}

function isSeparator(char: string): boolean {
  return char === "-" || char === "_" || char === ".";
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function separatorChange(name: string, target: string): string {
  const ours = name.replace(/[^-_.]/g, "");
  const theirs = target.replace(/[^-_.]/g, "");
  const listed = (text: string) => [...new Set(text)].map((char) => JSON.stringify(char)).join(" and ");
  if (ours.length < theirs.length) return `${listed(theirs)} dropped`;
  if (ours.length > theirs.length) return `${listed(ours)} added`;
  return `${listed(theirs)} written as ${listed(ours)}`;
}

/** The name without separators: `cross-env` and `cross_env` both become `crossenv`. */
function squeeze(name: string): string {
  return name.replace(/[-_.]/g, "");
}

/** The length of the part after the scope, what a typo is made in. */
function bareLength(name: string): number {
  return name.length - (name.startsWith("@") ? name.indexOf("/") + 1 : 0);
}

function sameScope(a: string, b: string): boolean {
  return a.startsWith("@") && b.startsWith("@") && a.slice(0, a.indexOf("/")) === b.slice(0, b.indexOf("/"));
}
