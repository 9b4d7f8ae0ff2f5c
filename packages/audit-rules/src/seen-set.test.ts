import { describe, expect, it } from "vitest";
import { MemorySeenSet } from "./seen-set.ts";

describe("MemorySeenSet", () => {
  it("is a test-and-set per kind", () => {
    const set = new MemorySeenSet();
    expect(set.seen("secret-reader", "shop|alice")).toBe(false);
    expect(set.seen("secret-reader", "shop|alice")).toBe(true);
    expect(set.seen("other-kind", "shop|alice")).toBe(false);
  });

  it("stays within maxKeys by forgetting the least recently seen key", () => {
    const set = new MemorySeenSet({ maxKeys: 2 });
    set.seen("k", "a");
    set.seen("k", "b");
    set.seen("k", "a"); // a is now more recent than b
    set.seen("k", "c"); // evicts b
    expect(set.size).toBe(2);
    expect(set.seen("k", "a")).toBe(true);
    expect(set.seen("k", "b")).toBe(false);
  });

  it("learns for learningMs of event time from a kind's first event, per kind", () => {
    const set = new MemorySeenSet({ learningMs: 60_000 });
    expect(set.learning("k", "2024-05-01T10:00:00.000000000Z")).toBe(true);
    expect(set.learning("k", "2024-05-01T10:00:59.999000000Z")).toBe(true);
    expect(set.learning("k", "2024-05-01T10:01:00.000000000Z")).toBe(false);
    expect(set.learning("other", "2024-05-01T10:01:00.000000000Z")).toBe(true);
    expect(new MemorySeenSet({ learningMs: 0 }).learning("k", "2024-05-01T10:00:00.000000000Z")).toBe(false);
  });
});
