import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EventCache } from "./event-cache.ts";

/** Resolves an item once its key is in `known`. */
function cacheOver(known: Map<string, string>, options: { retries?: number; maxEntries?: number } = {}) {
  const attempts = new Map<string, number>();
  const cache = new EventCache<string, string>({
    tryResolve: (key) => {
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      return known.get(key);
    },
    retries: options.retries ?? 5,
    tickMs: 1000,
    maxEntries: options.maxEntries ?? 100,
  });
  return { cache, attempts };
}

describe("EventCache", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("resolves a held item on the first tick after it becomes resolvable", async () => {
    const known = new Map<string, string>();
    const { cache } = cacheOver(known);
    const outcome = cache.hold("pod-a");
    await vi.advanceTimersByTimeAsync(2000);
    known.set("pod-a", "resolved-a");
    await vi.advanceTimersByTimeAsync(1000);
    await expect(outcome).resolves.toEqual({ resolved: true, value: "resolved-a", ticks: 3 });
    expect(cache.size).toBe(0);
  });

  it("releases an item unresolved after the configured number of ticks", async () => {
    const { cache, attempts } = cacheOver(new Map(), { retries: 3 });
    let settled = false;
    const outcome = cache.hold("pod-a").finally(() => (settled = true));
    await vi.advanceTimersByTimeAsync(2000);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(outcome).resolves.toEqual({ resolved: false, reason: "retries_exhausted" });
    expect(attempts.get("pod-a")).toBe(3);
  });

  it("releases the oldest item when full", async () => {
    const { cache } = cacheOver(new Map(), { maxEntries: 2 });
    const first = cache.hold("first");
    const second = cache.hold("second");
    cache.hold("third");
    await expect(first).resolves.toEqual({ resolved: false, reason: "overflow" });
    expect(cache.size).toBe(2);
    cache.hold("fourth");
    await expect(second).resolves.toEqual({ resolved: false, reason: "overflow" });
  });

  it("stops its timer when empty and releases everything on close", async () => {
    const { cache } = cacheOver(new Map([["known", "k"]]));
    const known = cache.hold("known");
    await vi.advanceTimersByTimeAsync(1000);
    await expect(known).resolves.toMatchObject({ resolved: true });
    expect(vi.getTimerCount()).toBe(0);

    const held = cache.hold("unknown");
    cache.close();
    await expect(held).resolves.toEqual({ resolved: false, reason: "closed" });
    expect(vi.getTimerCount()).toBe(0);
  });
});
