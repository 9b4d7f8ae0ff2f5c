import { describe, expect, it } from "vitest";
import { MemorySeenSet } from "./seen-set.ts";

// The behaviour MemorySeenSet shares with RedisSeenSet (test-and-set, learning period) is
// the seen-set contract in @outlier/store, run on both; here only what is its own.
describe("MemorySeenSet", () => {
  it("stays within maxKeys by forgetting the least recently seen key", async () => {
    const set = new MemorySeenSet({ maxKeys: 2 });
    await set.seen("k", "a");
    await set.seen("k", "b");
    await set.seen("k", "a"); // a is now more recent than b
    await set.seen("k", "c"); // evicts b
    expect(set.size).toBe(2);
    expect(await set.seen("k", "a")).toBe(true);
    expect(await set.seen("k", "b")).toBe(false);
  });
});
