import { describe, expect, inject, it } from "vitest";
import type { Finding } from "@outlier/contracts";
import { connectRedis, RedisFindingLog } from "@outlier/store";
import { freshPrefix, outlier } from "../review/test-support.ts";

function finding(n: number, type: string, namespace: string): Finding {
  return {
    schema: "outlier.finding.v1",
    id: `f-${n}`,
    type,
    severity: "high",
    time: `2026-01-01T00:0${n}:00.000000000Z`,
    cluster: "c1",
    summary: `finding ${n}`,
    workload: { kind: "Deployment", name: "checkout", namespace, labels: {}, annotations: {} },
    pod: "p-1",
    evidence: {},
    dedupKey: `k-${n}`,
  };
}

describe("outlier findings (against a real redis-server)", () => {
  it("lists recent findings newest first, filtered by namespace and type", async () => {
    const redisUrl = inject("redisUrl");
    const prefix = freshPrefix();
    const client = await connectRedis(redisUrl);
    await new RedisFindingLog(client, { prefix }).append([finding(1, "process.unexpected", "shop"), finding(2, "audit.exec", "shop"), finding(3, "process.unexpected", "bank")]);
    await client.quit();
    const ids = async (...args: string[]) => {
      const run = await outlier(["findings", "-o", "json", ...args, "--redis", redisUrl, "--prefix", prefix]);
      expect(run.code).toBe(0);
      return (JSON.parse(run.stdout) as Finding[]).map((f) => f.id);
    };
    expect(await ids()).toEqual(["f-3", "f-2", "f-1"]);
    expect(await ids("-n", "shop", "--type", "process.unexpected")).toEqual(["f-1"]);
    expect(await ids("--type", "audit", "--since", "5m")).toEqual(["f-2"]);
    const table = await outlier(["findings", "--redis", redisUrl, "--prefix", prefix]);
    expect(table.stdout).toMatch(/2026-01-01 00:03:00Z\s+│ high\s+│ process.unexpected\s+│ bank\/Deployment\/checkout\s+│ p-1\s+│ finding 3/);
    expect((await outlier(["findings", "--since", "soon", "--redis", redisUrl, "--prefix", prefix])).code).toBe(2);
  });
});
