import { describe, expect, it } from "vitest";
import { RecencyMap } from "./recency-map.ts";

describe("RecencyMap", () => {
  it("drops the oldest entry beyond its size", () => {
    const map = new RecencyMap<number>(3);
    for (const [i, key] of ["a", "b", "c", "d"].entries()) map.set(key, i);
    expect(map.size).toBe(3);
    expect(map.get("a")).toBeUndefined();
    expect([...map.entries()]).toEqual([["b", 1], ["c", 2], ["d", 3]]);
  });

  it("keeps an entry that is used while others come and go", () => {
    const map = new RecencyMap<number>(4);
    map.set("kept", 0);
    for (let i = 0; i < 100; i++) {
      map.set(`other-${i}`, i);
      expect(map.get("kept")).toBe(0);
    }
    expect(map.size).toBe(4);
  });

  it("does not move an entry that is still among the recent half", () => {
    const map = new RecencyMap<number>(10);
    map.set("a", 1);
    map.set("b", 2);
    map.get("a");
    expect([...map.entries()].map(([key]) => key)).toEqual(["a", "b"]);
  });

  it("replaces a value and deletes", () => {
    const map = new RecencyMap<string>(2);
    map.set("a", "one");
    map.set("a", "two");
    expect(map.get("a")).toBe("two");
    map.delete("a");
    expect(map.get("a")).toBeUndefined();
    expect(map.size).toBe(0);
  });
});
