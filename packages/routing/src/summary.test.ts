import { timeFromMillis } from "@outlier/contracts";
import { describe, expect, it } from "vitest";
import { summarizeGroup, tallyFindings } from "./summary.ts";
import { makeFinding } from "./test-finding.ts";

const start = Date.parse("2024-05-01T10:00:00Z");
const at = (seconds: number) => timeFromMillis(start + seconds * 1000);

describe("summarizeGroup", () => {
  it("turns a burst into one line", () => {
    const burst = Array.from({ length: 14 }, (_, i) =>
      makeFinding({ id: `f${i}`, pod: i % 2 === 0 ? "checkout-1" : "checkout-2", time: at((i * 300) / 13) }),
    );
    expect(summarizeGroup(tallyFindings(burst))).toBe("checkout: 14 unexpected processes across 2 replicas in 5m");
  });

  it("counts mixed finding types, most frequent first", () => {
    const findings = [
      makeFinding({ type: "exec.session" }),
      makeFinding({ type: "process.unexpected", time: at(90) }),
      makeFinding({ type: "process.unexpected", time: at(30) }),
      makeFinding({ type: "audit.privileged-pod", pod: undefined }),
    ];
    expect(summarizeGroup(tallyFindings(findings))).toBe(
      "checkout: 4 findings (2 unexpected processes, 1 audit.privileged-pod finding, 1 exec session) across 1 replica in 1m30s",
    );
  });

  it("names the namespace or the cluster when there is no single workload", () => {
    const two = [makeFinding({ name: "checkout" }), makeFinding({ name: "cart" })];
    expect(summarizeGroup(tallyFindings(two))).toBe("2 workloads in payments: 2 unexpected processes across 1 replica");
    const spread = [makeFinding({ name: "checkout" }), makeFinding({ name: "search", namespace: "search" })];
    expect(summarizeGroup(tallyFindings(spread))).toBe("2 workloads in 2 namespaces: 2 unexpected processes across 1 replica");
    const { workload: _, ...clusterWide } = makeFinding({ type: "baseline.drift", pod: undefined });
    expect(summarizeGroup(tallyFindings([clusterWide]))).toBe("cluster prod-eu: 1 baseline drift");
  });
});
