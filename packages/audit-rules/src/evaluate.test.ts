import { describe, expect, it } from "vitest";
import { FindingSchema, stableId } from "@outlier/contracts";
import { evaluateAudit } from "./evaluate.ts";
import { AUDIT_RULES } from "./rules/index.ts";
import { MemorySeenSet } from "./seen-set.ts";
import { auditEvent, execAudit } from "./test-support.ts";

/** An allowed `kubectl port-forward` (exec and attach are the exec-session correlator's). */
const portForward = (name = "web-6f87496b94-qdlh8", namespace = "shop") =>
  execAudit({
    objectRef: { resource: "pods", subresource: "portforward", namespace, name },
    requestURI: `/api/v1/namespaces/${namespace}/pods/${name}/portforward?ports=8080`,
  });

describe("evaluateAudit", () => {
  it("builds a valid audit.<rule> finding with who, from where, and what", async () => {
    const [finding, ...rest] = await evaluateAudit(portForward(), AUDIT_RULES, new MemorySeenSet());
    expect(rest).toEqual([]);
    expect(FindingSchema.parse(finding)).toEqual(finding);
    expect(finding).toMatchObject({
      type: "audit.pod-port-forward",
      severity: "medium",
      time: "2024-05-01T10:00:00.000000000Z",
      cluster: "prod",
      summary: "alice@example.com: port-forward into pod shop/web-6f87496b94-qdlh8: ports 8080",
      workload: { kind: "Deployment", name: "web", namespace: "shop", labels: {}, annotations: {} },
      pod: "web-6f87496b94-qdlh8",
      dedupKey: "audit.pod-port-forward|alice@example.com|pods/portforward:shop/web-6f87496b94-qdlh8",
      evidence: {
        user: { username: "alice@example.com", groups: ["system:authenticated"] },
        sourceIPs: ["10.0.0.7"],
        userAgent: "kubectl/v1.30.0 (linux/amd64) kubernetes/abc",
        object: { resource: "pods", subresource: "portforward", namespace: "shop", name: "web-6f87496b94-qdlh8" },
        verb: "create",
        code: 101,
        auditID: "exec-0001",
      },
    });
  });

  it("gives a redelivered event the same finding id, derived from the event id", async () => {
    const event = portForward();
    const first = await evaluateAudit(event, AUDIT_RULES, new MemorySeenSet());
    const again = await evaluateAudit(structuredClone(event), AUDIT_RULES, new MemorySeenSet());
    expect(again.map((f) => f.id)).toEqual(first.map((f) => f.id));
    expect(first[0]?.id).toBe(stableId("audit.pod-port-forward", "exec-0001/ResponseStarted"));
  });

  it("infers the Deployment of a created pod from its generateName and keeps its labels", async () => {
    const event = auditEvent({
      verb: "create",
      objectRef: { resource: "pods", namespace: "shop" },
      requestObject: {
        metadata: { generateName: "web-6f87496b94-", labels: { app: "web" } },
        spec: { hostNetwork: true, containers: [{ name: "app" }] },
      },
    });
    const [finding] = await evaluateAudit(event, AUDIT_RULES, new MemorySeenSet());
    expect(finding?.type).toBe("audit.privileged-pod");
    expect(finding?.pod).toBeUndefined(); // the server had not named it yet
    expect(finding?.workload).toEqual({ kind: "Deployment", name: "web", namespace: "shop", labels: { app: "web" }, annotations: {} });
    expect(finding?.dedupKey).toBe("audit.privileged-pod|alice@example.com|pods:shop/web-6f87496b94-");
  });

  it("leaves the workload undefined when the name does not tell, and for non-pod objects", async () => {
    const [statefulPod] = await evaluateAudit(portForward("postgres-0", "db"), AUDIT_RULES, new MemorySeenSet());
    expect(statefulPod?.type).toBe("audit.pod-port-forward");
    expect(statefulPod?.workload).toBeUndefined();
    const secret = auditEvent({ objectRef: { resource: "secrets", namespace: "shop", name: "x" } });
    const [finding] = await evaluateAudit(secret, AUDIT_RULES, new MemorySeenSet({ learningMs: 0 }));
    expect(finding?.type).toBe("audit.secret-read-new-principal");
    expect(finding?.workload).toBeUndefined();
    expect(finding?.pod).toBeUndefined();
  });

  it("counts suppressed matches through the context instead of returning them", async () => {
    const learned = new MemorySeenSet({ learningMs: 60_000 });
    const counted: string[] = [];
    const ctx = {
      seen: (kind: string, key: string) => learned.seen(kind, key),
      learning: (kind: string, time: string) => learned.learning(kind, time),
      suppressed: (ruleId: string, reason: string) => counted.push(`${ruleId}:${reason}`),
    };
    const secret = auditEvent({ objectRef: { resource: "secrets", namespace: "shop", name: "x" } });
    expect(await evaluateAudit(secret, AUDIT_RULES, ctx)).toEqual([]);
    expect(counted).toEqual(["secret-read-new-principal:learning"]);
  });

  it("raises one finding per matching rule", async () => {
    // An anonymous caller allowed to port-forward: two rules, two findings, two ids.
    const event = { ...portForward(), user: { username: "system:anonymous", groups: ["system:unauthenticated"] } };
    const findings = await evaluateAudit(event, AUDIT_RULES, new MemorySeenSet());
    expect(findings.map((f) => f.type)).toEqual(["audit.pod-port-forward", "audit.anonymous-allowed"]);
    expect(new Set(findings.map((f) => f.id)).size).toBe(2);
  });
});
