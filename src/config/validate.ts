import { isMap, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { ConfigSchema, type Config } from "./schema.js";

/** Where the policy lives in a repository (and in an organisation's `.github` repository). */
export const CONFIG_PATH = ".github/tollgate.yml";

/** One thing wrong with a policy file, with its line when known. */
export interface ConfigProblem {
  /** The file (path or URL) with the problem. */
  file: string;
  line?: number;
  /** The field, dotted (`exceptions.0.reason`), or empty for the file as a whole. */
  field: string;
  message: string;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: ConfigProblem[] };

/** Validates an already parsed policy object (as Probot's config reader returns it). */
export function validateConfig(file: string, raw: unknown): ConfigResult {
  const result = ConfigSchema.safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => toProblem(file, issue)) };
}

/** Validates the text of a policy file, with the line of each problem (for annotations on a PR that edits it). */
export function validateConfigText(file: string, text: string): ConfigResult {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => ({
        file,
        line: lineCounter.linePos(error.pos[0]).line,
        field: "",
        message: `not valid YAML: ${error.message.split("\n")[0]}`,
      })),
    };
  }
  const raw: unknown = document.toJS();
  if (raw !== null && raw !== undefined && !isMap(document.contents)) {
    return { ok: false, problems: [{ file, line: 1, field: "", message: "the file must be a YAML mapping of settings" }] };
  }
  const result = validateConfig(file, raw);
  if (result.ok) return result;
  return {
    ok: false,
    problems: result.problems.map((problem) => {
      const path = problem.field ? problem.field.split(".").map((key) => (/^\d+$/.test(key) ? Number(key) : key)) : [];
      const node = nearestNode(document, path);
      const offset = (node as { range?: [number, number] } | undefined)?.range?.[0];
      return { ...problem, line: offset === undefined ? 1 : lineCounter.linePos(offset).line };
    }),
  };
}

/** The node at `path`, or at the longest prefix of it that exists (an unknown key is reported on its parent). */
function nearestNode(document: ReturnType<typeof parseDocument>, path: (string | number)[]): unknown {
  for (let length = path.length; length > 0; length--) {
    const node = document.getIn(path.slice(0, length), true);
    if (node !== undefined) return node;
  }
  return document.contents ?? undefined;
}

function toProblem(file: string, issue: z.core.$ZodIssue): ConfigProblem {
  // An unknown key is reported at the key itself, so the annotation lands on its line.
  const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0]!] : issue.path;
  const field = path.map(String).join(".");
  const message =
    issue.code === "unrecognized_keys" ? `unknown setting${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}` : issue.message;
  return { file, field, message };
}
