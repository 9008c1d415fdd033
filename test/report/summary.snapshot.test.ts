import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../src/config/schema.js";
import { DEFAULT_REGISTRY_HOSTS } from "../../src/lockfile/diff.js";
import { applyPolicy } from "../../src/policy/apply.js";
import { renderCheckRun } from "../../src/report/check-run.js";
import { renderText } from "../../src/report/text.js";
import { reviewChanges } from "../../src/review/review.js";
import { fakeRegistry, memorySource, packument } from "../support/packages.js";

const PAIR = "jupyterlab-berry-git-dependency-added";
const corpus = (side: string, file: string) => readFileSync(new URL(`../../../shared/corpus/lockfile-pairs/${PAIR}/${side}/${file}`, import.meta.url), "utf8");

/** A realistic review: jupyterlab's switch of canvas to a git commit, with a deprecated version and an expired exception. */
async function realisticReview() {
  const source = memorySource(
    { "yarn.lock": corpus("base", "yarn.lock"), "package.json": corpus("base", "package.json") },
    { "yarn.lock": corpus("head", "yarn.lock"), "package.json": corpus("head", "package.json") },
  );
  const registry = fakeRegistry([packument("node-addon-api", { "7.0.0": { deprecated: "please upgrade to 8" } })]);
  const review = await reviewChanges(source, { registry, registryHosts: DEFAULT_REGISTRY_HOSTS });
  const config = ConfigSchema.parse({
    rules: { "git-dependency": "error" },
    exceptions: [{ package: "canvas", rules: ["git-dependency"], reason: "waiting for the 3.0 release", expires: "2026-05-31" }],
  });
  return { review, verdict: applyPolicy(review, config, new Date("2026-06-15T00:00:00Z")) };
}

describe("the rendered review", () => {
  it("check run", async () => {
    const { review, verdict } = await realisticReview();
    const output = renderCheckRun(review, verdict);
    expect(output.conclusion).toBe("failure");
    await expect(`# ${output.title}\n\n${output.summary}\n`).toMatchFileSnapshot("__snapshots__/check-run-summary.md");
    expect(output.annotations).toMatchSnapshot();
  });

  it("terminal text", async () => {
    const { review, verdict } = await realisticReview();
    expect(renderText(review, verdict, { color: false })).toMatchSnapshot();
  });
});
