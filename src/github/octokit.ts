import type { ProbotOctokit } from "probot";

/** The authenticated client the GitHub adapters use (Probot's, with the config, retry and throttling plugins). */
export type Octokit = InstanceType<typeof ProbotOctokit>;

/** A repository and one pull request in it. */
export interface PullRequestRef {
  owner: string;
  repo: string;
  pullNumber: number;
  baseSha: string;
  headSha: string;
}
