#!/usr/bin/env node
// Entry point for `npx tollgate`: the compiled CLI lives in dist/ (built by `npm run build`, run by `prepare`).
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
});
