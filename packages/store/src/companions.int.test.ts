import { setTimeout as sleep } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import { afterAll, inject } from "vitest";
import type { Redis } from "ioredis";
import { labelIndexContract, replicaSnapshotContract } from "./companions-contract.ts";
import { connectRedis } from "./redis-store.ts";
import { RedisLabelIndex } from "./workload-labels.ts";
import { RedisReplicaSnapshotStore } from "./replica-snapshots.ts";

// Each test gets its own key prefix on the shared real redis-server.
const clients: Redis[] = [];
async function client(): Promise<Redis> {
  const c = await connectRedis(inject("redisUrl"));
  clients.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

labelIndexContract("redis", async () => new RedisLabelIndex(await client(), { prefix: `t${randomUUID()}:` }));

replicaSnapshotContract("redis", async (ttlMs) => ({
  store: new RedisReplicaSnapshotStore(await client(), { prefix: `t${randomUUID()}:`, ttlMs }),
  expire: () => sleep(ttlMs + 50),
}));
