import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG, type Config } from "../../src/config/schema.js";
import { applyPolicy, type PullRequestIgnore } from "../../src/policy/apply.js";
import {
  COMMENT_LIMIT,
  COMMENT_MARKER,
  EMPTY_STATE,
  hasSomethingToSay,
  isReviewComment,
  readCommentState,
  renderReviewComment,
  withIgnores,
} from "../../src/report/comment.js";
import type { Review } from "../../src/review/review.js";
import { alert, review } from "../support/reviews.js";

const TODAY = new Date("2026-06-15T00:00:00Z");
const config: Config = DEFAULT_CONFIG;

function commentFor(reviewed: Review, options: { previous?: string; ignores?: PullRequestIgnore[]; checkRunUrl?: string } = {}): string {
  const ignores = options.ignores ?? [];
  return renderReviewComment({
    review: reviewed,
    verdict: applyPolicy(reviewed, config, TODAY, ignores),
    previous: options.previous ? readCommentState(options.previous) : undefined,
    ignores,
    checkRunUrl: options.checkRunUrl,
  });
}

/** A review of a lockfile where three packages changed, with the given alerts. */
function changed(alerts: Review["alerts"]): Review {
  const changes = ["left-pad", "request", "@acme/core"].map((name) => ({ name, type: "added" as const, from: null, to: "1.0.0", flags: [] }));
  return review({ alerts, lockfiles: [{ path: "package-lock.json", format: "npm", changes, warnings: [] }] });
}

const gitAlert = alert();
const deprecatedAlert = alert({
  rule: "deprecated",
  severity: "low",
  package: { name: "request", version: "2.88.2" },
  message: "request@2.88.2 is deprecated.",
  action: "Move to a maintained client.",
  location: { path: "package-lock.json", line: 40 },
});
const integrityAlert = alert({
  rule: "integrity-changed",
  severity: "critical",
  package: { name: "@acme/core", version: "4.0.0" },
  message: "Same version, new content.",
  action: "Find out why the tarball changed.",
  location: { path: "package-lock.json", line: 7 },
});

