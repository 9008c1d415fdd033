import { describe, expect, it } from "vitest";
import { publisherChanged, registryNamesPublishers } from "../../src/publication/publisher.js";
import type { Packument, PackumentVersion, RegistryAccount } from "../../src/registry/registry.js";
import { location, recorded } from "./fixtures.js";

const alice: RegistryAccount = { name: "alice", email: "alice@example.com" };
const bob: RegistryAccount = { name: "bob", email: "bob@example.com" };
const ci: RegistryAccount = { name: "GitHub Actions", email: "npm-oidc-no-reply@github.com", trustedPublisher: { id: "github", oidcConfigId: "oidc:1" } };

/** A packument whose versions are published in order by the given accounts, with the given maintainers. */
function history(entries: [version: string, publisher: RegistryAccount | undefined, maintainers: RegistryAccount[]][]): Packument {
  const versions: Record<string, PackumentVersion> = {};
  for (const [version, publisher, maintainers] of entries) {
    versions[version] = { name: "pkg", version, ...(publisher ? { _npmUser: publisher } : {}), maintainers };
  }
  return { name: "pkg", versions };
}

function check(packument: Packument, version: string, previousVersion?: string) {
  return publisherChanged({ name: "pkg", version, previousVersion, packument, location, trustTimes: false });
}

describe("publisher-changed", () => {
  it("is silent when the usual account publishes with the usual maintainers", () => {
    expect(check(history([["1.0.0", alice, [alice]], ["1.1.0", alice, [alice]]]), "1.1.0", "1.0.0")).toBeUndefined();
  });

  it("raises high for an account that never published and was not a maintainer", () => {
    const alert = check(history([["1.0.0", alice, [alice]], ["1.1.0", bob, [alice, bob]]]), "1.1.0", "1.0.0");
    expect(alert?.severity).toBe("high");
    expect(alert?.message).toBe(
      "pkg@1.1.0 was published by bob <bob@example.com>, an account that never published pkg before (earlier releases: alice), and was not a maintainer of 1.0.0; the maintainers changed since 1.0.0: added bob <bob@example.com>.",
    );
  });

  it("raises medium for a maintainer who publishes for the first time", () => {
    const alert = check(history([["1.0.0", alice, [alice, bob]], ["1.1.0", bob, [alice, bob]]]), "1.1.0", "1.0.0");
    expect(alert?.severity).toBe("medium");
    expect(alert?.message).toBe("pkg@1.1.0 was published by bob <bob@example.com>, an account that never published pkg before (earlier releases: alice).");
  });

  it("raises medium for a maintainer added since the previous version, low for maintainers only removed", () => {
    const added = check(history([["1.0.0", alice, [alice]], ["1.1.0", alice, [alice, bob]]]), "1.1.0", "1.0.0");
    expect([added?.severity, added?.message]).toEqual(["medium", "pkg's maintainers changed since 1.0.0: added bob <bob@example.com>."]);
    const removed = check(history([["1.0.0", alice, [alice, bob]], ["1.1.0", alice, [alice]]]), "1.1.0", "1.0.0");
    expect([removed?.severity, removed?.message]).toEqual(["low", "pkg's maintainers changed since 1.0.0: removed bob <bob@example.com>."]);
  });

  it("does not mind a move to trusted publishing", () => {
    expect(check(history([["1.0.0", alice, [alice]], ["1.1.0", ci, [alice]]]), "1.1.0", "1.0.0")).toBeUndefined();
  });

  it("raises high for a release by hand after releases by trusted publishing", () => {
    const alert = check(history([["1.0.0", alice, [alice]], ["1.1.0", ci, [alice]], ["1.2.0", alice, [alice]]]), "1.2.0", "1.1.0");
    expect(alert?.severity).toBe("high");
    expect(alert?.message).toBe("pkg@1.2.0 was published by hand by alice <alice@example.com>, while 1.1.0 came from GitHub Actions by trusted publishing.");
  });

  it("raises high when a known account publishes with an email it never used (the account's email was changed)", () => {
    const hijacked = { name: "alice", email: "alice@evil.example" };
    const alert = check(history([["1.0.0", alice, [alice]], ["1.1.0", hijacked, [hijacked]]]), "1.1.0", "1.0.0");
    expect(alert?.message).toBe("alice published pkg@1.1.0 with the email alice@evil.example, where the account's earlier releases of pkg used alice@example.com.");
    expect(alert?.severity).toBe("high");
  });

  it("never raises from missing data: no _npmUser on this version, or none anywhere (a mirror), or no history", () => {
    expect(check(history([["1.0.0", alice, [alice]], ["1.1.0", undefined, [bob]]]), "1.1.0", "1.0.0")).toBeUndefined();
    const mirror = history([["1.0.0", undefined, [alice]], ["1.1.0", undefined, [bob]]]);
    expect(registryNamesPublishers(mirror)).toBe(false);
    expect(check(mirror, "1.1.0", "1.0.0")).toBeUndefined();
    expect(check(history([["1.0.0", bob, [bob]]]), "1.0.0")).toBeUndefined();
    // Versions from before the registry recorded publishers are no history.
    expect(check(history([["1.0.0", undefined, []], ["1.1.0", bob, [bob]]]), "1.1.0", "1.0.0")).toBeUndefined();
  });

  it("ignores the shapes mirrors pass through as maintainers (strings, people without accounts)", () => {
    const packument = history([["1.0.0", alice, [alice]], ["1.1.0", alice, [alice]]]);
    packument.versions["1.1.0"]!.maintainers = ["Alice <alice@example.com>", { email: "x@example.com" }, alice] as unknown as RegistryAccount[];
    expect(check(packument, "1.1.0", "1.0.0")).toBeUndefined();
  });

  it("on the recorded axios takeover, compared with the registry's previous release when new to the lockfile", () => {
    const alert = publisherChanged({ name: "axios", version: "1.14.1", packument: recorded("axios"), location, trustTimes: true });
    expect(alert?.package).toEqual({ name: "axios", version: "1.14.1" });
    expect(alert?.message).toMatch(/^axios@1\.14\.1 was published by hand by jasonsaayman <ifstap@proton\.me>/);
    expect(alert?.action).toBe("Check that the project announced 1.14.1 (a release, tag or changelog entry from its usual maintainers); until then keep 1.14.0.");
  });
});
