import { describe, expect, it } from "vitest";
import { timeFromMillis, timeToMillis } from "@outlier/contracts";
import { compareReplicas, DEFAULT_THRESHOLDS, jaccardDistance, scoreReplicas } from "./compare.ts";
import { ReplicaWindow, type WindowSnapshot } from "./window.ts";

const T0 = timeToMillis("2024-05-01T10:00:00.000000000Z");
const at = (seconds: number) => timeFromMillis(T0 + seconds * 1000);
const END = at(299);
const BASELINE = new Set(["/usr/sbin/nginx", "/bin/date", "/usr/bin/curl"]);
const inBaseline = (binary: string) => BASELINE.has(binary);

/** Each pod runs each binary `n` times, spread over the 5-minute window. */
function windowOf(pods: { pod: string; digest?: string; runs: Record<string, number> }[]): WindowSnapshot {
  const w = new ReplicaWindow();
  for (const { pod, digest = "sha256:a", runs } of pods) {
    for (const [binary, n] of Object.entries(runs)) {
      for (let i = 0; i < n; i++) w.record(pod, digest, binary, at(Math.floor((i * 299) / n)), "node-1");
    }
  }
  return w.snapshot(END);
}

const normal = { "/usr/sbin/nginx": 1, "/bin/date": 10, "/usr/bin/curl": 5 };

/** Pods running `/bin/date` at a steady rate per minute for `minutes`, up to END; `extra` adds execs at one moment. */
function ratesOf(pods: { pod: string; perMinute: number; minutes?: number; burst?: number }[]): WindowSnapshot {
  const w = new ReplicaWindow();
  const end = timeToMillis(END);
  for (let s = -600; s <= 299; s++) {
    for (const { pod, perMinute, minutes = 15 } of pods) {
      if (s < 299 - minutes * 60) continue;
      const before = Math.floor(((s - 1) * perMinute) / 60);
      const now = Math.floor((s * perMinute) / 60);
      for (let i = before; i < now; i++) w.record(pod, "sha256:a", "/bin/date", at(s));
    }
  }
  for (const { pod, burst } of pods) for (let i = 0; i < (burst ?? 0); i++) w.record(pod, "sha256:a", "/bin/date", timeFromMillis(end - 120_000));
  return w.snapshot(END);
}

