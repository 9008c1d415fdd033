import type { Lockfile, PackageInstance } from "../../src/lockfile/model.js";
import { createHash } from "node:crypto";
import { TarballIntegrityError, TarballNotFoundError, type Packument, type Registry } from "../../src/registry/registry.js";
import type { ReviewSource } from "../../src/review/review.js";

/** A registry package instance; override what the test is about. */
export function pkg(spec: string, overrides: Partial<PackageInstance> = {}): PackageInstance {
  const at = spec.lastIndexOf("@");
  const name = spec.slice(0, at);
  const version = spec.slice(at + 1);
  return {
    name,
    version,
    source: "registry",
    resolved: `https://registry.npmjs.org/${name}/-/${name.split("/").pop()}-${version}.tgz`,
    integrity: `sha512-${Buffer.from(spec).toString("base64")}`,
    dev: false,
    optional: false,
    peer: false,
    direct: false,
    workspaces: [],
    line: 1,
    key: `node_modules/${name}`,
    ...overrides,
  };
}

export function lockfile(packages: PackageInstance[], overrides: Partial<Lockfile> = {}): Lockfile {
  return { path: "package-lock.json", format: "npm", formatVersion: "3", packages, workspaces: [""], warnings: [], ...overrides };
}

/** A review source from two maps of path to text. */
export function memorySource(base: Record<string, string>, head: Record<string, string>): ReviewSource & { reads: string[] } {
  const paths = new Set([...Object.keys(base), ...Object.keys(head)]);
  const reads: string[] = [];
  return {
    reads,
    changedPaths: [...paths].filter((path) => base[path] !== head[path]),
    async read(path, side) {
      reads.push(`${side}:${path}`);
      return (side === "base" ? base : head)[path];
    },
  };
}

/**
 * A registry that knows the given packuments and answers 404 for the rest; `unreachable` names fail.
 * `tarballs` holds the tarballs it serves, by `name@version`.
 */
export function fakeRegistry(
  packuments: Packument[],
  unreachable: string[] = [],
  tarballs: Record<string, Buffer> = {},
): Registry & { asked: string[]; fetched: string[] } {
  const byName = new Map(packuments.map((packument) => [packument.name, packument]));
  const asked: string[] = [];
  const fetched: string[] = [];
  return {
    asked,
    fetched,
    urlFor: () => "https://registry.npmjs.org/",
    async packument(name) {
      asked.push(name);
      if (unreachable.includes(name)) throw new Error("the registry could not be reached (ECONNREFUSED)");
      return byName.get(name);
    },
    async tarball(name, version, integrity) {
      fetched.push(`${name}@${version}`);
      if (unreachable.includes(name)) throw new Error("the registry could not be reached (ECONNREFUSED)");
      const tarball = tarballs[`${name}@${version}`];
      if (!tarball) throw new TarballNotFoundError(`${name}@${version} is not on the registry`);
      // As pacote does: the content must match the lockfile's integrity when one is given.
      if (integrity && integrity !== sri(tarball)) throw new TarballIntegrityError(integrity, sri(tarball));
      return tarball;
    },
  };
}

/** A packument listing the given versions (with optional per-version fields). */
export function packument(name: string, versions: Record<string, { deprecated?: string }>): Packument {
  return {
    name,
    versions: Object.fromEntries(Object.entries(versions).map(([version, extra]) => [version, { name, version, ...extra }])),
  };
}

/** The sha512 subresource-integrity string of some content, as lockfiles record it. */
export function sri(data: Buffer): string {
  return `sha512-${createHash("sha512").update(data).digest("base64")}`;
}