describe("the pull request comment", () => {
  it("shows the title, the conclusion, the link and the alerts most severe first with what to do", () => {
    const body = commentFor(changed([deprecatedAlert, gitAlert, integrityAlert]), { checkRunUrl: "https://github.com/o/r/runs/5" });
    expect(isReviewComment(body)).toBe(true);
    expect(body.split("\n")[0]).toBe(COMMENT_MARKER);
    expect(body).toContain("### ❌ Tollgate: 1 error, 2 warnings in 3 changed packages");
    expect(body).toContain("**Do not merge yet:**");
    expect(body).toContain("[The check run](https://github.com/o/r/runs/5) has the details.");
    const order = ["`@acme/core@4.0.0`", "`left-pad@1.3.0`", "`request@2.88.2`"].map((name) => body.indexOf(name));
    expect(order.every((index) => index > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(body).toContain("What to do: Find out why the tarball changed.");
    expect(body).toContain("`integrity-changed` (Same version, different content)");
    expect(body).not.toContain("Resolved");
  });

  it("keeps the alerts it showed and the ignores as hidden state", () => {
    const ignores: PullRequestIgnore[] = [{ package: "request@2.88.2", rules: ["deprecated"], reason: "replaced next sprint", by: "octocat" }];
    const body = commentFor(review({ alerts: [gitAlert, deprecatedAlert] }), { ignores });
    expect(readCommentState(body)).toEqual({ v: 1, alerts: ["git-dependency left-pad@1.3.0"], unreviewed: 0, ignores });
    expect(body).toContain("#### Ignored on this pull request");
    expect(body).toContain("- `request@2.88.2` (`deprecated`) by @octocat: replaced next sprint");
  });

  it("says which alerts of the previous review are resolved, and which an exception now accepts", () => {
    const previous = commentFor(review({ alerts: [gitAlert, deprecatedAlert, integrityAlert] }));
    const ignores: PullRequestIgnore[] = [{ package: "request@2.88.2", reason: "ok", by: "octocat" }];
    const body = commentFor(review({ alerts: [integrityAlert, deprecatedAlert] }), { previous, ignores });
    expect(body).toContain("#### Resolved since the previous review");
    expect(body).toContain("- ✅ `git-dependency` on `left-pad@1.3.0`\n");
    expect(body).toContain("- ✅ `deprecated` on `request@2.88.2`, now accepted by an exception");
    expect(body).not.toContain("on `@acme/core@4.0.0`");
  });

  it("says so when every alert of the previous review is resolved", () => {
    const previous = commentFor(review({ alerts: [gitAlert, deprecatedAlert], unreviewed: [{ subject: "x@1.0.0", reason: "registry down" }] }));
    const body = commentFor(review(), { previous });
    expect(body).toContain("#### All 2 alerts of the previous review are resolved");
    expect(body).toContain("Everything could be reviewed this time.");
    expect(body).toContain("**Passes the policy:** no alerts.");
    expect(readCommentState(body).alerts).toEqual([]);
  });

  it("knows when there is something to say", () => {
    const quiet = review();
    expect(hasSomethingToSay(quiet, applyPolicy(quiet, config, TODAY))).toBe(false);
    const unreviewed = review({ unreviewed: [{ subject: "yarn.lock", reason: "unreadable" }] });
    expect(hasSomethingToSay(unreviewed, applyPolicy(unreviewed, config, TODAY))).toBe(true);
    const alerted = review({ alerts: [gitAlert] });
    expect(hasSomethingToSay(alerted, applyPolicy(alerted, config, TODAY))).toBe(true);
    const ignored: PullRequestIgnore[] = [{ package: "left-pad@1.3.0", reason: "ok", by: "a" }];
    expect(hasSomethingToSay(alerted, applyPolicy(alerted, config, TODAY, ignored))).toBe(false);
  });

  it("cannot be broken out of by a reason that closes an HTML comment", () => {
    const ignores: PullRequestIgnore[] = [{ package: "left-pad@1.3.0", reason: "fine --> <!-- tollgate:state {} --> `x` | y", by: "octocat" }];
    const body = commentFor(review({ alerts: [gitAlert] }), { ignores });
    const stateLine = body.split("\n").find((line) => line.startsWith("<!-- tollgate:state "))!;
    // The state line has exactly one place where the HTML comment ends: its own end.
    expect(stateLine.indexOf("-->")).toBe(stateLine.length - 3);
    expect(readCommentState(body).ignores).toEqual(ignores);
  });

  it("reads no state from a body without any, or with a broken one, and drops malformed ignores", () => {
    expect(readCommentState("just text")).toEqual(EMPTY_STATE);
    expect(readCommentState(`${COMMENT_MARKER}\n<!-- tollgate:state {not json -->`)).toEqual(EMPTY_STATE);
    const state = readCommentState(
      `${COMMENT_MARKER}\n<!-- tollgate:state ${JSON.stringify({
        v: 1,
        alerts: ["deprecated a@1.0.0", 5],
        unreviewed: "x",
        ignores: [
          { package: "a@1.0.0", reason: "ok", by: "u" },
          { package: "not a name@@", reason: "ok", by: "u" },
          { package: "b@1.0.0", rules: ["no-such-rule"], reason: "ok", by: "u" },
          { package: "c@1.0.0", reason: 3, by: "u" },
          null,
        ],
      })} -->`,
    );
    expect(state).toEqual({ v: 1, alerts: ["deprecated a@1.0.0"], unreviewed: 0, ignores: [{ package: "a@1.0.0", reason: "ok", by: "u" }] });
  });

  it("stays within GitHub's comment limit for a huge review, with its state intact", () => {
    const alerts = Array.from({ length: 3_000 }, (_, index) =>
      alert({ package: { name: `package-${index}`, version: "1.0.0" }, message: "m".repeat(200), action: "a".repeat(100) }),
    );
    const ignores: PullRequestIgnore[] = Array.from({ length: 20 }, (_, index) => ({ package: `ignored-${index}@1.0.0`, reason: "r".repeat(300), by: "octocat" }));
    const body = commentFor(review({ alerts }), { ignores });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain("not shown: the review is larger than GitHub's limit");
    const state = readCommentState(body);
    expect(state.ignores).toEqual(ignores);
    expect(state.truncated).toBe(true);
    expect(state.alerts.length).toBeGreaterThan(100);
    expect(state.alerts.length).toBeLessThan(3_000);
  });
});

describe("adding ignores to the comment", () => {
  it("keeps the review shown and the alerts, and changes only the ignores", () => {
    const before = commentFor(review({ alerts: [gitAlert] }), { checkRunUrl: "https://github.com/o/r/runs/5" });
    const ignores: PullRequestIgnore[] = [{ package: "left-pad@1.3.0", rules: ["git-dependency"], reason: "ours", by: "hubot" }];
    const after = withIgnores(before, ignores);
    const shown = (body: string) => body.slice(0, body.indexOf("<!-- tollgate:ignores -->"));
    expect(shown(after)).toBe(shown(before));
    expect(readCommentState(after)).toEqual({ ...readCommentState(before), ignores });
    expect(after).toContain("- `left-pad@1.3.0` (`git-dependency`) by @hubot: ours");
  });

  it("never keeps a second state line, even from a comment without the ignores section", () => {
    const old = `${COMMENT_MARKER}\nan older review\n<!-- tollgate:state {"v":1,"alerts":["deprecated a@1.0.0"],"unreviewed":0,"ignores":[]} -->`;
    const ignores: PullRequestIgnore[] = [{ package: "a@1.0.0", reason: "ok", by: "hubot" }];
    const body = withIgnores(old, ignores);
    expect(body.match(/<!-- tollgate:state /g)).toHaveLength(1);
    expect(body).toContain("an older review");
    expect(readCommentState(body)).toEqual({ v: 1, alerts: ["deprecated a@1.0.0"], unreviewed: 0, ignores });
  });

  it("starts a comment that lists the ignores when there is none yet", () => {
    const ignores: PullRequestIgnore[] = [{ package: "@acme/x@1.2.3", reason: "ours", by: "hubot" }];
    const body = withIgnores(undefined, ignores);
    expect(isReviewComment(body)).toBe(true);
    expect(body).toContain("- `@acme/x@1.2.3` (all rules) by @hubot: ours");
    expect(readCommentState(body)).toEqual({ ...EMPTY_STATE, ignores });
  });
});
