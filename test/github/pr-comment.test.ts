import { describe, expect, it } from "vitest";
import { KeyedLock } from "../../src/github/pr-comment.js";

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("KeyedLock", () => {
  it("runs tasks on one key one after another, and tasks on other keys alongside", async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const task = (name: string) => async () => {
      events.push(`${name} start`);
      await tick();
      events.push(`${name} end`);
      return name;
    };
    const results = await Promise.all([lock.run("o/r#1", task("a")), lock.run("o/r#1", task("b")), lock.run("o/r#2", task("c"))]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(events.indexOf("b start")).toBeGreaterThan(events.indexOf("a end"));
    expect(events.indexOf("c start")).toBeLessThan(events.indexOf("a end"));
  });

  it("lets the next task run after one fails", async () => {
    const lock = new KeyedLock();
    const failing = lock.run("k", async () => {
      throw new Error("boom");
    });
    await expect(failing).rejects.toThrow("boom");
    await expect(lock.run("k", async () => "next")).resolves.toBe("next");
  });
});
