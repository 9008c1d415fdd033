import type { PackageInstance } from "./model.js";

/*
 * Direct, dev, optional and peer status worked out from the dependency graph, for the formats that
 * do not record it per package (yarn, pnpm 9, bun). Packages are nodes numbered from 0; the roots
 * are what the root project and the workspaces declare.
 */

export interface ReachEdge {
  target: number;
  optional: boolean;
  /** A peer dependency's edge (only bun's graph says). */
  peer?: boolean;
}

export interface ReachRoot extends ReachEdge {
  /** Declared in devDependencies. */
  dev: boolean;
}

export interface Reach {
  reached: boolean[];
  dev: boolean[];
  optional: boolean[];
}

/**
 * Dev and optional status the way npm defines them, from the declared roots:
 * - dev: reached from some root, but not from any production (dependencies/optionalDependencies) root;
 * - optional: for a production package, no production path to it is free of optional edges (npm's
 *   optional and devOptional); for a dev-only package, no dev path to it is.
 * Packages no root reaches are left as production and required: unknown is not safe to hide.
 */
export function classifyReach(count: number, edges: readonly (readonly ReachEdge[])[], roots: readonly ReachRoot[]): Reach {
  const production = roots.filter((root) => !root.dev);
  const reached = walk(count, edges, roots, false, false);
  const productionAny = walk(count, edges, production, false, false);
  const productionRequired = walk(count, edges, production, true, false);
  const anyRequired = walk(count, edges, roots, true, false);
  const dev: boolean[] = [];
  const optional: boolean[] = [];
  for (let i = 0; i < count; i++) {
    dev.push(reached[i]! && !productionAny[i]!);
    optional.push(reached[i]! && (dev[i]! ? !anyRequired[i]! : !productionRequired[i]!));
  }
  return { reached, dev, optional };
}

/** Packages the roots reach only through peer dependencies: installed to satisfy a peer. */
export function reachedOnlyAsPeer(reach: Reach, edges: readonly (readonly ReachEdge[])[], roots: readonly ReachRoot[]): boolean[] {
  const count = reach.reached.length;
  const withoutPeers = walk(count, edges, roots, false, true);
  const peer: boolean[] = [];
  for (let i = 0; i < count; i++) peer.push(reach.reached[i]! && !withoutPeers[i]!);
  return peer;
}

/** The nodes reachable from `starts`, leaving out optional and/or peer edges when asked. */
function walk(
  count: number,
  edges: readonly (readonly ReachEdge[])[],
  starts: readonly ReachEdge[],
  skipOptional: boolean,
  skipPeer: boolean,
): boolean[] {
  const seen = new Array<boolean>(count).fill(false);
  const stack: number[] = [];
  for (const root of starts) {
    if ((skipOptional && root.optional) || (skipPeer && root.peer === true)) continue;
    if (!seen[root.target]) {
      seen[root.target] = true;
      stack.push(root.target);
    }
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const edge of edges[node] ?? []) {
      if ((skipOptional && edge.optional) || (skipPeer && edge.peer === true)) continue;
      if (!seen[edge.target]) {
        seen[edge.target] = true;
        stack.push(edge.target);
      }
    }
  }
  return seen;
}

/** Sets each package's dev and optional status from `classifyReach`, package i being node i. */
export function applyReach(packages: PackageInstance[], reach: Reach): void {
  packages.forEach((instance, i) => {
    instance.dev = reach.dev[i]!;
    instance.optional = reach.optional[i]!;
  });
}

/** Records that `workspace` ("" for the root) declares the package directly. */
export function markDirect(instance: PackageInstance, workspace: string): void {
  instance.direct = true;
  if (!instance.workspaces.includes(workspace)) instance.workspaces.push(workspace);
}
