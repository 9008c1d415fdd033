import type { DependencyChange } from "../lockfile/diff.js";
import type { ManifestChange } from "../lockfile/manifest-diff.js";
import type { Alert, RepositoryLocation } from "./alert.js";

/** Alerts that the lockfile diff alone shows: where a new version comes from and what changed around it. */
export function lockfileSignals(change: DependencyChange, location: RepositoryLocation): Alert[] {
  const head = change.head;
  if (!head || change.type === "removed") return [];
  const alerts: Alert[] = [];
  const pkg = change.base && change.base.version !== head.version
    ? { name: change.name, version: head.version, previous: change.base.version }
    : { name: change.name, version: head.version };
  const previous = change.base?.source;
  const newSource = previous !== head.source;

  if (head.source === "git" && newSource) {
    alerts.push({
      rule: "git-dependency",
      severity: "medium",
      package: pkg,
      message: `${change.name} is installed from a git repository (${head.resolved ?? "unknown URL"})${previous ? ` instead of ${previous === "registry" ? "the registry" : `a ${previous} source`}` : ""}.`,
      why: "Code from a git repository has no registry record: no publisher, no provenance, no immutable tarball, and install runs its prepare script.",
      action: "Prefer a published registry version; if the git source is intended, pin it to a full commit and review that commit.",
      location,
    });
  }
  if (head.source === "tarball" && newSource) {
    alerts.push({
      rule: "http-dependency",
      severity: "medium",
      package: pkg,
      message: `${change.name} is installed from a tarball URL (${head.resolved ?? "unknown URL"}).`,
      why: "Whoever controls that URL controls the code, and the registry's records and signatures do not apply.",
      action: "Use the registry version of the package, or host the tarball where your team controls it and pin its integrity.",
      location,
    });
  }
  if ((head.source === "file" || head.source === "link") && newSource) {
    alerts.push({
      rule: "file-dependency",
      severity: "low",
      package: pkg,
      message: `${change.name} is installed from a local path (${head.resolved ?? "unknown path"}).`,
      why: "Local paths are reviewed as part of this repository, not as a package: make sure the path is inside it.",
      action: "Check that the path points inside this repository and is reviewed like its own code.",
      location,
    });
  }
  for (const flag of change.flags) {
    if (flag.kind === "non-registry-host") {
      alerts.push({
        rule: "registry-host-changed",
        severity: "high",
        package: pkg,
        message: `${change.name}@${head.version} is resolved from ${flag.host}, not from the configured registry.`,
        why: "A lockfile that points at another host installs whatever that host serves, whatever the registry says about the version.",
        action: `Regenerate the lockfile against your registry, or add ${flag.host} to the configured registries if it is yours.`,
        location,
      });
    } else if (flag.kind === "integrity-changed") {
      alerts.push({
        rule: "integrity-changed",
        severity: "critical",
        package: pkg,
        message: `${change.name}@${head.version} has a different integrity hash than before (${short(flag.from)} → ${short(flag.to)}).`,
        why: "A published version never changes: the same version with new content means a different source, a tampered tarball or a tampered lockfile.",
        action: "Do not merge until you know where the new content comes from; regenerate the lockfile from the registry and compare.",
        location,
      });
    } else if (flag.kind === "dev-to-production") {
      alerts.push({
        rule: "moved-to-production",
        severity: "low",
        package: pkg,
        message: `${change.name}@${head.version} was only a development dependency and is now installed in production.`,
        why: "Production dependencies run where your users' data is; development-only packages usually get less scrutiny.",
        action: "Confirm the package is meant to ship with the product.",
        location,
      });
    }
  }
  // The policy may rank alerts about packages that only development needs lower.
  return head.dev ? alerts.map((alert) => ({ ...alert, devOnly: true })) : alerts;
}

/** Alerts for package.json changes that the lockfile does not reflect. */
export function manifestSignals(change: ManifestChange, lockfileChanged: boolean, inHeadLockfile: boolean): Alert[] {
  const location = { path: change.manifest, line: change.line };
  const pkg = { name: change.name, version: change.to?.spec ?? null };
  if (!change.to || change.type === "removed") return [];
  const movedToProduction =
    change.from?.section === "devDependencies" && change.to.section !== "devDependencies" && change.from.spec === change.to.spec;
  if (movedToProduction) {
    return [
      {
        rule: "moved-to-production",
        severity: "low",
        package: pkg,
        message: `${change.name} moved from devDependencies to ${change.to.section} in ${change.manifest}.`,
        why: "Production dependencies run where your users' data is; development-only packages usually get less scrutiny.",
        action: "Confirm the package is meant to ship with the product.",
        location,
      },
    ];
  }
  if (lockfileChanged && inHeadLockfile) return [];
  const what = change.type === "added" ? `adds ${change.name}@${change.to.spec}` : `changes ${change.name} to ${change.to.spec}`;
  return [
    {
      rule: "manifest-without-lockfile",
      severity: "medium",
      package: pkg,
      message: lockfileChanged
        ? `${change.manifest} ${what}, but the updated lockfile does not contain ${change.name}.`
        : `${change.manifest} ${what}, but no lockfile changed with it.`,
      why: "What gets installed is decided when the lockfile is regenerated, outside this review: the version nobody reviewed is the one that ships.",
      action: "Run your package manager's install and commit the lockfile in this pull request, so the exact version is reviewed.",
      location,
    },
  ];
}

function short(integrity: string): string {
  return integrity.length > 24 ? `${integrity.slice(0, 20)}…` : integrity;
}
