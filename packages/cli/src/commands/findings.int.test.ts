import { describe, expect, inject, it } from "vitest";
import { timeFromMillis, type Finding } from "@outlier/contracts";
import { connectRedis, RedisFindingLog } from "@outlier/store";
import { freshPrefix, outlier } from "../review/test-support.ts";

function finding(n: number, type: string, namespace: string): Finding {
  return {
    schema: "outlier.finding.v1",
    id: `f-${n}`,
    type,
    severity: "high",
    // n minutes ago, so that --since (event time) sees it.
    time: timeFromMillis(Date.now() - (10 - n) * 60_000),
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
    const replayed = { ...finding(4, "process.unexpected", "shop"), id: "replayed", time: "2025-03-02T10:20:30.000000000Z" };
    await new RedisFindingLog(client, { prefix }).append([finding(1, "process.unexpected", "shop"), finding(2, "audit.exec", "shop"), finding(3, "process.unexpected", "bank"), replayed]);
    await client.quit();
    const ids = async (...args: string[]) => {
      const run = await outlier(["findings", "-o", "json", ...args, "--redis", redisUrl, "--prefix", prefix]);
      expect(run.code).toBe(0);
      return (JSON.parse(run.stdout) as Finding[]).map((f) => f.id);
    };
    expect(await ids()).toEqual(["f-3", "f-2", "f-1"]);
    expect(await ids("-n", "shop", "--type", "process.unexpected")).toEqual(["f-1"]);
    expect(await ids("--type", "audit", "--since", "9m")).toEqual(["f-2"]);
    expect(await ids("--since", "7m30s")).toEqual(["f-3"]);
    expect(await ids("--since", "1000d")).toEqual(["replayed", "f-3", "f-2", "f-1"]);
    const table = await outlier(["findings", "--redis", redisUrl, "--prefix", prefix]);
    expect(table.stdout).toMatch(/│ high\s+│ process.unexpected\s+│ bank\/Deployment\/checkout\s+│ p-1\s+│ finding 3/);
    const none = await outlier(["findings", "-n", "shop", "--type", "process.unexpected", "--since", "1m", "--redis", redisUrl, "--prefix", prefix]);
    expect(none.stdout).toBe("no findings that happened in the last 1m (findings about older events were recorded in that time, e.g. by a replay: widen --since)\n");
    expect((await outlier(["findings", "--since", "soon", "--redis", redisUrl, "--prefix", prefix])).code).toBe(2);
  });
});

describe("outlier findings with attacker-chosen names (against a real redis-server)", () => {
  it("shows a hostile pod, workload and summary escaped in the table", async () => {
    const redisUrl = inject("redisUrl");
    const prefix = freshPrefix();
    const client = await connectRedis(redisUrl);
    const hostile = {
      ...finding(5, "process.unexpected", "shop\u001b[8m"),
      pod: "p\u001b]0;pwned\u0007\nforged",
      summary: "ran /tmp/\u001b[2J\rx\u202etxt.sh",
    };
    await new RedisFindingLog(client, { prefix }).append([hostile]);
    await client.quit();
    const table = await outlier(["findings", "--redis", redisUrl, "--prefix", prefix]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("shop\\x1b[8m/Deployment/checkout");
    expect(table.stdout).toContain("p\\x1b]0;pwned\\x07\\nforged");
    expect(table.stdout).toContain("ran /tmp/\\x1b[2J\\rx\\u{202e}txt.sh");
    // eslint-disable-next-line no-control-regex
    expect(table.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });
});
