import semver from "semver";
import { parseSelector } from "../config/schema.js";
import { RULE_IDS, isRuleId, type RuleId } from "../policy/rules.js";

/** What a pull request comment can ask Tollgate to do. */
export type Command =
  | {
      kind: "ignore";
      /** `name@version`, the form a `PullRequestIgnore` keeps. */
      package: string;
      name: string;
      version: string;
      /** The rules to quiet; all of them when left out. */
      rules?: RuleId[];
      reason: string;
    }
  | { kind: "rerun" };

/** A reason longer than this is refused: it is kept in the Tollgate comment, which has a size limit. */
export const MAX_REASON_LENGTH = 300;

/** How to write the commands, for replies to a comment Tollgate could not read. */
export const COMMAND_SYNTAX = [
  "- `@tollgate ignore <name>@<version> [rule …] -- <reason>` accepts the alerts on that exact version for this pull request (all rules when none are named) and reviews it again.",
  "- `@tollgate rerun` reviews this pull request again.",
  "",
  `Rules: ${RULE_IDS.map((rule) => `\`${rule}\``).join(", ")}.`,
].join("\n");

const MENTION = /^@tollgate(?=\s|$)/i;

/**
 * Reads the command in a pull request comment: undefined when the comment is not addressed to
 * Tollgate (it must start with `@tollgate`), an error for anything Tollgate cannot carry out. Only
 * the comment's first line is the command; what follows is free text.
 */
export function parseCommand(body: string): Command | { error: string } | undefined {
  const text = body.trimStart();
  const mention = MENTION.exec(text);
  if (!mention) return undefined;
  const line = (text.split(/\r?\n/, 1)[0] ?? "").slice(mention[0].length).trim();
  if (line === "") return { error: "That comment names no command." };
  const verb = line.split(/\s/, 1)[0]!;
  const rest = line.slice(verb.length).trim();
  switch (verb.toLowerCase()) {
    case "rerun":
      return rest === "" ? { kind: "rerun" } : { error: "`rerun` takes nothing after it." };
    case "ignore":
      return parseIgnore(rest);
    default:
      return { error: `Tollgate has no command ${code(verb)}.` };
  }
}

function parseIgnore(text: string): Command | { error: string } {
  const separator = /(?:^|\s)--/.exec(text);
  if (!separator) return { error: "An ignore needs a reason: write it after ` -- `." };
  const reason = text.slice(separator.index + separator[0].length).trim();
  const [spec, ...ruleTokens] = text
    .slice(0, separator.index)
    .split(/[\s,]+/)
    .map(unquote)
    .filter((token) => token !== "");
  if (spec === undefined) return { error: "An ignore names the package and its version: `<name>@<version>`." };

  const at = spec.lastIndexOf("@");
  if (at <= 0) return { error: `${code(spec)} names no version: write \`<name>@<version>\`, for example \`left-pad@1.3.0\`.` };
  const name = spec.slice(0, at);
  const version = spec.slice(at + 1);
  const selector = parseSelector(name);
  if (name.length > 214 || selector?.name !== name || selector.range !== undefined) return { error: `${code(name)} is not an npm package name.` };
  if (semver.valid(version) !== version) {
    return { error: `${code(version)} is not an exact version: an ignore names one version, such as \`1.3.0\`, never a range.` };
  }

  const unknown = ruleTokens.filter((rule) => !isRuleId(rule));
  if (unknown.length > 0) return { error: `Tollgate has no rule ${unknown.map(code).join(", ")}.` };
  const rules = [...new Set(ruleTokens)] as RuleId[];

  if (reason === "") return { error: "An ignore needs a reason: write it after ` -- `." };
  if (reason.length > MAX_REASON_LENGTH) return { error: `Keep the reason under ${MAX_REASON_LENGTH} characters.` };
  return { kind: "ignore", package: `${name}@${version}`, name, version, ...(rules.length > 0 ? { rules } : {}), reason };
}

/** Drops the backticks a user may put around a package or a rule. */
function unquote(token: string): string {
  return token.replace(/^`+|`+$/g, "");
}

/** User text quoted back safely: one line, no backticks, short. */
function code(text: string): string {
  const clean = text.replace(/`/g, "'").replace(/\s+/g, " ");
  return `\`${clean.length > 60 ? `${clean.slice(0, 59)}…` : clean}\``;
}