describe("compareReplicas", () => {
  it("flags the one replica of four that runs a binary no peer ran and the baseline does not contain, with the statistics", () => {
    const snapshot = windowOf([
      { pod: "web-1", runs: normal },
      { pod: "web-2", runs: { ...normal, "/bin/date": 11 } },
      { pod: "web-3", runs: { ...normal, "/usr/bin/nc": 40, "/bin/sh": 40 } },
      { pod: "web-4", runs: { ...normal, "/usr/bin/curl": 6 } },
    ]);
    const deviations = compareReplicas(snapshot, inBaseline);
    expect(deviations).toHaveLength(1);
    const [d] = deviations;
    expect(d).toMatchObject({
      pod: "web-3",
      imageDigest: "sha256:a",
      node: "node-1",
      severity: "high",
      reasons: ["unique-unknown-binary"],
      uniqueBinaries: ["/bin/sh", "/usr/bin/nc"],
      uniqueUnknownBinaries: ["/bin/sh", "/usr/bin/nc"],
      peers: ["web-1", "web-2", "web-4"],
      windowMs: 300_000,
    });
    expect(d!.jaccard.value).toBeCloseTo(0.4);
    expect(d!.execRate.value).toBeCloseTo(96 / 5);
    expect(d!.execRate.median).toBeCloseTo(17 / 5);
  });

  it("does not take a binary that a peer ran within the horizon for a unique one: a job that runs everywhere, not in the same five minutes", () => {
    const snapshot = windowOf([
      { pod: "db-0", runs: { "/usr/bin/postgres": 5, "/usr/bin/wal-archive": 1 } },
      { pod: "db-1", runs: { "/usr/bin/postgres": 5 } },
      { pod: "db-2", runs: { "/usr/bin/postgres": 5 } },
    ]);
    expect(compareReplicas(snapshot, () => false).map((d) => d.pod)).toEqual(["db-0"]);
    const peersRanIt = (pod: string, digest: string | undefined, binary: string) => binary === "/usr/bin/wal-archive" && pod === "db-0" && digest === "sha256:a";
    expect(compareReplicas(snapshot, (b) => b === "/usr/bin/postgres", DEFAULT_THRESHOLDS, peersRanIt)).toEqual([]);
  });

  it("flags an exec rate far above the peers' in every minute of a whole window", () => {
    const snapshot = ratesOf([
      { pod: "a", perMinute: 10 },
      { pod: "b", perMinute: 12 },
      { pod: "c", perMinute: 10 },
      { pod: "d", perMinute: 60 },
    ]);
    const [d, ...rest] = compareReplicas(snapshot, inBaseline);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ pod: "d", severity: "medium", reasons: ["exec-rate"], uniqueBinaries: [] });
    expect(d!.execRate.z).toBeGreaterThan(3.5);
  });

  it("does not flag a burst of batch work, a rate too small to matter, a young pod, or a handful of execs", () => {
    const peers = [
      { pod: "a", perMinute: 10 },
      { pod: "b", perMinute: 12 },
      { pod: "c", perMinute: 10 },
    ];
    expect(compareReplicas(ratesOf([...peers, { pod: "d", perMinute: 10, burst: 3000 }]), inBaseline)).toEqual([]);
    expect(compareReplicas(ratesOf([...peers, { pod: "d", perMinute: 25 }]), inBaseline)).toEqual([]);
    expect(compareReplicas(ratesOf([...peers, { pod: "d", perMinute: 60, minutes: 3 }]), inBaseline)).toEqual([]);
    const few = ratesOf([{ pod: "a", perMinute: 1 }, { pod: "b", perMinute: 1 }, { pod: "c", perMinute: 1 }, { pod: "d", perMinute: 50 }]);
    expect(compareReplicas(few, inBaseline)).toEqual([]);
  });

  it("finds nothing among uniform replicas", () => {
    const pods = ["web-1", "web-2", "web-3", "web-4"].map((pod, i) => ({ pod, runs: { ...normal, "/bin/date": 10 + i } }));
    expect(compareReplicas(windowOf(pods), inBaseline)).toEqual([]);
  });

  it("does not compare pods on a new image with those on the old one", () => {
    const snapshot = windowOf([
      { pod: "web-1", runs: normal },
      { pod: "web-2", runs: normal },
      { pod: "web-3", runs: normal },
      { pod: "web-new-1", digest: "sha256:b", runs: { ...normal, "/usr/bin/envsubst": 30 } },
      { pod: "web-new-2", digest: "sha256:b", runs: { ...normal, "/usr/bin/envsubst": 30 } },
    ]);
    expect(compareReplicas(snapshot, inBaseline)).toEqual([]);
    // A canary judged against the old image would stand out.
    const mixed = { ...snapshot, pods: snapshot.pods.filter((p) => p.pod !== "web-new-2").map((p) => ({ ...p, imageDigest: "sha256:a" })) };
    expect(compareReplicas(mixed, inBaseline).map((d) => [d.pod, d.uniqueUnknownBinaries])).toEqual([["web-new-1", ["/usr/bin/envsubst"]]]);
  });

  it("keeps z finite when the MAD is 0, and scores every pod that has peers", () => {
    const same = (pod: string, dates: number) => ({ pod, runs: { "/bin/date": dates } });
    const scores = scoreReplicas(windowOf([same("a", 10), same("b", 10), same("c", 10), same("d", 30)]));
    expect(scores.map((s) => s.pod.pod)).toEqual(["a", "b", "c", "d"]);
    const d = scores[3]!;
    expect(d.execRate.mad).toBe(0);
    expect(Number.isFinite(d.execRate.z)).toBe(true);
    expect(d.execRate.z).toBeGreaterThan(3.5);
    expect(scoreReplicas(windowOf([same("a", 10), same("b", 10), same("c", 10), same("d", 11)]))[3]!.execRate.z).toBeLessThan(1);
  });

  it("does not report a binary unique to one pod but in the baseline", () => {
    const known = compareReplicas(
      windowOf([
        { pod: "a", runs: { "/usr/sbin/nginx": 5 } },
        { pod: "b", runs: { "/usr/sbin/nginx": 5, "/usr/bin/curl": 1 } },
      ]),
      inBaseline,
    );
    expect(known).toEqual([]);
    const unknown = compareReplicas(
      windowOf([
        { pod: "a", runs: { "/usr/sbin/nginx": 5 } },
        { pod: "b", runs: { "/usr/sbin/nginx": 5, "/tmp/x": 1 } },
      ]),
      inBaseline,
    );
    expect(unknown.map((d) => [d.pod, d.severity, d.reasons])).toEqual([["b", "high", ["unique-unknown-binary"]]]);
  });

  it("does not compare a pod without peers", () => {
    expect(compareReplicas(windowOf([{ pod: "only", runs: { "/tmp/x": 50 } }]), inBaseline)).toEqual([]);
  });
});

it("measures Jaccard distance", () => {
  expect(jaccardDistance(new Set(["a", "b"]), new Set(["a", "b"]))).toBe(0);
  expect(jaccardDistance(new Set(["a"]), new Set(["b"]))).toBe(1);
  expect(jaccardDistance(new Set(["a", "b", "c"]), new Set(["a", "b", "c", "d", "e"]))).toBeCloseTo(0.4);
  expect(jaccardDistance(new Set(), new Set())).toBe(0);
});
