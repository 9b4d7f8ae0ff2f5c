import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "@outlier/contracts";
import { falcoFinding } from "./falco-finding.ts";

function falcoEvent(type: RuntimeEvent["type"], rule: string): RuntimeEvent {
  return {
    schema: "outlier.runtime.v1",
    id: `falco-${rule}`,
    source: "falco",
    type,
    sourceKind: rule,
    time: "2026-03-02T10:00:00.000000000Z",
    cluster: "c1",
    node: "node-a",
    pod: { namespace: "shop", name: "web-7c9d8b6f5d-x2kqp", labels: { app: "web", team: "payments" } },
    workload: { kind: "Deployment", name: "web", resolvedBy: "pod-name" },
    process: { binary: "/bin/bash", ancestors: [] },
    rule: { name: rule, priority: "Notice", tags: [], output: `${rule} (user=root)` },
  };
}

describe("falcoFinding", () => {
  it("passes nothing through for an alert that feeds process execs: the baseline judges that process", () => {
    expect(falcoFinding(falcoEvent("process_exec", "Terminal shell in container"), true)).toBeUndefined();
  });

  it("passes an exec alert through when it cannot feed (no container to judge it in)", () => {
    expect(falcoFinding(falcoEvent("process_exec", "Terminal shell in container"), false)?.type).toBe("falco.terminal-shell-in-container");
  });

  it("passes any other alert through as falco.<rule>, with the pod's labels for routing", () => {
    const finding = falcoFinding(falcoEvent("rule_alert", "Contact K8S API Server From Container"), false);
    expect(finding).toMatchObject({ type: "falco.contact-k8s-api-server-from-container", severity: "low", workload: { name: "web", labels: { team: "payments" } } });
  });
});
