import { describe, expect, inject, it } from "vitest";
import { connectRedis, RedisReplicaSnapshotStore, type ReplicaSnapshot } from "@outlier/store";
import { entry, freshPrefix, id, outlier, seed } from "../review/test-support.ts";
import type { ReplicaMatrix } from "../review/replica-matrix.ts";

const pod = (name: string, execs: Record<string, number>) => ({ pod: name, imageDigest: "sha256:a", execs, total: Object.values(execs).reduce((a, b) => a + b, 0) });

describe("outlier replicas (against a real redis-server)", () => {
  it("shows the replica × executable matrix with every replica's scores and the flagged one", async () => {
    const redisUrl = inject("redisUrl");
    const prefix = freshPrefix();
    await seed(redisUrl, prefix, [{ id: id("checkout"), locked: true, entries: [entry("/bin/app")] }]);
    const snapshot: ReplicaSnapshot = {
      windowMs: 300_000,
      time: "2026-01-01T00:05:00.000000000Z",
      pods: [pod("p-1", { "/bin/app": 10 }), pod("p-2", { "/bin/app": 11 }), pod("p-3", { "/bin/app": 9, "/usr/bin/nc": 1 })],
      deviations: [],
    };
    snapshot.deviations = [{ pod: "p-3", severity: "high", reasons: ["unique-unknown-binary"], uniqueBinaries: ["/usr/bin/nc"], uniqueUnknownBinaries: ["/usr/bin/nc"], jaccard: { value: 0.5, median: 0.25, mad: 0, z: 3.4 }, execRate: { value: 2, median: 2, mad: 0, z: 0 }, execs: snapshot.pods[2]!.execs, peers: ["p-1", "p-2"], windowMs: 300_000 }];
    const client = await connectRedis(redisUrl);
    const store = new RedisReplicaSnapshotStore(client, { prefix });
    await store.put(id("checkout"), snapshot);
    // A later, quiet window (what a replay's end or a running detector writes) does not hide the deviation.
    await store.put(id("checkout"), { ...snapshot, time: "2026-01-01T00:30:00.000000000Z", deviations: [] });
    await client.quit();

    const args = ["replicas", "shop/checkout", "--redis", redisUrl, "--prefix", prefix];
    const table = await outlier(args);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("shop/Deployment/checkout container app: the last window with a deviation (--now for the current one), 5 min ending 2026-01-01 00:05:00Z");
    const now = await outlier([...args, "--now"]);
    expect(now.stdout).toContain("shop/Deployment/checkout container app: the current window, 5 min ending 2026-01-01 00:30:00Z");
    expect(table.stdout).toMatch(/\/bin\/app\s+│ 10\s+│ 11\s+│ 9\s+│/);
    expect(table.stdout).toMatch(/\/usr\/bin\/nc\s+│ ·\s+│ ·\s+│ 1\s+│/);
    expect(table.stdout).toMatch(/flagged\s+│ no\s+│ no\s+│ unique-unknown-binary/);

    const [matrix] = JSON.parse((await outlier([...args, "-o", "json"])).stdout) as ReplicaMatrix[];
    expect(matrix?.binaries).toEqual(["/bin/app", "/usr/bin/nc"]);
    const scores = matrix!.replicas.map((r) => r.score!.binarySet);
    expect(scores[2]).toBeGreaterThan(scores[0]!);
    expect(scores[0]).toBeCloseTo(scores[1]!);

    const none = await outlier(["replicas", "shop/checkout", "-c", "app", "--redis", redisUrl, "--prefix", freshPrefix()]);
    expect(none.code).toBe(1);
  });

  it("asks the running detector for the window now and shows its answer rather than the one stored earlier", async () => {
    const redisUrl = inject("redisUrl");
    const prefix = freshPrefix();
    await seed(redisUrl, prefix, [{ id: id("checkout"), locked: true, entries: [entry("/bin/app")] }]);
    const client = await connectRedis(redisUrl);
    const store = new RedisReplicaSnapshotStore(client, { prefix });
    const window = (time: string): ReplicaSnapshot => ({ windowMs: 300_000, time, pods: [pod("p-1", { "/bin/app": 3 }), pod("p-2", { "/bin/app": 4 })], deviations: [] });
    await store.put(id("checkout"), window("2026-01-01T00:05:00.000000000Z"));
    // A detector's side: it answers a request with its current window.
    const stop = await store.listen(() => void store.put(id("checkout"), window("2026-01-01T00:42:00.000000000Z")));
    try {
      const shown = await outlier(["replicas", "shop/checkout", "--redis", redisUrl, "--prefix", prefix]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain("the current window, 5 min ending 2026-01-01 00:42:00Z");
    } finally {
      await stop();
      await client.quit();
    }
  });
});

describe("outlier replicas with attacker-chosen names (against a real redis-server)", () => {
  it("shows hostile binary and pod names escaped in the matrix", async () => {
    const redisUrl = inject("redisUrl");
    const prefix = freshPrefix();
    await seed(redisUrl, prefix, [{ id: id("checkout"), locked: true, entries: [entry("/bin/app")] }]);
    const evil = "/tmp/\u001b]0;pwned\u0007\u001b[8mx";
    const badPod = "p-\u001b[2J\n3";
    const snapshot: ReplicaSnapshot = {
      windowMs: 300_000,
      time: "2026-01-01T00:05:00.000000000Z",
      pods: [pod("p-1", { "/bin/app": 10 }), pod("p-2", { "/bin/app": 11 }), pod(badPod, { "/bin/app": 9, [evil]: 1 })],
      deviations: [],
    };
    snapshot.deviations = [{ pod: badPod, severity: "high", reasons: ["unique-unknown-binary"], uniqueBinaries: [evil], uniqueUnknownBinaries: [evil], jaccard: { value: 0.5, median: 0.25, mad: 0, z: 3.4 }, execRate: { value: 2, median: 2, mad: 0, z: 0 }, execs: snapshot.pods[2]!.execs, peers: ["p-1", "p-2"], windowMs: 300_000 }];
    const client = await connectRedis(redisUrl);
    await new RedisReplicaSnapshotStore(client, { prefix }).put(id("checkout"), snapshot);
    await client.quit();
    const table = await outlier(["replicas", "shop/checkout", "--redis", redisUrl, "--prefix", prefix]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("/tmp/\\x1b]0;pwned\\x07\\x1b[8mx");
    expect(table.stdout).toContain("p-\\x1b[2J\\n3");
    // eslint-disable-next-line no-control-regex
    expect(table.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });
});
