/** The scripts a package manager runs when it installs a package, read from a manifest. */

import type { PackumentVersion } from "../registry/registry.js";
import { NODE_GYP_REBUILD, runsImplicitNodeGyp } from "./node-gyp.js";
import { joinWords, quote } from "./text.js";
import { isRecord } from "./values.js";

/** The lifecycle events that run when a package is installed as a dependency. */
export const INSTALL_EVENTS = ["preinstall", "install", "postinstall"] as const;

/** One of the lifecycle events that run on install. */
export type InstallEvent = (typeof INSTALL_EVENTS)[number];

/** One script that runs on install. */
export interface InstallCommand {
  event: InstallEvent;
  /** The command as the manifest has it; `node-gyp rebuild` for the implicit native build. */
  command: string;
  /** npm's implicit `node-gyp rebuild` for a package with a binding.gyp and no install script of its own. */
  implicit: boolean;
}

/**
 * The install scripts of a manifest (a registry version or a package.json). A binding.gyp shows
 * in the registry as `gypfile: true`, or only as `hasInstallScript` with no script to name: both
 * mean npm runs `node-gyp rebuild` unless the package has its own preinstall or install script
 * (node-gyp.ts). A script that is only whitespace names no command and is left out.
 */
export function installCommands(manifest: Pick<PackumentVersion, "scripts" | "gypfile" | "hasInstallScript">): InstallCommand[] {
  const scripts = isRecord(manifest.scripts) ? manifest.scripts : {};
  const commands: InstallCommand[] = [];
  for (const event of INSTALL_EVENTS) {
    const command = scripts[event];
    if (typeof command === "string" && command.trim() !== "") commands.push({ event, command, implicit: false });
  }
  // The registry does not list files: `gypfile: true` (npm writes it at publish for a binding.gyp),
  // or `hasInstallScript` with no script to name, is how it says the package has one.
  const hasBindingGyp = manifest.gypfile === true || (manifest.hasInstallScript === true && commands.length === 0);
  if (runsImplicitNodeGyp({ scripts: manifest.scripts, gypfile: manifest.gypfile, hasBindingGyp })) {
    commands.push({ event: "install", command: NODE_GYP_REBUILD, implicit: true });
    commands.sort((a, b) => INSTALL_EVENTS.indexOf(a.event) - INSTALL_EVENTS.indexOf(b.event));
  }
  return commands;
}

/** `postinstall ("node setup.js")`, `install (implicit "node-gyp rebuild")`, joined for a sentence. */
export function describeCommands(commands: readonly InstallCommand[]): string {
  return joinWords(commands.map((command) => `${command.event} (${command.implicit ? "implicit " : ""}${quote(command.command)})`));
}
