import type { Lockfile, PackageInstance } from "../../src/lockfile/model.js";
import type { Packument, Registry } from "../../src/registry/registry.js";
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

/** A registry that knows the given packuments and answers 404 for the rest; `unreachable` names fail. */
export function fakeRegistry(packuments: Packument[], unreachable: string[] = []): Registry & { asked: string[] } {
  const byName = new Map(packuments.map((packument) => [packument.name, packument]));
  const asked: string[] = [];
  return {
    asked,
    urlFor: () => "https://registry.npmjs.org/",
    async packument(name) {
      asked.push(name);
      if (unreachable.includes(name)) throw new Error("the registry could not be reached (ECONNREFUSED)");
      return byName.get(name);
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
