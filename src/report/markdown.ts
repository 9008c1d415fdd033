import type { Finding } from "../policy/apply.js";

/** The markdown pieces the check run summary and the pull request comment share. */

export const LEVEL_ICON = { error: "🔴", warning: "🟠", notice: "🔵" } as const;

/** Keeps package-supplied and user-supplied text from breaking the markdown around it. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[|`<>]/g, (char) => `\\${char}`).replace(/\r?\n/g, " ");
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Findings grouped by package version, in the order of each package's most severe finding. */
export function findingsByPackage(findings: readonly Finding[]): { name: string; where: string; findings: Finding[] }[] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = `${finding.package.name}@${finding.package.version ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), finding]);
  }
  return [...groups.values()].map((group) => {
    const first = group[0]!;
    return {
      name: first.package.version ? `${first.package.name}@${first.package.version}` : first.package.name,
      where: first.location.line ? `${first.location.path}:${first.location.line}` : first.location.path,
      findings: group,
    };
  });
}
