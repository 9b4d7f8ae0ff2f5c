import { describe, expect, it } from "vitest";
import { timeFromMillis, timeToMillis } from "@outlier/contracts";
import { compareReplicas, DEFAULT_THRESHOLDS, jaccardDistance } from "./compare.ts";
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
/** These windows are small on purpose; judge their statistics even so. */
const anySample = { ...DEFAULT_THRESHOLDS, minExecsForStatistics: 0 };

describe("compareReplicas", () => {
  it("flags the one replica of four that runs nc at a high exec rate, with the statistics", () => {
    const snapshot = windowOf([
      { pod: "web-1", runs: normal },
      { pod: "web-2", runs: { ...normal, "/bin/date": 11 } },
      { pod: "web-3", runs: { ...normal, "/usr/bin/nc": 40, "/bin/sh": 40 } },
      { pod: "web-4", runs: { ...normal, "/usr/bin/curl": 6 } },
    ]);
    const deviations = compareReplicas(snapshot, inBaseline, anySample);
    expect(deviations).toHaveLength(1);
    const [d] = deviations;
    expect(d).toMatchObject({
      pod: "web-3",
      imageDigest: "sha256:a",
      node: "node-1",
      severity: "high",
      reasons: ["unique-unknown-binary", "binary-set", "exec-rate"],
      uniqueBinaries: ["/bin/sh", "/usr/bin/nc"],
      uniqueUnknownBinaries: ["/bin/sh", "/usr/bin/nc"],
      peers: ["web-1", "web-2", "web-4"],
      windowMs: 300_000,
    });
    expect(d!.jaccard.value).toBeCloseTo(0.4);
    expect(d!.jaccard.z).toBeGreaterThan(3.5);
    expect(d!.execRate.value).toBeCloseTo(96 / 5);
    expect(d!.execRate.median).toBeCloseTo(17 / 5);
    expect(d!.execRate.z).toBeGreaterThan(3.5);
  });

  it("judges exec rate and binary set only on enough execs, a unique unknown binary always", () => {
    const few = windowOf([
      { pod: "a", runs: { "/bin/date": 3 } },
      { pod: "b", runs: { "/bin/date": 3 } },
      { pod: "c", runs: { "/bin/date": 9, "/usr/bin/nc": 1 } },
    ]);
    expect(compareReplicas(few, inBaseline).map((d) => [d.pod, d.reasons])).toEqual([["c", ["unique-unknown-binary"]]]);
    expect(compareReplicas(few, inBaseline, anySample)[0]!.reasons).toContain("exec-rate");
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
    // The same new pods, judged against the old image, would all stand out.
    const mixed = { ...snapshot, pods: snapshot.pods.map((p) => ({ ...p, imageDigest: "sha256:a" })) };
    expect(compareReplicas(mixed, inBaseline, anySample).map((d) => d.pod)).toEqual(["web-new-1", "web-new-2"]);
  });

  it("keeps z finite when the MAD is 0, and flags only a real difference", () => {
    const same = (pod: string, dates: number) => ({ pod, runs: { "/bin/date": dates } });
    const spike = compareReplicas(windowOf([same("a", 10), same("b", 10), same("c", 10), same("d", 30)]), inBaseline, anySample);
    expect(spike).toHaveLength(1);
    expect(spike[0]).toMatchObject({ pod: "d", severity: "medium", reasons: ["exec-rate"], uniqueBinaries: [] });
    expect(spike[0]!.execRate.mad).toBe(0);
    expect(Number.isFinite(spike[0]!.execRate.z)).toBe(true);
    expect(compareReplicas(windowOf([same("a", 10), same("b", 10), same("c", 10), same("d", 11)]), inBaseline, anySample)).toEqual([]);
  });

  it("rates a binary unique to one pod but in the baseline lower than an unknown one", () => {
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
