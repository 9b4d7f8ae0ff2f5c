import { stableId, timeFromMillis, type AuditEvent, type RuntimeEvent } from "@outlier/contracts";

const T0 = Date.parse("2026-01-01T00:00:00Z");

/** Event time `minutes` after the tests' epoch. */
export function at(minutes: number): string {
  return timeFromMillis(T0 + minutes * 60_000);
}

export interface ExecSpec {
  pod: string;
  binary: string;
  minutes: number;
  workload?: string;
  container?: string;
  digest?: string;
  inInitTree?: boolean;
  parent?: string;
}

/** A Tetragon-like process_exec in a Deployment's pod. */
export function exec(spec: ExecSpec): RuntimeEvent {
  const workload = spec.workload ?? "checkout";
  const time = at(spec.minutes);
  const event: RuntimeEvent = {
    schema: "outlier.runtime.v1",
    id: stableId(spec.pod, spec.binary, time),
    source: "tetragon",
    type: "process_exec",
    sourceKind: "process_exec",
    time,
    cluster: "c1",
    node: "node-1",
    pod: {
      namespace: "shop",
      name: spec.pod,
      labels: { app: workload },
      container: { name: spec.container ?? "app", imageDigest: spec.digest ?? "sha256:aaa" },
    },
    workload: { kind: "Deployment", name: workload, resolvedBy: "label:pod-template-hash" },
    process: { binary: spec.binary, ancestors: [], parent: { binary: spec.parent ?? "/usr/bin/entrypoint" } },
  };
  if (spec.inInitTree !== undefined) event.process!.inInitTree = spec.inInitTree;
  return event;
}

/** An allowed `kubectl exec` into a pod, as the audit log records it. */
export function execAudit(pod: string, minutes: number, command = ["sh"], user = "mallory@example.com"): AuditEvent {
  const query = command.map((c) => `command=${encodeURIComponent(c)}`).join("&");
  const auditID = stableId("audit", pod, String(minutes));
  return {
    schema: "outlier.audit.v1",
    id: `${auditID}/ResponseStarted`,
    auditID,
    stage: "ResponseStarted",
    cluster: "c1",
    verb: "create",
    requestURI: `/api/v1/namespaces/shop/pods/${pod}/exec?${query}&container=app&stdin=true&tty=true`,
    user: { username: user, groups: ["system:authenticated"] },
    sourceIPs: ["10.0.0.9"],
    userAgent: "kubectl/v1.31.0",
    objectRef: { resource: "pods", subresource: "exec", namespace: "shop", name: pod },
    responseStatus: { code: 101 },
    requestReceivedTimestamp: at(minutes),
    annotations: {},
  };
}

/** An allowed `get` of a secret by `user`, as the audit log records it. */
export function secretRead(user: string, minutes: number, namespace = "shop"): AuditEvent {
  const auditID = stableId("secret-read", user, namespace, String(minutes));
  return {
    schema: "outlier.audit.v1",
    id: `${auditID}/ResponseComplete`,
    auditID,
    stage: "ResponseComplete",
    cluster: "c1",
    verb: "get",
    requestURI: `/api/v1/namespaces/${namespace}/secrets/db-password`,
    user: { username: user, groups: ["system:authenticated"] },
    sourceIPs: ["10.0.0.9"],
    userAgent: "kubectl/v1.31.0",
    objectRef: { resource: "secrets", namespace, name: "db-password" },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: at(minutes),
    annotations: {},
  };
}
