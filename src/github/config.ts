import { CONFIG_PATH, validateConfig, type ConfigResult } from "../config/validate.js";
import { mergeConfigs } from "../config/merge.js";
import type { Octokit } from "./octokit.js";

/**
 * Reads the policy the way Probot's `context.config` does: from the repository's default branch
 * (so a pull request cannot loosen its own policy), else the organisation's `.github` repository,
 * following `_extends`. Each file is validated on its own, so a problem names the file it is in.
 */
export async function loadConfig(octokit: Octokit, owner: string, repo: string): Promise<ConfigResult> {
  let files: { url: string; config: Record<string, unknown> | null }[];
  try {
    ({ files } = await octokit.config.get({ owner, repo, path: CONFIG_PATH }));
  } catch (error) {
    // The config plugin throws for invalid YAML, a directory in the file's place, or an _extends loop.
    const message = (error as Error).message.replace(/^\[@probot\/octokit-plugin-config\]\s*/, "");
    return { ok: false, problems: [{ file: CONFIG_PATH, field: "", message }] };
  }
  const present = files.filter((file) => file.config !== null);
  const problems = present.flatMap((file) => {
    const result = validateConfig(file.url, file.config);
    return result.ok ? [] : result.problems;
  });
  if (problems.length > 0) return { ok: false, problems };
  // The most specific file comes first; settings it gives win over the ones it extends.
  return validateConfig(CONFIG_PATH, mergeConfigs(present.map((file) => file.config!).reverse()));
}
