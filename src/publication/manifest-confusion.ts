/**
 * manifest-confusion: the registry's manifest for a version and the package.json inside its
 * tarball disagree. The registry stores whatever manifest the publish request carried, without
 * checking it against the tarball; npm resolves dependencies from the registry's copy but runs
 * the scripts and links the bins of the tarball's. A version published with a doctored manifest
 * can so hide an install script, a dependency or a command from every tool that reads the
 * registry.
 *
 * What npm itself changes at publish is not a disagreement: `install: node-gyp rebuild` for a
 * package with a binding.gyp, `start: node server.js` for one with a server.js, a string `bin`
 * turned into `{ name: path }`, `./` prefixes on bin paths, optional dependencies listed again
 * under dependencies, an empty range written as `*`.
 *
 * Severity: high when the name, version, install scripts or bins differ (what runs on install
 * or on the command line is not what the registry shows); medium for other scripts and
 * dependencies.
 */

import { posix } from "node:path";
import type { PackumentVersion } from "../registry/registry.js";
import type { Alert, RepositoryLocation } from "../review/alert.js";
import { INSTALL_EVENTS } from "./lifecycle.js";
import { joinWords, quote } from "./text.js";
import { isRecord, stringMap } from "./values.js";

/** One field on which the two manifests disagree. */
export interface ManifestMismatch {
  field: "name" | "version" | "scripts" | "dependencies" | "bin";
  /** The entry within the field: a script event, a dependency or bin name. */
  key?: string;
  /** The registry's value, undefined when the registry does not have the entry. */
  registry?: string;
  /** The tarball's value, undefined when the tarball does not have the entry. */
  tarball?: string;
}

/** Where the registry's manifest and the tarball's package.json disagree on name, version, scripts, dependencies or bin. */
export function manifestConfusion(registryVersion: PackumentVersion, tarballManifest: Record<string, unknown>): ManifestMismatch[] {
  const mismatches: ManifestMismatch[] = [];
  for (const field of ["name", "version"] as const) {
    const registry = registryVersion[field];
    const tarball = tarballManifest[field];
    if (typeof registry === "string" && registry !== (typeof tarball === "string" ? tarball : undefined)) {
      mismatches.push({ field, registry, ...(typeof tarball === "string" ? { tarball } : {}) });
    }
  }
  mismatches.push(...compareMaps("scripts", scriptsOf(registryVersion.scripts), scriptsOf(tarballManifest.scripts), publishAddedScript));
  mismatches.push(...compareMaps("dependencies", dependenciesOf(registryVersion), dependenciesOf(tarballManifest), () => false));
  // A `directories.bin` folder becomes `bin` entries at publish, from files this comparison cannot see.
  if (!isRecord(tarballManifest.directories) || typeof tarballManifest.directories.bin !== "string" || tarballManifest.bin !== undefined) {
    const name = typeof tarballManifest.name === "string" ? tarballManifest.name : registryVersion.name;
    mismatches.push(...compareMaps("bin", binsOf(registryVersion.bin, registryVersion.name), binsOf(tarballManifest.bin, name), () => false));
  }
  return mismatches;
}

/** The manifest-confusion alert for a version's mismatches, if there are any. */
export function manifestConfusionAlert(
  pkg: { name: string; version: string; previous?: string },
  mismatches: readonly ManifestMismatch[],
  location: RepositoryLocation,
): Alert | undefined {
  if (mismatches.length === 0) return undefined;
  const serious = mismatches.some(
    (mismatch) =>
      mismatch.field === "name" ||
      mismatch.field === "version" ||
      mismatch.field === "bin" ||
      (mismatch.field === "scripts" && (INSTALL_EVENTS as readonly string[]).includes(mismatch.key ?? "")),
  );
  const shown = mismatches.slice(0, 4).map(describe);
  const more = mismatches.length > shown.length ? ` and ${mismatches.length - shown.length} more` : "";
  return {
    rule: "manifest-confusion",
    severity: serious ? "high" : "medium",
    package: pkg.previous ? { name: pkg.name, version: pkg.version, previous: pkg.previous } : { name: pkg.name, version: pkg.version },
    message: `The registry's manifest for ${pkg.name}@${pkg.version} disagrees with the package.json in its tarball: ${joinWords(shown)}${more}.`,
    why: "The registry does not check the manifest a publisher sends against the tarball; npm runs the tarball's scripts and bins while every registry-based tool shows the registry's copy, so a mismatch can hide what the package really does.",
    action: `Read the package.json inside the ${pkg.name}@${pkg.version} tarball and treat its scripts, dependencies and bins as the truth; do not merge until the maintainers explain the difference.`,
    location,
  };
}

function describe(mismatch: ManifestMismatch): string {
  const what = mismatch.key === undefined ? mismatch.field : `${singular(mismatch.field)} ${mismatch.key}`;
  if (mismatch.registry === undefined) return `the tarball has ${what} ${quote(mismatch.tarball ?? "", 80)} that the registry does not show`;
  if (mismatch.tarball === undefined) return `the registry shows ${what} ${quote(mismatch.registry, 80)} that the tarball does not have`;
  return `${what} is ${quote(mismatch.registry, 80)} in the registry but ${quote(mismatch.tarball, 80)} in the tarball`;
}

function singular(field: ManifestMismatch["field"]): string {
  return field === "scripts" ? "script" : field === "dependencies" ? "dependency" : field;
}

function compareMaps(
  field: "scripts" | "dependencies" | "bin",
  registry: Record<string, string>,
  tarball: Record<string, string>,
  addedAtPublish: (key: string, value: string, tarball: Record<string, string>) => boolean,
): ManifestMismatch[] {
  const mismatches: ManifestMismatch[] = [];
  for (const key of [...new Set([...Object.keys(registry), ...Object.keys(tarball)])].sort()) {
    const left = registry[key];
    const right = tarball[key];
    if (left === right) continue;
    if (left !== undefined && right === undefined && addedAtPublish(key, left, tarball)) continue;
    mismatches.push({ field, key, ...(left !== undefined ? { registry: left } : {}), ...(right !== undefined ? { tarball: right } : {}) });
  }
  return mismatches;
}

/** Scripts npm writes into the registry's manifest from files it finds at publish. */
function publishAddedScript(key: string, value: string, tarball: Record<string, string>): boolean {
  if (key === "install" && value === "node-gyp rebuild") return tarball.preinstall === undefined;
  if (key === "start" && value === "node server.js") return true;
  return false;
}

function scriptsOf(value: unknown): Record<string, string> {
  const scripts = stringMap(value);
  for (const key of Object.keys(scripts)) scripts[key] = scripts[key]!.trim();
  return scripts;
}

/** Dependencies and optional dependencies together: old npm versions copied one into the other at publish. */
function dependenciesOf(manifest: { dependencies?: unknown; optionalDependencies?: unknown }): Record<string, string> {
  const all = { ...stringMap(manifest.dependencies), ...stringMap(manifest.optionalDependencies) };
  for (const key of Object.keys(all)) all[key] = all[key]!.trim() === "" ? "*" : all[key]!.trim();
  return all;
}

/** Bins as `{ command: path }` with normalised paths; a string bin is named after the package. */
function binsOf(value: unknown, packageName: string): Record<string, string> {
  const raw: Record<string, string> = typeof value === "string" ? { [packageName.replace(/^@[^/]+\//, "")]: value } : stringMap(value);
  const bins: Record<string, string> = {};
  for (const [command, path] of Object.entries(raw)) {
    bins[posix.basename(command)] = posix.normalize(path.replace(/\\/g, "/")).replace(/^(\.\/)+/, "");
  }
  return bins;
}
