import { beforeEach, describe, expect, it } from "vitest";
import { baselineKeyOf, newBaseline, DEFAULT_POLICY, type BaselineEntry, type BaselineId } from "@outlier/baseline";
import type { BaselineStore } from "./store.ts";

const T0 = "2026-01-01T00:00:00.000000000Z";

export function entry(binary: string, status: BaselineEntry["status"] = "learned"): BaselineEntry {
  return { binary, status, count: 1, firstSeen: T0, lastSeen: T0, parents: [], sampleArgs: [], users: [], replicas: ["web-1"] };
}

export function baselineId(name = "checkout", container = "app", namespace = "shop"): BaselineId {
  return { cluster: "c1", namespace, kind: "Deployment", name, container };
}

/** The behaviour every BaselineStore must have; run against memory and real Redis. */
export function baselineStoreContract(name: string, open: () => Promise<BaselineStore>): void {
  describe(`BaselineStore contract: ${name}`, () => {
    let store: BaselineStore;
    beforeEach(async () => {
      store = await open();
      return () => store.close();
    });

    it("returns undefined for an unknown baseline", async () => {
      expect(await store.load(baselineId("nope"))).toBeUndefined();
    });

    it("round-trips a baseline with its entries", async () => {
      const id = baselineId();
      const baseline = newBaseline(id, T0, DEFAULT_POLICY);
      await store.write([{ id, baseline, upsert: [entry("/bin/sh"), entry("/usr/bin/nc", "pending")] }]);
      const loaded = await store.load(id);
      expect(loaded?.baseline).toEqual(baseline);
      expect([...loaded!.entries.keys()].sort()).toEqual(["/bin/sh", "/usr/bin/nc"]);
      expect(loaded?.entries.get("/usr/bin/nc")?.status).toBe("pending");
    });

    it("upserts, removes and clears entries", async () => {
      const id = baselineId();
      const baseline = newBaseline(id, T0, DEFAULT_POLICY);
      await store.write([{ id, baseline, upsert: [entry("/a"), entry("/b")] }]);
      await store.write([{ id, upsert: [entry("/a", "denied")], remove: ["/b"] }]);
      let loaded = await store.load(id);
      expect([...loaded!.entries.values()].map((e) => [e.binary, e.status])).toEqual([["/a", "denied"]]);
      await store.write([{ id, clearEntries: true, upsert: [entry("/c")] }]);
      loaded = await store.load(id);
      expect([...loaded!.entries.keys()]).toEqual(["/c"]);
    });

    it("keeps a person's approve or deny over a detector's later write of the entry, until a person changes it", async () => {
      const id = baselineId();
      const baseline = newBaseline(id, T0, DEFAULT_POLICY);
      const status = async (binary: string) => (await store.load(id))?.entries.get(binary)?.status;
      await store.write([{ id, baseline, upsert: [entry("/usr/bin/nc", "pending"), entry("/bin/curl", "pending")] }]);
      await store.write([{ id, byPerson: true, upsert: [entry("/usr/bin/nc", "approved"), entry("/bin/curl", "denied")] }]);
      // A detector that judged a batch before it saw the decisions writes its older view back.
      await store.write([{ id, upsert: [{ ...entry("/usr/bin/nc", "pending"), count: 7, pendingReason: "after-lock" }, entry("/bin/curl", "learned")] }]);
      const nc = (await store.load(id))?.entries.get("/usr/bin/nc");
      expect(nc).toMatchObject({ status: "approved", count: 7 });
      expect(nc?.pendingReason).toBeUndefined();
      expect(await status("/bin/curl")).toBe("denied");

      await store.write([{ id, byPerson: true, upsert: [entry("/usr/bin/nc", "pending")] }]);
      await store.write([{ id, upsert: [entry("/usr/bin/nc", "learned")] }]);
      expect(await status("/usr/bin/nc")).toBe("learned");
      await store.write([{ id, byPerson: true, clearEntries: true, baseline }]);
      await store.write([{ id, upsert: [entry("/bin/curl", "learned")] }]);
      expect(await status("/bin/curl")).toBe("learned");
    });

    it("keeps containers and workloads apart and lists with a filter", async () => {
      const a = baselineId("checkout", "app");
      const b = baselineId("checkout", "sidecar");
      const c = baselineId("ledger", "app", "bank");
      await store.write([a, b, c].map((id) => ({ id, baseline: newBaseline(id, T0, DEFAULT_POLICY), upsert: [entry(`/${id.container}`)] })));
      expect((await store.load(b))?.entries.has("/sidecar")).toBe(true);
      expect((await store.load(b))?.entries.has("/app")).toBe(false);
      expect((await store.list()).map((x) => baselineKeyOf(x.id))).toEqual([a, b, c].map(baselineKeyOf).sort());
      expect((await store.list({ namespace: "bank" })).map((x) => x.id.name)).toEqual(["ledger"]);
    });

    it("keeps a review log in order", async () => {
      const id = baselineId();
      await store.appendReview(id, { time: T0, actor: "ana", action: "approve", binary: "/bin/sh", reason: "ok" });
      await store.appendReview(id, { time: T0, actor: "bo", action: "lock" });
      expect((await store.history(id)).map((r) => r.actor)).toEqual(["ana", "bo"]);
    });

    it("tells subscribers about a published change", async () => {
      const id = baselineId();
      const seen: string[] = [];
      const unsubscribe = await store.subscribe((key) => seen.push(key));
      await store.publishChange(id);
      await expect.poll(() => seen).toEqual([baselineKeyOf(id)]);
      await unsubscribe();
    });
  });
}
