import { z } from "zod";
import { ConfigSchema } from "./schema.js";

/** The JSON Schema of `.github/tollgate.yml`, generated from the same zod schema that validates it, for editors. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" }),
    title: "Tollgate policy",
  };
}
