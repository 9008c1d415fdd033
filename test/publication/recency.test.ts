import { describe, expect, it } from "vitest";
import { DEFAULT_COOLDOWN_HOURS, recentlyPublished } from "../../src/publication/recency.js";
import { location } from "./fixtures.js";

const publishedAt = new Date("2026-03-31T00:21:00Z");
const at = (iso: string) => recentlyPublished({ name: "axios", version: "1.14.1", previousVersion: "1.14.0", publishedAt, now: new Date(iso), location });

describe("recently-published", () => {
  it("defaults to a 48-hour cooldown", () => {
    expect(DEFAULT_COOLDOWN_HOURS).toBe(48);
    expect(at("2026-04-02T00:20:59Z")?.rule).toBe("recently-published");
    expect(at("2026-04-02T00:21:00Z")).toBeUndefined();
  });

  it("says how old the version is and until when to wait", () => {
    const alert = at("2026-03-31T05:30:00Z");
    expect(alert?.message).toBe("axios@1.14.1 was published 5 hours ago (2026-03-31 00:21 UTC), within the 48-hour cooldown.");
    expect(alert?.action).toBe(
      "Wait until 2026-04-02 00:21 UTC before merging, or keep 1.14.0 until then; if the update cannot wait, read the release's changes in the project's repository first.",
    );
    expect(alert?.package).toEqual({ name: "axios", version: "1.14.1", previous: "1.14.0" });
    expect(at("2026-04-01T23:00:00Z")?.message).toContain("published 46 hours ago");
  });

  it("treats a publish time ahead of the clock as just published", () => {
    expect(at("2026-03-31T00:20:00Z")?.message).toContain("published less than a minute ago");
  });

  it("takes the policy's cooldown", () => {
    const alert = recentlyPublished({ name: "a", version: "1.0.0", publishedAt, now: new Date("2026-04-03T00:21:00Z"), cooldownHours: 7 * 24, location });
    expect(alert?.message).toBe("a@1.0.0 was published 3 days ago (2026-03-31 00:21 UTC), within the 168-hour cooldown.");
    expect(alert?.action).toBe("Wait until 2026-04-07 00:21 UTC before merging; if the update cannot wait, read the release's changes in the project's repository first.");
  });
});
