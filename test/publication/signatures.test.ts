import { describe, expect, it } from "vitest";
import { provenanceLost, registryServesSignatures } from "../../src/publication/provenance.js";
import { publicationSignals } from "../../src/publication/signals.js";
import { checkRegistrySignature, NPM_REGISTRY_KEYS } from "../../src/publication/signatures.js";
import { location, NPM, recorded } from "./fixtures.js";

const CURRENT_KEY = "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U";
const EXPIRED_KEY = "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA";

function check(file: string, version: string, publishedAt?: Date) {
  const packument = recorded(file);
  const record = packument.versions[version]!;
  return checkRegistrySignature(packument.name, version, record.dist?.integrity, record.dist?.signatures, NPM_REGISTRY_KEYS, publishedAt);
}

describe("checkRegistrySignature with the shipped keys", () => {
  it("ships the public registry's two keys, the first expired", () => {
    expect(NPM_REGISTRY_KEYS.map((key) => [key.keyid, key.expires])).toEqual([
      [EXPIRED_KEY, "2025-01-29T00:00:00.000Z"],
      [CURRENT_KEY, null],
    ]);
  });

  it("verifies real signatures by the current key (@anthropic-ai/claude-code 2.1.97 and 2.1.98)", () => {
    expect(check("claude-code", "2.1.97")).toEqual({ status: "valid", keyid: CURRENT_KEY });
    expect(check("claude-code", "2.1.98")).toEqual({ status: "valid", keyid: CURRENT_KEY });
  });

  it("verifies a real signature by the expired key made before it expired (axios 1.7.7, published 2024-08-31)", () => {
    expect(check("axios", "1.7.7")).toEqual({ status: "valid", keyid: EXPIRED_KEY });
    expect(check("axios", "1.7.7", new Date("2024-08-31T22:02:08.625Z"))).toEqual({ status: "valid", keyid: EXPIRED_KEY });
  });

  it("refuses a signature by the expired key on a version published after it expired", () => {
    const result = check("axios", "1.7.7", new Date("2025-06-01T00:00:00Z"));
    expect(result).toEqual({
      status: "invalid",
      keyid: EXPIRED_KEY,
      reason: `it is signed with ${EXPIRED_KEY}, which expired on 2025-01-29, before the version was published on 2025-06-01`,
    });
  });

  it("finds a signature that does not match: another integrity, another version, a signature of another version", () => {
    const packument = recorded("claude-code");
    const record = packument.versions["2.1.98"]!;
    const other = packument.versions["2.1.97"]!;
    const sign = (integrity: string | undefined, version: string, signatures = record.dist?.signatures) =>
      checkRegistrySignature(packument.name, version, integrity, signatures).status;
    expect(sign(other.dist?.integrity, "2.1.98")).toBe("invalid");
    expect(sign(record.dist?.integrity, "2.1.97")).toBe("invalid");
    expect(sign(record.dist?.integrity, "2.1.98", other.dist?.signatures)).toBe("invalid");
    expect(checkRegistrySignature("@anthropic-ai/claude-cod", "2.1.98", record.dist?.integrity, record.dist?.signatures).status).toBe("invalid");
  });

  it("treats a signature that is not DER at all as invalid", () => {
    expect(checkRegistrySignature("x", "1.0.0", "sha512-AAAA", [{ keyid: CURRENT_KEY, sig: "bm90IGEgc2lnbmF0dXJl" }])).toMatchObject({ status: "invalid" });
  });

  it("says nothing of a key it does not know, an unsigned version, or one without integrity", () => {
    expect(checkRegistrySignature("x", "1.0.0", "sha512-AAAA", [{ keyid: "SHA256:private-registry", sig: "AAAA" }])).toEqual({
      status: "unknown-key",
      keyids: ["SHA256:private-registry"],
    });
    expect(checkRegistrySignature("x", "1.0.0", "sha512-AAAA", undefined)).toEqual({ status: "unsigned" });
    expect(checkRegistrySignature("x", "1.0.0", "sha512-AAAA", [])).toEqual({ status: "unsigned" });
    expect(checkRegistrySignature("x", "1.0.0", undefined, [{ keyid: CURRENT_KEY, sig: "AAAA" }])).toEqual({ status: "no-integrity" });
  });

  it("verifies against the keys passed in", () => {
    expect(check("claude-code", "2.1.97").status).toBe("valid");
    const packument = recorded("claude-code");
    const record = packument.versions["2.1.97"]!;
    expect(checkRegistrySignature(packument.name, "2.1.97", record.dist?.integrity, record.dist?.signatures, []).status).toBe("unknown-key");
  });
});

describe("provenance-lost", () => {
  it("raises a critical alert for metadata altered after the registry signed it", () => {
    const packument = recorded("claude-code");
    // What a tampering mirror serves: the 2.1.97 tarball under 2.1.98's name, with 2.1.98's signature.
    packument.versions["2.1.98"]!.dist!.integrity = packument.versions["2.1.97"]!.dist!.integrity;
    const { alerts, missing } = publicationSignals({
      name: packument.name,
      version: "2.1.98",
      previousVersion: "2.1.97",
      packument,
      registryUrl: NPM,
      location,
      now: new Date("2026-11-01T00:00:00Z"),
    });
    expect(missing).toEqual(["publisher", "publish times"]);
    expect(alerts.map((alert) => [alert.rule, alert.severity])).toEqual([["provenance-lost", "critical"]]);
    expect(alerts[0]!.message).toBe(
      `The registry signature of @anthropic-ai/claude-code@2.1.98 is invalid: the signature by ${CURRENT_KEY} does not match the integrity sha512-8lKM/rFctBl+8… served for it.`,
    );
  });

  it("is silent for the untouched packument", () => {
    const packument = recorded("claude-code");
    expect(provenanceLost({ name: packument.name, version: "2.1.98", previousVersion: "2.1.97", packument, location })).toBeUndefined();
  });

  it("is never raised by a registry that serves no signatures, even where an attestation disappears", () => {
    const packument = recorded("axios");
    for (const record of Object.values(packument.versions)) delete record.dist!.signatures;
    expect(registryServesSignatures(packument)).toBe(false);
    expect(provenanceLost({ name: "axios", version: "1.14.1", previousVersion: "1.14.0", packument, location })).toBeUndefined();
  });

  it("compares with the registry's previous release when the package is new to the lockfile", () => {
    const alert = provenanceLost({ name: "axios", version: "1.14.1", packument: recorded("axios"), location });
    expect(alert?.message).toBe(
      "axios@1.14.1 has no provenance attestation, while 1.14.0 was published with one (SLSA provenance v1) linking it to its source repository and build.",
    );
    expect(alert?.package).toEqual({ name: "axios", version: "1.14.1" });
  });

  it("keeps an unusual predicate type as it is", () => {
    const packument = recorded("axios");
    packument.versions["1.14.0"]!.dist!.attestations!.provenance!.predicateType = "https://example.com/provenance";
    expect(provenanceLost({ name: "axios", version: "1.14.1", previousVersion: "1.14.0", packument, location })?.message).toContain("(https://example.com/provenance)");
  });
});
