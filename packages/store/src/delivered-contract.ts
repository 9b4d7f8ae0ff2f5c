import { beforeEach, describe, expect, it } from "vitest";
import type { DeliveredStore } from "./delivered.ts";

/** The behaviour every DeliveredStore must have; run against memory and real Redis. `ttlMs` is the store's TTL. */
export function deliveredStoreContract(name: string, open: (ttlMs: number) => Promise<DeliveredStore>): void {
  describe(`DeliveredStore contract: ${name}`, () => {
    let store: DeliveredStore;
    beforeEach(async () => {
      store = await open(60_000);
      return () => store.close();
    });

    it("knows nothing at first", async () => {
      expect(await store.delivered([{ destination: "soc/0", findingId: "f1" }])).toEqual([false]);
      expect(await store.delivered([])).toEqual([]);
    });

    it("answers per destination and finding, in the order asked", async () => {
      await store.markDelivered([
        { destination: "soc/0", findingId: "f1" },
        { destination: "team/1", findingId: "f2" },
      ]);
      const answer = await store.delivered([
        { destination: "team/1", findingId: "f1" },
        { destination: "soc/0", findingId: "f1" },
        { destination: "soc/1", findingId: "f1" },
        { destination: "team/1", findingId: "f2" },
        { destination: "soc/0", findingId: "f2" },
      ]);
      expect(answer).toEqual([false, true, false, true, false]);
    });

    it("keeps destinations with separators and braces apart", async () => {
      await store.markDelivered([{ destination: "a}:b/0", findingId: "x" }]);
      expect(await store.delivered([{ destination: "a}:b/0", findingId: "x" }, { destination: "a/0", findingId: "x" }])).toEqual([true, false]);
    });
  });

  describe(`DeliveredStore TTL: ${name}`, () => {
    it("forgets a mark after its TTL", async () => {
      const store = await open(200);
      try {
        await store.markDelivered([{ destination: "soc/0", findingId: "short" }]);
        expect(await store.delivered([{ destination: "soc/0", findingId: "short" }])).toEqual([true]);
        await expect.poll(() => store.delivered([{ destination: "soc/0", findingId: "short" }]), { timeout: 3000, interval: 50 }).toEqual([false]);
      } finally {
        await store.close();
      }
    });
  });
}
