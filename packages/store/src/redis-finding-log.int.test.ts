import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { findingLogContract } from "./finding-log-contract.ts";
import { RedisFindingLog } from "./redis-finding-log.ts";
import { connectRedis } from "./redis-store.ts";

// Each test gets its own key prefix on the shared real redis-server.
findingLogContract("redis", async () => new RedisFindingLog(await connectRedis(inject("redisUrl")), { prefix: `t${randomUUID()}:`, maxLen: 150 }), 150);
