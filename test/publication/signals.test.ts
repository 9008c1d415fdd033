import { describe, expect, it } from "vitest";
import { missingDataNotes, publicationSignals, readInstallPolicy, type PublicationInput } from "../../src/publication/signals.js";
import { location, NPM, recorded } from "./fixtures.js";

function run(overrides: Partial<PublicationInput> & Pick<PublicationInput, "name" | "version" | "packument">) {
  return publicationSignals({ registryUrl: NPM, location, now: new Date("2026-03-31T01:00:00Z"), ...overrides });
}

describe("publicationSignals on real cases", () => {
  it("axios 1.14.0 -> 1.14.1 (the 2026 account takeover): publisher, provenance and recency, nothing missing", () => {
    const { alerts, missing } = run({ name: "axios", version: "1.14.1", previousVersion: "1.14.0", packument: recorded("axios") });
    expect(missing).toEqual([]);
    expect(alerts.map((alert) => [alert.rule, alert.severity])).toEqual([
      ["publisher-changed", "high"],
      ["provenance-lost", "high"],
      ["recently-published", "medium"],
    ]);
    const [publisher, provenance, recent] = alerts;
    expect(publisher!.message).toBe(
      "axios@1.14.1 was published by hand by jasonsaayman <ifstap@proton.me>, while 1.14.0 came from GitHub Actions by trusted publishing; " +
        "jasonsaayman published axios@1.14.1 with the email ifstap@proton.me, where the account's earlier releases of axios used jasonsaayman@gmail.com.",
    );
    expect(publisher!.package).toEqual({ name: "axios", version: "1.14.1", previous: "1.14.0" });
    expect(provenance!.message).toContain("while 1.14.0 was published with one (SLSA provenance v1)");
    expect(recent!.message).toBe("axios@1.14.1 was published 39 minutes ago (2026-03-31 00:21 UTC), within the 48-hour cooldown.");
    for (const alert of alerts) {
      expect(alert.location).toEqual(location);
      expect(alert.why).toMatch(/\.$/);
      expect(alert.action).toMatch(/\.$/);
    }
  });

  it("axios 1.14.1 once it is older than the cooldown: no recency alert", () => {
    const { alerts } = run({ name: "axios", version: "1.14.1", previousVersion: "1.14.0", packument: recorded("axios"), now: new Date("2026-04-03T00:00:00Z") });
    expect(alerts.map((alert) => alert.rule)).toEqual(["publisher-changed", "provenance-lost"]);
  });

  it("a custom cooldown", () => {
    const { alerts } = run({ name: "axios", version: "1.14.1", previousVersion: "1.14.0", packument: recorded("axios"), now: new Date("2026-04-03T00:00:00Z"), cooldownHours: 96 });
    expect(alerts.find((alert) => alert.rule === "recently-published")?.message).toContain("within the 96-hour cooldown");
  });

  it("axios 1.7.7 -> 1.14.0 (the legitimate move to trusted publishing): only the shrunk maintainer list, as low", () => {
    const { alerts } = run({ name: "axios", version: "1.14.0", previousVersion: "1.7.7", packument: recorded("axios"), now: new Date("2026-03-30T00:00:00Z") });
    expect(alerts.map((alert) => [alert.rule, alert.severity, alert.message])).toEqual([
      [
        "publisher-changed",
        "low",
        "axios's maintainers changed since 1.7.7: removed mzabriskie <mzabriskie@gmail.com>, nickuraltsev <nick.uraltsev@gmail.com> and emilyemorehouse <emilyemorehouse@gmail.com>.",
      ],
    ]);
  });

  it("plain-crypto-js 4.2.1 new to the lockfile: the postinstall its decoy 4.2.0 did not have, said against the registry's previous release", () => {
    const policy = readInstallPolicy("npm", { packageJson: { path: "package.json", text: '{ "name": "app", "packageManager": "npm@11.6.0" }' } });
    const { alerts, missing } = run({ name: "plain-crypto-js", version: "4.2.1", packument: recorded("plain-crypto-js"), installPolicy: policy });
    // The reports record no signatures for it: provenance cannot be judged, and is not.
    expect(missing).toEqual(["provenance"]);
    expect(alerts.map((alert) => [alert.rule, alert.severity])).toEqual([
      ["recently-published", "medium"],
      ["install-script-added", "high"],
    ]);
    expect(alerts[1]!.message).toBe(
      'plain-crypto-js@4.2.1 adds an install script, postinstall ("node setup.js"), that 4.2.0, the registry\'s previous release, did not have. ' +
        "The script will run under npm 11.6.0: npm runs every dependency's install scripts before 11.16, which is the first to read allowScripts.",
    );
    expect(alerts[1]!.package).toEqual({ name: "plain-crypto-js", version: "4.2.1" });
  });

  it("es5-ext 0.10.53 -> 0.10.54 from this machine's mirror: the added postinstall, and the three kinds of data the mirror strips", () => {
    const { alerts, missing } = run({ name: "es5-ext", version: "0.10.54", previousVersion: "0.10.53", packument: recorded("es5-ext") });
    expect(missing).toEqual(["publisher", "provenance", "publish times"]);
    expect(alerts.map((alert) => alert.rule)).toEqual(["install-script-added"]);
    expect(alerts[0]!.message).toBe('es5-ext@0.10.54 adds an install script, postinstall ("node ./_postinstall.js"), that 0.10.53 did not have.');
  });

  it("left-pad from the mirror: nothing raised from missing data, even when the mirror's maintainers differ between versions", () => {
    const packument = recorded("left-pad");
    packument.versions["1.3.0"]!.maintainers = [{ name: "Someone Else", email: "else@example.com" }];
    const { alerts, missing } = run({ name: "left-pad", version: "1.3.0", previousVersion: "1.2.0", packument, now: new Date("2024-09-05T01:00:00Z") });
    expect(alerts).toEqual([]);
    expect(missing).toEqual(["publisher", "provenance", "publish times"]);
  });

  it("the mirror's times are used when the caller says the registry's times are real", () => {
    const { alerts } = run({ name: "left-pad", version: "1.3.0", previousVersion: "1.2.0", packument: recorded("left-pad"), now: new Date("2024-09-05T01:00:00Z"), trustTimes: true });
    expect(alerts.map((alert) => alert.rule)).toEqual(["recently-published"]);
  });

  it("loadsh, a real look-alike of lodash added to the lockfile", () => {
    const { alerts } = run({ name: "loadsh", version: "1.0.1", packument: recorded("loadsh") });
    expect(alerts.map((alert) => alert.rule)).toEqual(["typosquat"]);
    expect(alerts[0]!.message).toBe('loadsh looks like a misspelling of lodash (452 million downloads a month): "d" and "a" swapped.');
  });

  it("an update of an existing dependency is not checked for typosquatting (its name was already chosen)", () => {
    const packument = recorded("loadsh");
    packument.versions["1.0.0"] = { ...packument.versions["1.0.1"]!, version: "1.0.0" };
    const { alerts } = run({ name: "loadsh", version: "1.0.1", previousVersion: "1.0.0", packument });
    expect(alerts).toEqual([]);
  });

  it("does not check the name of another copy of a package already installed", () => {
    expect(run({ name: "loadsh", version: "1.0.1", packument: recorded("loadsh"), newName: false }).alerts).toEqual([]);
  });

  it("a dependency-confusion update: the public registry has only 99.0.0 of what the lockfile had at 1.2.3", () => {
    const packument = { name: "acme-internal", versions: { "99.0.0": { name: "acme-internal", version: "99.0.0", scripts: { preinstall: "node index.js" } } } };
    const { alerts, missing } = run({ name: "acme-internal", version: "99.0.0", previousVersion: "1.2.3", packument });
    expect(alerts.map((alert) => [alert.rule, alert.severity])).toEqual([["version-jump", "high"]]);
    expect(missing).toEqual(["publisher", "provenance", "publish times"]);
  });

  it("marks the alerts of a development-only package", () => {
    const { alerts } = run({ name: "loadsh", version: "1.0.1", packument: recorded("loadsh"), devOnly: true });
    expect(alerts[0]!.devOnly).toBe(true);
  });

  it("a version the packument does not have: nothing (the not-found rule covers it)", () => {
    expect(run({ name: "axios", version: "9.9.9", packument: recorded("axios") })).toEqual({ alerts: [], missing: [] });
  });
});

describe("missingDataNotes", () => {
  it("says once per registry what it did not provide", () => {
    const mirror = "https://registry.example.com/";
    expect(
      missingDataNotes([
        { registryUrl: mirror, missing: ["publisher", "provenance"] },
        { registryUrl: mirror, missing: ["publish times", "publisher"] },
        { registryUrl: NPM, missing: [] },
        { registryUrl: "https://npm.internal/", missing: ["provenance"] },
      ]),
    ).toEqual([
      `Publisher, provenance and publish-time data not available from ${mirror}: publisher-changed, provenance-lost and recently-published were not checked for its packages.`,
      "Provenance data not available from https://npm.internal/: provenance-lost was not checked for its packages.",
    ]);
  });
});
