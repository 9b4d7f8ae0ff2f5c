import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff.ts";

describe("Backoff", () => {
  it("doubles up to the cap, with each delay between half and all of its step", () => {
    const lowest = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 0);
    expect([1, 2, 3, 4, 5, 6].map(() => lowest.next())).toEqual([50, 100, 200, 400, 500, 500]);
    const highest = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 1);
    expect([1, 2, 3, 4, 5].map(() => highest.next())).toEqual([100, 200, 400, 800, 1000]);
  });

  it("starts over after reset", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000 }, () => 1);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});
