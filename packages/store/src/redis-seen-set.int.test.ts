import { randomUUID } from "node:crypto";
import { afterAll, expect, inject, it } from "vitest";
import type { Redis } from "ioredis";
import { RedisSeenSet } from "./redis-seen-set.ts";
import { seenSetContract } from "./seen-set-contract.ts";
import { connectRedis } from "./redis-store.ts";

// Each set gets its own key prefix on the shared real redis-server; a restart is a new set, client and all, on the same prefix.
const clients: Redis[] = [];
const prefixes = new WeakMap<RedisSeenSet, string>();
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit()));
});

async function open(learningMs: number, prefix = `t${randomUUID()}:`, ttlMs?: number): Promise<RedisSeenSet> {
  const client = await connectRedis(inject("redisUrl"));
  clients.push(client);
  const set = new RedisSeenSet(client, { prefix, learningMs, ttlMs });
  prefixes.set(set, prefix);
  return set;
}

seenSetContract("redis (RedisSeenSet)", {
  open: (learningMs) => open(learningMs),
  reopen: (set, learningMs) => open(learningMs, prefixes.get(set as RedisSeenSet)),
});

it("answers a repeat from memory, and keeps each learned key under the prefix with a TTL", async () => {
  const set = await open(0, `t${randomUUID()}:`, 60_000);
  await set.seen("secret-reader", "shop|alice");
  const before = set.stats.roundTrips;
  expect(await set.seen("secret-reader", "shop|alice")).toBe(true);
  expect(set.stats.roundTrips).toBe(before);
  const client = clients.at(-1)!;
  const [key] = await client.keys(`${prefixes.get(set)}seen:secret-reader:{shop|alice}`);
  expect(key).toBeDefined();
  expect(await client.pttl(key!)).toBeGreaterThan(50_000);
});

it("forgets a key nobody saw again within its TTL: a restarted detector finds it new", async () => {
  const prefix = `t${randomUUID()}:`;
  await (await open(0, prefix, 200)).seen("k", "a");
  const client = clients.at(-1)!;
  await expect.poll(() => client.exists(`${prefix}seen:k:{a}`), { timeout: 3000, interval: 50 }).toBe(0);
  expect(await (await open(0, prefix, 200)).seen("k", "a")).toBe(false);
});
