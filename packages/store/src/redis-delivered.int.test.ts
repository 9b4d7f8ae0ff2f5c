import { randomUUID } from "node:crypto";
import { afterAll, expect, inject, it } from "vitest";
import type { Redis } from "ioredis";
import { deliveredStoreContract } from "./delivered-contract.ts";
import { RedisDeliveredStore } from "./redis-delivered.ts";
import { connectRedis } from "./redis-store.ts";

// One client for the file; each test gets its own key prefix on the shared real redis-server.
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

async function open(ttlMs: number): Promise<RedisDeliveredStore> {
  const client = await connectRedis(inject("redisUrl"));
  clients.push(client);
  return new RedisDeliveredStore(client, { prefix: `t${randomUUID()}:`, ttlMs });
}

deliveredStoreContract("redis", open);

it("answers a batch over several destinations in one call, with TTL'd keys under the prefix", async () => {
  const store = await open(60_000);
  const refs = Array.from({ length: 50 }, (_, i) => ({ destination: `r${i % 3}/0`, findingId: `f${i}` }));
  await store.markDelivered(refs.slice(0, 10));
  const before = store.stats.roundTrips;
  const answer = await store.delivered(refs);
  expect(store.stats.roundTrips - before).toBe(1);
  expect(answer.filter(Boolean)).toHaveLength(10);
  const client = clients.at(-1)!;
  const [key] = await client.keys("t*delivered:{r0/0}:f0");
  expect(key).toBeDefined();
  expect(await client.pttl(key!)).toBeGreaterThan(50_000);
});
