import { describe, expect, it } from "vitest";
import type { LabelIndex } from "./workload-labels.ts";
import type { ReplicaSnapshot, ReplicaSnapshotStore } from "./replica-snapshots.ts";
import { baselineId } from "./contract.ts";

/** The behaviour every LabelIndex must have; run against memory and real Redis. */
export function labelIndexContract(name: string, open: () => Promise<LabelIndex>): void {
  describe(`LabelIndex contract: ${name}`, () => {
    it("keeps labels per workload, shared by its containers, and replaces them on write", async () => {
      const index = await open();
      expect(await index.getLabels(baselineId("checkout"))).toBeUndefined();
      await index.setLabels(baselineId("checkout", "app"), { app: "checkout", team: "pay" });
      await index.setLabels(baselineId("ledger"), { app: "ledger" });
      expect(await index.getLabels(baselineId("checkout", "sidecar"))).toEqual({ app: "checkout", team: "pay" });
      await index.setLabels(baselineId("checkout"), { app: "checkout" });
      expect(await index.getLabels(baselineId("checkout"))).toEqual({ app: "checkout" });
      expect(await index.getLabels(baselineId("ledger"))).toEqual({ app: "ledger" });
    });
  });
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((wake) => setTimeout(wake, 10));
}

export function snapshot(time: string, pods: string[]): ReplicaSnapshot {
  return {
    windowMs: 300_000,
    time,
    pods: pods.map((pod) => ({ pod, imageDigest: "sha256:a", execs: { "/bin/sh": 2 }, total: 2 })),
    deviations: [],
  };
}

/** The behaviour every ReplicaSnapshotStore must have; `expire` makes the TTL pass. */
export function replicaSnapshotContract(name: string, open: (ttlMs: number) => Promise<{ store: ReplicaSnapshotStore; expire: () => Promise<void> }>): void {
  describe(`ReplicaSnapshotStore contract: ${name}`, () => {
    it("keeps the last snapshot per baseline container", async () => {
      const { store } = await open(60_000);
      await store.put(baselineId("checkout", "app"), snapshot("2026-01-01T00:00:00.000000000Z", ["a-1", "a-2"]));
      await store.put(baselineId("checkout", "app"), snapshot("2026-01-01T00:01:00.000000000Z", ["a-1", "a-3"]));
      expect(await store.get(baselineId("checkout", "app"))).toEqual({ ...snapshot("2026-01-01T00:01:00.000000000Z", ["a-1", "a-3"]), writtenAt: expect.any(Number) });
      expect(await store.get(baselineId("checkout", "sidecar"))).toBeUndefined();
    });

    it("passes a request for a baseline's window to every listener, and tells how many listen", async () => {
      const { store } = await open(60_000);
      expect(await store.request(baselineId("checkout", "app"))).toBe(0);
      const heard: string[] = [];
      const stop = await store.listen((key) => heard.push(key));
      expect(await store.request(baselineId("checkout", "app"))).toBe(1);
      await until(() => heard.length > 0);
      expect(heard).toEqual(["c1/shop/Deployment/checkout|app"]);
      await stop();
      expect(await store.request(baselineId("checkout", "app"))).toBe(0);
    });

    it("keeps the last snapshot with a deviation apart, so a later quiet window does not hide it", async () => {
      const { store } = await open(60_000);
      expect(await store.lastDeviation(baselineId())).toBeUndefined();
      const flagged = { ...snapshot("2026-01-01T00:01:00.000000000Z", ["a-1", "a-2", "a-3"]), deviations: [{ pod: "a-3" } as ReplicaSnapshot["deviations"][number]] };
      await store.put(baselineId(), flagged);
      await store.put(baselineId(), snapshot("2026-01-01T00:09:00.000000000Z", ["a-1", "a-2", "a-3"]));
      expect((await store.get(baselineId()))?.time).toBe("2026-01-01T00:09:00.000000000Z");
      expect(await store.lastDeviation(baselineId())).toEqual({ ...flagged, writtenAt: expect.any(Number) });
    });

    it("forgets a snapshot after its TTL", async () => {
      const { store, expire } = await open(50);
      await store.put(baselineId(), snapshot("2026-01-01T00:00:00.000000000Z", ["a-1"]));
      await expire();
      expect(await store.get(baselineId())).toBeUndefined();
    });
  });
}
