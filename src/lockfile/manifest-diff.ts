import type { Manifest, ManifestDependency } from "./manifest.js";
import type { DependencySection } from "./model.js";

/** A dependency declaration that a package.json adds, removes or changes. */
export interface ManifestChange {
  /** The package.json's path. */
  manifest: string;
  name: string;
  type: "added" | "removed" | "changed";
  from?: { section: DependencySection; spec: string };
  to?: { section: DependencySection; spec: string };
  /** The declaration's line in the head package.json (the base one for a removal). */
  line: number;
}

/**
 * Compares the declarations of two versions of one package.json. A dependency declared in several
 * sections (a peer that is also a dev dependency) is compared section by section in npm's order.
 */
export function diffManifests(base: Manifest | undefined, head: Manifest | undefined): ManifestChange[] {
  const path = head?.path ?? base?.path ?? "package.json";
  const before = declarations(base);
  const after = declarations(head);
  const changes: ManifestChange[] = [];
  for (const name of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const from = before.get(name);
    const to = after.get(name);
    if (from && to && from.section === to.section && from.spec === to.spec) continue;
    changes.push({
      manifest: path,
      name,
      type: !from ? "added" : !to ? "removed" : "changed",
      from: from && { section: from.section, spec: from.spec },
      to: to && { section: to.section, spec: to.spec },
      line: (to ?? from)!.line,
    });
  }
  return changes;
}

/** The declaration that decides how a dependency is installed: the first section in npm's order. */
function declarations(manifest: Manifest | undefined): Map<string, ManifestDependency> {
  const byName = new Map<string, ManifestDependency>();
  for (const dependency of manifest?.dependencies ?? []) {
    if (!byName.has(dependency.name)) byName.set(dependency.name, dependency);
  }
  return byName;
}
