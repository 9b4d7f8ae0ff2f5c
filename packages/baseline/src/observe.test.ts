import { afterEach, describe, expect, it, vi } from "vitest";
import { timeFromMillis, timeToMillis } from "@outlier/contracts";
import { DEFAULT_POLICY, policyFor, type Baseline, type BaselineEntry, type BaselineId, type BaselinePolicy } from "./model.ts";
import { advanceTo, observe, type ObserveContext, type ProcessObservation, type Verdict } from "./observe.ts";
import { applyDecision } from "./decisions.ts";

const ID: BaselineId = { cluster: "prod", namespace: "shop", kind: "Deployment", name: "web", container: "app" };
const T0 = timeToMillis("2024-05-01T10:00:00.000000000Z");
const at = (minutes: number) => timeFromMillis(T0 + minutes * 60_000);

function obs(minutes: number, binary: string, pod = "web-1", extra: Partial<ProcessObservation> = {}): ProcessObservation {
  return { id: ID, time: at(minutes), binary, pod, imageDigest: "sha256:aaa", ...extra };
}

/** A minimal store: the baseline metadata plus a map of entries, as the real stores keep them. */
class Harness {
  baseline: Baseline | undefined;
  entries = new Map<string, BaselineEntry>();
  readonly policy: BaselinePolicy;
  constructor(policy: BaselinePolicy = DEFAULT_POLICY) {
    this.policy = policy;
  }

  see(o: ProcessObservation, ctx: Partial<ObserveContext> = {}): Verdict {
    const result = observe(this.baseline, this.entries.get(o.binary), o, {
      policy: this.policy,
      liveReplicas: 1,
      replicasRunningBinary: 1,
      ...ctx,
    });
    this.baseline = result.baseline;
    if (result.entry) this.entries.set(o.binary, result.entry);
    return result.verdict;
  }

