import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { connectRedis, RedisBaselineStore, RedisLabelIndex, RedisReplicaSnapshotStore } from "@outlier/store";
import { memoryIo } from "../test-io.ts";
import { runReplay } from "./replay.ts";

const demoDir = path.resolve(import.meta.dirname, "../../../../examples/demo");
const demoFiles = readdirSync(demoDir)
  .filter((f) => f.endsWith(".jsonl"))
  .map((f) => path.join(demoDir, f));

describe("outlier replay --redis", () => {
  it("leaves the learned baselines in Redis, with the same findings as the in-memory store", async () => {
    const cluster = `replay-${randomUUID()}`; // baseline keys carry the cluster: this run's own
    const inRedis = memoryIo();
    expect(await runReplay(demoFiles, { output: "jsonl", cluster, redis: inject("redisUrl") }, inRedis)).toBe(0);
    const inMemory = memoryIo();
    await runReplay(demoFiles, { output: "jsonl", cluster }, inMemory);
    expect(inRedis.out()).toBe(inMemory.out());

    const redis = await connectRedis(inject("redisUrl"));
    const store = new RedisBaselineStore(redis);
    try {
      // What the review CLI reads besides baselines: labels (-l), the last replica window.
      const checkoutId = { cluster, namespace: "shop", kind: "Deployment" as const, name: "checkout" };
      expect(await new RedisLabelIndex(redis).getLabels(checkoutId)).toMatchObject({ team: "payments" });
      expect((await new RedisReplicaSnapshotStore(redis).get({ ...checkoutId, container: "checkout" }))?.pods.length).toBe(3);
      const baselines = await store.list({ cluster });
      expect(baselines.map((b) => `${b.id.namespace}/${b.id.name}`).sort()).toEqual(["bank/ledger", "bank/nightly-report", "monitoring/node-exporter", "shop/checkout", "shop/frontend"]);
      const checkout = await store.load({ cluster, namespace: "shop", kind: "Deployment", name: "checkout", container: "checkout" });
      expect(checkout?.baseline.state).toBe("locked");
      expect(checkout?.entries.get("/tmp/xmrig")?.status).toBe("pending");
    } finally {
      await store.close();
    }
  });
});
