import { inject } from "vitest";
import { randomUUID } from "node:crypto";
import { baselineStoreContract } from "./contract.ts";
import { connectRedis, RedisBaselineStore } from "./redis-store.ts";

// Each test gets its own key prefix on the shared real redis-server.
baselineStoreContract("redis", async () => new RedisBaselineStore(await connectRedis(inject("redisUrl")), { prefix: `t${randomUUID()}:` }));
