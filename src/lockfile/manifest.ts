import { parseTree, findNodeAtLocation, type ParseError } from "jsonc-parser";
import { LineIndex } from "./lines.js";
import { DEPENDENCY_SECTIONS, LockfileError, type DependencySection } from "./model.js";

/** One dependency a package.json declares. */
export interface ManifestDependency {
  name: string;
  /** The range or specifier as written (`^1.2.3`, `npm:ms@2.1.3`, `github:a/b`, `workspace:*`). */
  spec: string;
  section: DependencySection;
  /** 1-based line of the declaration. */
  line: number;
}

/** What Tollgate reads from a package.json. */
export interface Manifest {
  path: string;
  name?: string;
  version?: string;
  dependencies: ManifestDependency[];
  /** Workspace globs (`workspaces` as an array or `{ packages: [...] }`). */
  workspaces: string[];
  /** The raw parsed object, for the fields other parts read (scripts, allowScripts, pnpm settings, …). */
  raw: Record<string, unknown>;
}

/** Parses a package.json, keeping the line of every dependency declaration. */
export function parseManifest(path: string, text: string): Manifest {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  const lines = new LineIndex(text);
  const firstError = errors[0];
  if (firstError || !tree || tree.type !== "object") {
    throw new LockfileError(
      path,
      firstError ? lines.lineAt(firstError.offset) : 1,
      "package.json is not a valid JSON object",
    );
  }
  const raw = JSON.parse(text) as Record<string, unknown>;
  const dependencies: ManifestDependency[] = [];
  for (const section of DEPENDENCY_SECTIONS) {
    const node = findNodeAtLocation(tree, [section]);
    if (!node || node.type !== "object") continue;
    for (const property of node.children ?? []) {
      const [key, value] = property.children ?? [];
      if (!key || !value || typeof value.value !== "string") continue;
      dependencies.push({
        name: String(key.value),
        spec: value.value,
        section,
        line: lines.lineAt(key.offset),
      });
    }
  }
  return {
    path,
    name: typeof raw.name === "string" ? raw.name : undefined,
    version: typeof raw.version === "string" ? raw.version : undefined,
    dependencies,
    workspaces: workspaceGlobs(raw.workspaces),
    raw,
  };
}

function workspaceGlobs(value: unknown): string[] {
  const list = Array.isArray(value)
    ? value
    : value && typeof value === "object" && Array.isArray((value as { packages?: unknown }).packages)
      ? (value as { packages: unknown[] }).packages
      : [];
  return list.filter((entry): entry is string => typeof entry === "string");
}
