import { existsSync, readFileSync } from "node:fs";

/** Tollgate's version, from its package.json (beside `src/` when run from source, two levels up from `dist/src/`). */
export const TOLLGATE_VERSION: string = (() => {
  for (const relative of ["../package.json", "../../package.json"]) {
    const url = new URL(relative, import.meta.url);
    if (!existsSync(url)) continue;
    const manifest = JSON.parse(readFileSync(url, "utf8")) as { name?: string; version?: string };
    if (manifest.name === "tollgate" && manifest.version) return manifest.version;
  }
  return "unknown";
})();