  entry(binary: string): BaselineEntry {
    const e = this.entries.get(binary);
    if (!e) throw new Error(`no entry for ${binary}`);
    return e;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("learning and locking on event time", () => {
  it("learns during the window and keeps evidence", () => {
    const h = new Harness();
    expect(h.see(obs(0, "/usr/bin/nginx", "web-1", { parent: "/bin/sh", args: "-g daemon off;", user: "0" }))).toBe("learned");
    expect(h.see(obs(5, "/usr/bin/nginx", "web-2", { parent: "/sbin/tini" }))).toBe("known");
    expect(h.baseline).toMatchObject({ state: "learning", learningStartedAt: at(0), learningEndsAt: at(60), entryCount: 1 });
    expect(h.entry("/usr/bin/nginx")).toMatchObject({
      status: "learned",
      count: 2,
      firstSeen: at(0),
      lastSeen: at(5),
      parents: ["/bin/sh", "/sbin/tini"],
      sampleArgs: ["-g daemon off;"],
      users: ["0"],
      replicas: ["web-1", "web-2"],
    });
  });

  it("locks when an event passes the end of the window, and then alerts on new executables", () => {
    const h = new Harness();
    h.see(obs(0, "/usr/bin/nginx"));
    expect(h.see(obs(59, "/bin/date"))).toBe("learned");
    expect(h.baseline?.state).toBe("learning");
    expect(h.see(obs(61, "/usr/bin/nc"))).toBe("unexpected");
    expect(h.baseline).toMatchObject({ state: "locked", lockedAt: at(60) });
    expect(h.entry("/usr/bin/nc")).toMatchObject({ status: "pending", pendingReason: "after-lock" });
    expect(h.see(obs(62, "/bin/date"))).toBe("known");
    expect(h.see(obs(63, "/usr/bin/nc"))).toBe("unexpected");
  });

  it("gives the same verdicts and state on replay, whatever the wall clock", () => {
    const events = [obs(0, "/a"), obs(10, "/b", "web-2"), obs(30, "/a"), obs(70, "/c"), obs(71, "/b"), obs(72, "/c")];
    const replay = (wallClock: string) => {
      vi.useFakeTimers();
      vi.setSystemTime(new Date(wallClock));
      const h = new Harness();
      const verdicts = events.map((o) => h.see(o));
      vi.useRealTimers();
      return { verdicts, baseline: h.baseline, entries: [...h.entries] };
    };
    const live = replay("2024-05-01T10:00:00Z");
    const later = replay("2031-01-01T00:00:00Z");
    expect(later).toEqual(live);
    expect(live.verdicts).toEqual(["learned", "learned", "known", "unexpected", "known", "unexpected"]);
  });

  it("takes the learning window from the workload annotation", () => {
    const h = new Harness(policyFor({ "outlier.dev/learning-window": "2h" }));
    h.see(obs(0, "/a"));
    expect(h.see(obs(90, "/b"))).toBe("learned");
    expect(h.baseline?.learningEndsAt).toBe(at(120));
    expect(h.see(obs(121, "/c"))).toBe("unexpected");
  });

  it("stays learning after the window when auto-lock is off", () => {
    const h = new Harness({ ...DEFAULT_POLICY, autoLock: false });
    h.see(obs(0, "/a"));
    expect(h.see(obs(300, "/b"))).toBe("learned");
    expect(h.baseline?.state).toBe("learning");
  });

  it("advanceTo locks by time alone and leaves an unchanged baseline as it is", () => {
    const h = new Harness();
    h.see(obs(0, "/a"));
    const learning = h.baseline!;
    expect(advanceTo(learning, at(30), DEFAULT_POLICY)).toBe(learning);
    const locked = advanceTo(learning, at(60), DEFAULT_POLICY);
    expect(locked).toMatchObject({ state: "locked", lockedAt: at(60), version: learning.version + 1 });
  });

  it("reports whether the baseline metadata changed, so a store writes only what changed", () => {
    const h = new Harness();
    h.see(obs(0, "/a"));
    const before = h.baseline!;
    const repeat = observe(before, h.entry("/a"), obs(1, "/a"), { policy: DEFAULT_POLICY, liveReplicas: 1, replicasRunningBinary: 1 });
    expect(repeat.baselineChanged).toBe(false);
    expect(repeat.baseline).toBe(before);
    expect(repeat.entry?.count).toBe(2);
    const fresh = observe(before, undefined, obs(2, "/b"), { policy: DEFAULT_POLICY, liveReplicas: 1, replicasRunningBinary: 1 });
    expect(fresh.baselineChanged).toBe(true);
    expect(fresh.baseline).toMatchObject({ entryCount: 2, version: before.version + 1 });
  });
});

describe("single-replica executables while learning", () => {
  const fleet = { liveReplicas: 4, replicasRunningBinary: 1 };

  it("reports a binary seen on one of ≥ 3 replicas at once, keeps it pending, and learns it when a second replica runs it", () => {
    const h = new Harness();
    expect(h.see(obs(0, "/usr/bin/jq", "web-1"), fleet)).toBe("single-replica");
    expect(h.entry("/usr/bin/jq")).toMatchObject({ status: "pending", pendingReason: "single-replica" });
    expect(h.see(obs(1, "/usr/bin/jq", "web-1"), fleet)).toBe("pending");
    expect(h.see(obs(2, "/usr/bin/jq", "web-2"), fleet)).toBe("learned");
    expect(h.entry("/usr/bin/jq").status).toBe("learned");
    expect(h.entry("/usr/bin/jq").pendingReason).toBeUndefined();
  });

  it("learns at once when the replica window shows it on two pods", () => {
    const h = new Harness();
    expect(h.see(obs(0, "/bin/date"), { liveReplicas: 4, replicasRunningBinary: 2 })).toBe("learned");
  });

  it("learns from one replica when fewer than 3 are live", () => {
    const h = new Harness();
    expect(h.see(obs(0, "/bin/date"), { liveReplicas: 2, replicasRunningBinary: 1 })).toBe("learned");
  });

  it("never learns a risky binary without a person, on any number of replicas", () => {
    const h = new Harness();
    expect(h.see(obs(0, "/tmp/kit"), { liveReplicas: 2, replicasRunningBinary: 2, risky: true })).toBe("unexpected");
    expect(h.entry("/tmp/kit")).toMatchObject({ status: "pending", pendingReason: "risky" });
    expect(h.see(obs(1, "/tmp/x", "web-1"), { ...fleet, risky: true })).toBe("single-replica");
    expect(h.see(obs(2, "/tmp/x", "web-2"), { liveReplicas: 4, replicasRunningBinary: 2, risky: true })).toBe("pending");
    expect(h.entry("/tmp/x").status).toBe("pending");
  });

  it("does not promote a pending binary because replicas were scaled down", () => {
    const h = new Harness();
    h.see(obs(0, "/usr/bin/nc", "web-1"), fleet);
    expect(h.see(obs(1, "/usr/bin/nc", "web-1"), { liveReplicas: 1, replicasRunningBinary: 1 })).toBe("pending");
  });

  it("learns a binary that recurs on one replica at a time over two windows as a singleton task, also across a leader change", () => {
    const h = new Harness();
    expect(h.see(obs(0, "/usr/bin/pg_dump", "web-1"), fleet)).toBe("single-replica");
    expect(h.see(obs(5, "/usr/bin/pg_dump", "web-1"), fleet)).toBe("pending");
    expect(h.see(obs(10, "/usr/bin/pg_dump", "web-1"), fleet)).toBe("learned");
    expect(h.entry("/usr/bin/pg_dump")).toMatchObject({ status: "learned", singleton: true });
    expect(h.entry("/usr/bin/pg_dump").pendingReason).toBeUndefined();
    // The leader's pod is replaced after lock: the new leader runs a learned binary.
    expect(h.see(obs(70, "/usr/bin/pg_dump", "web-9"), fleet)).toBe("known");
    expect(h.entry("/usr/bin/pg_dump").singleton).toBe(true);
  });

  it("does not take a burst on one replica for a singleton: the span must cover two windows", () => {
    const h = new Harness();
    for (let i = 0; i < 10; i++) h.see(obs(i * 0.1, "/usr/bin/nc", "web-1"), fleet);
    expect(h.entry("/usr/bin/nc").status).toBe("pending");
  });

  it("keeps a still-pending single-replica binary quiet after lock while it recurs on one replica, then learns the singleton", () => {
    const h = new Harness();
    h.see(obs(0, "/usr/bin/pg_dump", "web-1"), fleet);
    expect(h.see(obs(61, "/usr/bin/pg_dump", "web-1"), fleet)).toBe("pending");
    expect(h.see(obs(62, "/usr/bin/pg_dump", "web-2"), fleet)).toBe("learned");
    expect(h.entry("/usr/bin/pg_dump").singleton).toBe(true);
  });

  it("alerts on a still-pending binary after lock when it runs on two replicas at once or looks risky, and not after a person approves it", () => {
    const h = new Harness();
    h.see(obs(0, "/usr/bin/nc", "web-1"), fleet);
    expect(h.see(obs(61, "/usr/bin/nc", "web-1"), { liveReplicas: 4, replicasRunningBinary: 2 })).toBe("unexpected");
    expect(h.see(obs(62, "/usr/bin/nc", "web-1"), { ...fleet, risky: true })).toBe("unexpected");
    expect(h.entry("/usr/bin/nc").pendingReason).toBe("single-replica");
    const approved = applyDecision(h.baseline!, h.entry("/usr/bin/nc"), "approve");
    h.entries.set("/usr/bin/nc", approved.entry!);
    expect(h.see(obs(63, "/usr/bin/nc", "web-1"), { ...fleet, risky: true })).toBe("known");
  });
});

describe("denied executables", () => {
  it("raise denied-seen every time, learning or locked", () => {
    const h = new Harness();
    h.see(obs(0, "/bin/sh"));
    h.entries.set("/bin/sh", applyDecision(h.baseline!, h.entry("/bin/sh"), "deny").entry!);
    expect(h.see(obs(1, "/bin/sh"))).toBe("denied-seen");
    expect(h.see(obs(90, "/bin/sh"))).toBe("denied-seen");
    expect(h.entry("/bin/sh")).toMatchObject({ status: "denied", count: 3 });
  });
});

describe("image digest changes", () => {
  function lockedOnImageA(): Harness {
    const h = new Harness();
    h.see(obs(0, "/usr/bin/nginx"));
    h.see(obs(61, "/usr/bin/nginx"));
    expect(h.baseline).toMatchObject({ state: "locked", imageDigests: ["sha256:aaa"] });
    return h;
  }
  const onB = (minutes: number, binary: string, pod = "web-new") => obs(minutes, binary, pod, { imageDigest: "sha256:bbb" });

  it("records new executables of the new image as drift during the relearn window", () => {
    const h = lockedOnImageA();
    expect(h.see(onB(100, "/usr/bin/nginx"))).toBe("known");
    expect(h.baseline?.relearn).toEqual([
      { imageDigest: "sha256:bbb", startedAt: at(100), endsAt: at(110), newBinaries: [], newBinariesOverflow: 0 },
    ]);
    expect(h.see(onB(101, "/usr/bin/envsubst"))).toBe("drift");
    expect(h.see(onB(102, "/usr/bin/envsubst", "web-new-2"))).toBe("pending"); // reported once per image
    expect(h.see(onB(103, "/usr/bin/jq"))).toBe("drift");
    expect(h.entry("/usr/bin/envsubst")).toMatchObject({ status: "pending", pendingReason: "image-drift" });
    expect(h.baseline?.relearn[0]?.newBinaries).toEqual(["/usr/bin/envsubst", "/usr/bin/jq"]);
    expect(h.baseline?.imageDigests).toEqual(["sha256:aaa", "sha256:bbb"]);
  });

  it("does not open a window for pods still on the old image", () => {
    const h = lockedOnImageA();
    h.see(onB(100, "/usr/bin/nginx"));
    expect(h.see(obs(101, "/usr/bin/nc", "web-old"))).toBe("unexpected");
  });

  it("alerts after the window closes on later binaries and on the old image; the drift stays quiet on its own image", () => {
    const h = lockedOnImageA();
    h.see(onB(100, "/usr/bin/envsubst"));
    expect(h.entry("/usr/bin/envsubst")).toMatchObject({ pendingReason: "image-drift", imageDigest: "sha256:bbb" });
    expect(h.see(onB(111, "/usr/bin/curl"))).toBe("unexpected");
    expect(h.baseline?.relearn).toEqual([]);
    expect(h.see(onB(112, "/usr/bin/envsubst", "web-new-3"))).toBe("pending");
    expect(h.see(obs(113, "/usr/bin/envsubst", "web-old"))).toBe("unexpected");
    expect(h.entry("/usr/bin/envsubst").pendingReason).toBe("image-drift");
  });

  it("reports a risky binary of a new image as unexpected, not as drift", () => {
    const h = lockedOnImageA();
    expect(h.see(onB(100, "/tmp/kit"), { risky: true })).toBe("unexpected");
  });

  it("takes a new image's binaries as drift also while learning: a rollout or a canary next to the old pods", () => {
    const h = new Harness();
    h.see(obs(0, "/usr/bin/nginx"));
    expect(h.see(onB(10, "/usr/bin/envsubst"), { liveReplicas: 1, replicasRunningBinary: 1 })).toBe("drift");
    expect(h.baseline?.relearn.map((w) => [w.imageDigest, w.newBinaries])).toEqual([["sha256:bbb", ["/usr/bin/envsubst"]]]);
    expect(h.baseline?.imageDigests).toEqual(["sha256:aaa", "sha256:bbb"]);
    expect(h.see(onB(70, "/usr/bin/envsubst", "web-new-2"))).toBe("pending");
  });

  it("bounds the digests it remembers", () => {
    const h = lockedOnImageA();
    for (let i = 0; i < 20; i++) h.see(obs(100 + i, "/usr/bin/nginx", "p", { imageDigest: `sha256:${i}` }));
    expect(h.baseline?.imageDigests).toHaveLength(8);
    expect(h.baseline?.imageDigests.at(-1)).toBe("sha256:19");
    expect(h.baseline?.relearn.length).toBeLessThanOrEqual(8);
  });
});

describe("bounds", () => {
  it("caps the entries of a baseline and counts the overflow", () => {
    const h = new Harness({ ...DEFAULT_POLICY, maxEntries: 2 });
    h.see(obs(0, "/a"));
    h.see(obs(1, "/b"));
    expect(h.see(obs(2, "/c"))).toBe("overflow");
    expect(h.entries.has("/c")).toBe(false);
    expect(h.see(obs(3, "/a"))).toBe("known");
    expect(h.baseline).toMatchObject({ entryCount: 2, overflowCount: 1 });
  });

  it("still alerts on an unknown executable when a locked baseline is full", () => {
    const h = new Harness({ ...DEFAULT_POLICY, maxEntries: 1 });
    h.see(obs(0, "/a"));
    expect(h.see(obs(61, "/usr/bin/nc"))).toBe("unexpected");
    expect(h.entries.has("/usr/bin/nc")).toBe(false);
    expect(h.baseline?.overflowCount).toBe(1);
  });

  it("bounds the evidence kept per entry", () => {
    const h = new Harness();
    for (let i = 0; i < 40; i++) h.see(obs(i, "/a", `web-${i}`, { parent: `/p${i}`, args: `--n ${i}`, user: `${i}` }));
    const e = h.entry("/a");
    expect(e.count).toBe(40);
    expect(e.replicas).toHaveLength(16);
    expect(e.parents).toHaveLength(5);
    expect(e.sampleArgs).toHaveLength(3);
    expect(e.users).toHaveLength(5);
  });
});
