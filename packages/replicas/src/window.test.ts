import { describe, expect, it } from "vitest";
import { timeFromMillis, timeToMillis } from "@outlier/contracts";
import { ReplicaWindow } from "./window.ts";

const T0 = timeToMillis("2024-05-01T10:00:00.000000000Z");
const at = (seconds: number) => timeFromMillis(T0 + seconds * 1000);

describe("ReplicaWindow", () => {
  it("counts execs per pod and binary", () => {
    const w = new ReplicaWindow();
    w.record("web-2", "sha256:a", "/bin/date", at(0), "node-b");
    w.record("web-1", "sha256:a", "/bin/date", at(1));
    w.record("web-1", "sha256:a", "/bin/date", at(30));
    w.record("web-1", "sha256:a", "/usr/bin/curl", at(31));
    expect(w.snapshot(at(31))).toEqual({
      time: at(31),
      windowMs: 300_000,
      pods: [
        { pod: "web-1", imageDigest: "sha256:a", execs: { "/bin/date": 2, "/usr/bin/curl": 1 }, total: 3, since: at(1), perMinute: [0, 0, 0, 0, 3] },
        { pod: "web-2", imageDigest: "sha256:a", node: "node-b", execs: { "/bin/date": 1 }, total: 1, since: at(0), perMinute: [0, 0, 0, 0, 1] },
      ],
    });
    expect(w.podsRunning("/bin/date")).toBe(2);
    expect(w.podsRunning("/usr/bin/curl")).toBe(1);
    expect(w.podsRunning("/bin/date", "sha256:other")).toBe(0);
  });

  it("keeps a binary named __proto__ like any other", () => {
    const w = new ReplicaWindow();
    w.record("web-1", "sha256:a", "__proto__", at(0));
    const [pod] = w.snapshot(at(0)).pods;
    expect(Object.keys(pod!.execs)).toEqual(["__proto__"]);
    expect(JSON.parse(JSON.stringify(pod!.execs))).toEqual(JSON.parse('{"__proto__":1}'));
  });

  it("slides on event time and forgets pods that ran nothing in the window", () => {
    const w = new ReplicaWindow({ windowMs: 60_000, bucketMs: 10_000 });
    w.record("web-1", "sha256:a", "/bin/date", at(0));
    w.record("web-2", "sha256:a", "/bin/date", at(50));
    w.record("web-2", "sha256:a", "/bin/date", at(100));
    expect(w.livePods(at(100))).toBe(1);
    expect(w.snapshot(at(100)).pods).toEqual([{ pod: "web-2", imageDigest: "sha256:a", execs: { "/bin/date": 2 }, total: 2, since: at(50), perMinute: [2] }]);
    expect(w.livePods(at(200))).toBe(0);
  });

  it("drops and counts records older than the window", () => {
    const w = new ReplicaWindow({ windowMs: 60_000 });
    w.record("web-1", "sha256:a", "/bin/date", at(600));
    expect(w.record("web-1", "sha256:a", "/bin/sh", at(500))).toBe(false);
    expect(w.record("web-1", "sha256:a", "/bin/ls", at(590))).toBe(true);
    expect(w.overflow).toEqual({ pods: 0, binaries: 0, late: 1 });
  });

  it("stays bounded in pods and binaries per pod", () => {
    const w = new ReplicaWindow({ maxPods: 2, maxBinariesPerPod: 2 });
    w.record("a", undefined, "/1", at(0));
    w.record("b", undefined, "/1", at(0));
    expect(w.record("c", undefined, "/1", at(0))).toBe(false);
    w.record("a", undefined, "/2", at(0));
    expect(w.record("a", undefined, "/3", at(0))).toBe(false);
    expect(w.record("a", undefined, "/2", at(1))).toBe(true);
    expect(w.overflow).toEqual({ pods: 1, binaries: 1, late: 0 });
    expect(w.snapshot(at(1)).pods.map((p) => p.pod)).toEqual(["a", "b"]);
  });

  it("starts a pod over when it shows up on a new image digest", () => {
    const w = new ReplicaWindow();
    w.record("web-1", "sha256:a", "/bin/date", at(0));
    w.record("web-1", "sha256:b", "/bin/ls", at(5));
    expect(w.snapshot(at(5)).pods).toEqual([{ pod: "web-1", imageDigest: "sha256:b", execs: { "/bin/ls": 1 }, total: 1, since: at(5), perMinute: [0, 0, 0, 0, 1] }]);
  });

  it("counts live pods per image digest", () => {
    const w = new ReplicaWindow();
    w.record("web-1", "sha256:a", "/bin/date", at(0));
    w.record("web-2", "sha256:a", "/bin/date", at(1));
    w.record("canary", "sha256:b", "/bin/date", at(2));
    expect(w.livePods(at(2))).toBe(3);
    expect(w.livePods(at(2), "sha256:a")).toBe(2);
    expect(w.livePods(at(2), "sha256:b")).toBe(1);
  });

  it("remembers for the horizon which peers on the same image ran a binary, after the window forgot it", () => {
    const w = new ReplicaWindow({ windowMs: 60_000, horizonMs: 3_600_000 });
    w.record("web-1", "sha256:a", "/usr/bin/wal-archive", at(0));
    w.record("web-2", "sha256:a", "/bin/date", at(600));
    w.record("web-2", "sha256:a", "/usr/bin/wal-archive", at(601));
    expect(w.livePods(at(601))).toBe(1);
    expect(w.podsRunning("/usr/bin/wal-archive")).toBe(1);
    expect(w.peerRanRecently("web-2", "sha256:a", "/usr/bin/wal-archive")).toBe(true);
    expect(w.peerRanRecently("web-1", "sha256:a", "/usr/bin/wal-archive")).toBe(true);
    expect(w.peerRanRecently("web-3", "sha256:a", "/usr/bin/wal-archive")).toBe(true);
    expect(w.peerRanRecently("web-2", "sha256:b", "/usr/bin/wal-archive")).toBe(false);
    w.record("web-2", "sha256:a", "/bin/date", at(3_700));
    w.livePods(at(3_700));
    expect(w.peerRanRecently("web-2", "sha256:a", "/usr/bin/wal-archive")).toBe(false); // web-1's run is over an hour old
    w.record("web-2", "sha256:a", "/bin/date", at(4_300));
    w.livePods(at(4_300));
    expect(w.peerRanRecently("web-3", "sha256:a", "/usr/bin/wal-archive")).toBe(false); // forgotten
  });
});
