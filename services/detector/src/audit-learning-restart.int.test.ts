import { randomUUID } from "node:crypto";
import { OutlierRedis } from "@outlier/store";
import { afterAll, describe, expect, inject, it } from "vitest";
import { secretRead } from "../../../packages/detector/src/test-events.ts";
import { DetectorConfigSchema } from "./config.ts";
import { redisParts } from "./detector-service.ts";

describe("stateful audit rules across a detector restart (real redis-server)", () => {
  const clients: OutlierRedis[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });
  const config = DetectorConfigSchema.parse({
    redis: { url: inject("redisUrl"), prefix: `it-${randomUUID()}:` },
    detector: { learningWindow: "30m" },
  });
  /** A detector as the service builds it, on its own Redis connection: a second call is a restarted process. */
  async function startDetector() {
    const redis = await OutlierRedis.open(config.redis);
    clients.push(redis);
    return redisParts(redis, config).newDetector();
  }
  const newReaders = (findings: { type: string; summary: string }[]) => findings.filter((f) => f.type === "audit.secret-read-new-principal").map((f) => f.summary.split(":")[0]);

  it("keeps the learned readers and the learning period's start: no new 30 minutes of silence after a restart", async () => {
    const first = await startDetector();
    expect(await first.process([secretRead("system:serviceaccount:shop:operator", 0), secretRead("alice@example.com", 20)])).toEqual([]);

    const restarted = await startDetector();
    const after = await restarted.process([secretRead("system:serviceaccount:shop:operator", 35), secretRead("alice@example.com", 36), secretRead("mallory@example.com", 37)]);
    expect(newReaders(after)).toEqual(["mallory@example.com"]);
    expect(restarted.stats.get("audit_suppressed", "secret-read-new-principal")).toBe(0);
  });
});
