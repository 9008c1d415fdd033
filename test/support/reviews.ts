import type { Alert } from "../../src/review/alert.js";
import type { Review } from "../../src/review/review.js";

/** An alert; override what the test is about. */
export function alert(overrides: Partial<Alert> = {}): Alert {
  return {
    rule: "git-dependency",
    severity: "medium",
    package: { name: "left-pad", version: "1.3.0" },
    message: "left-pad is installed from a git repository.",
    why: "No registry record.",
    action: "Use the registry version.",
    location: { path: "package-lock.json", line: 12 },
    ...overrides,
  };
}

export function review(overrides: Partial<Review> = {}): Review {
  return { lockfiles: [], manifestChanges: [], alerts: [], unreviewed: [], configProblems: [], ...overrides };
}
