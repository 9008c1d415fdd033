import { existsSync } from "node:fs";
import { run } from "probot";
import { tollgateApp } from "./app.js";
import { unsafeSettings } from "./settings.js";

// `npm start`. The .env file is read here as well as by Probot, so the check below sees it.
if (existsSync(".env")) process.loadEnvFile(".env");
const problem = unsafeSettings(process.env);
if (problem) {
  console.error(`tollgate: refusing to start: ${problem}`);
  process.exit(1);
}
await run(tollgateApp());
