import { expect, it } from "vitest";
import type { Finding } from "@outlier/contracts";
import { whyAnomalous } from "./evidence.ts";

function withEvidence(type: string, evidence: Record<string, unknown>): Finding {
  return { schema: "outlier.finding.v1", id: "f1", type, severity: "high", time: "2026-01-01T00:00:00.000000000Z", cluster: "c1", summary: "s", evidence, dedupKey: "k" };
}

it("puts a finding's risk features first in why it is anomalous", () => {
  const finding = withEvidence("replica.deviation", {
    risk: ["runs from a world-writable or memory-backed directory"],
    uniqueUnknownBinaries: ["/tmp/x"],
    peerCount: 2,
    reasons: ["unique-unknown-binary"],
  });
  expect(whyAnomalous(finding)).toEqual(["runs from a world-writable or memory-backed directory", "ran /tmp/x, which none of its 2 peers ran"]);
});

it("says why an exec rate stands out, and no longer speaks of binary sets", () => {
  const rate = { value: 80, median: 10, mad: 1, z: 47 };
  const finding = withEvidence("replica.deviation", { reasons: ["exec-rate"], execRate: rate, jaccard: { value: 0.5, median: 0, mad: 0, z: 9 } });
  expect(whyAnomalous(finding)).toEqual(["80.0 execs/min vs peers' median 10.0 (z 47.0)"]);
});
