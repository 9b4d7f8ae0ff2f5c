import { describe, expect, it } from "vitest";
import { Pacer } from "./pacer.ts";

describe("Pacer", () => {
  it("spaces sends of one key by the interval, in arrival order, dropping none", async () => {
    const pacer = new Pacer(100);
    const order: [string, number][] = [];
    const start = Date.now();
    await Promise.all(["a", "b", "c"].map(async (name) => {
      await pacer.wait("#ops");
      order.push([name, Date.now() - start]);
    }));
    expect(order.map(([name]) => name)).toEqual(["a", "b", "c"]);
    expect(order[1]![1]).toBeGreaterThanOrEqual(95);
    expect(order[2]![1]).toBeGreaterThanOrEqual(195);
  });

  it("does not make one key wait for another", async () => {
    let now = 1_000;
    const pacer = new Pacer(60_000, () => now);
    await pacer.wait("#a");
    await pacer.wait("#b");
    now += 1;
    const waited = await Promise.race([pacer.wait("#c").then(() => "no wait"), new Promise((r) => setTimeout(() => r("waited"), 50))]);
    expect(waited).toBe("no wait");
  });

  it("holds a key back until a Retry-After has passed", async () => {
    const pacer = new Pacer(10);
    pacer.holdUntil("#ops", Date.now() + 150);
    const start = Date.now();
    await pacer.wait("#ops");
    expect(Date.now() - start).toBeGreaterThanOrEqual(145);
  });
});
