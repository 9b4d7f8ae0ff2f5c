import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { connectRedis, RedisBaselineStore, RedisLabelIndex, RedisReplicaSnapshotStore } from "@outlier/store";
import { memoryIo } from "../test-io.ts";
import { outlier } from "../review/test-support.ts";
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

  it("connects like the review commands: ACL user, password file and key prefix", async () => {
    const cluster = `replay-${randomUUID()}`;
    const prefix = `acl-${randomUUID()}:`;
    const user = `replay-${randomUUID()}`;
    const passwordFile = path.join(mkdtempSync(path.join(tmpdir(), "replay-")), "password");
    writeFileSync(passwordFile, "s3cret\n");
    const admin = await connectRedis(inject("redisUrl"));
    // The user may touch only keys and channels under the prefix: a key written without it is refused.
    await admin.call("ACL", "SETUSER", user, "on", ">s3cret", `~${prefix}*`, `&${prefix}*`, "+@all");
    const store = new RedisBaselineStore(admin, { prefix });
    try {
      // The real command line, so the options are wired as well as honoured.
      const run = await outlier(["replay", "--cluster", cluster, "--redis", inject("redisUrl"), "--redis-user", user, "--redis-password-file", passwordFile, "--prefix", prefix, ...demoFiles]);
      expect(run.stderr).not.toContain("NOPERM");
      expect(run.code).toBe(0);
      const baselines = await store.list({ cluster });
      expect(baselines.map((b) => `${b.id.namespace}/${b.id.name}`).sort()).toEqual(["bank/ledger", "bank/nightly-report", "monitoring/node-exporter", "shop/checkout", "shop/frontend"]);
    } finally {
      await admin.call("ACL", "DELUSER", user);
      await store.close();
    }
  });
});
