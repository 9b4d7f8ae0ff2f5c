import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { AuditEventSchema, RuntimeEventSchema, timeFromMillis, type AuditEvent, type RuntimeEvent } from "@outlier/contracts";
import { normalizeLine } from "@outlier/normalize";

/** ../shared/fixtures beside the repository (tests only; never copied into the repo). */
export const fixturesDir = path.resolve(import.meta.dirname, "../../../../shared/fixtures");
export const haveFixtures = existsSync(path.join(fixturesDir, "k8s-audit"));

/** Every audit event of a fixture file, through the real normalizer. */
export function auditFixture(file: string): AuditEvent[] {
  const lines = readFileSync(path.join(fixturesDir, "k8s-audit", file), "utf8").split("\n");
  return lines
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      const result = normalizeLine(line, { source: "audit", cluster: "test" });
      if (result.ok !== true) throw new Error(`fixture ${file} did not normalize: ${JSON.stringify(result)}`);
      return result.events.map((event) => AuditEventSchema.parse(event));
    });
}

/** A hand-written audit event (tests only): an allowed `get` of a pod, at ResponseComplete. */
export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  const auditID = overrides.auditID ?? "11111111-2222-3333-4444-555555555555";
  const stage = overrides.stage ?? "ResponseComplete";
  return AuditEventSchema.parse({
    schema: "outlier.audit.v1",
    id: `${auditID}/${stage}`,
    auditID,
    stage,
    cluster: "prod",
    verb: "get",
    user: { username: "alice@example.com", groups: ["system:authenticated"] },
    sourceIPs: ["10.0.0.7"],
    userAgent: "kubectl/v1.30.0 (linux/amd64) kubernetes/abc",
    objectRef: { resource: "pods", namespace: "shop", name: "web-6f87496b94-qdlh8", apiVersion: "v1" },
    responseStatus: { code: 200 },
    requestReceivedTimestamp: "2024-05-01T10:00:00.000000000Z",
    annotations: {},
    ...overrides,
  });
}

/** An allowed `kubectl exec` into shop/web-…-qdlh8, container app, as the API server logs it. */
export function execAudit(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return auditEvent({
    auditID: "exec-0001",
    stage: "ResponseStarted",
    verb: "create",
    objectRef: { resource: "pods", subresource: "exec", namespace: "shop", name: "web-6f87496b94-qdlh8", apiVersion: "v1" },
    requestURI:
      "/api/v1/namespaces/shop/pods/web-6f87496b94-qdlh8/exec?command=sh&command=-c&command=id&container=app&stdin=true&stdout=true&tty=true",
    responseStatus: { code: 101 },
    ...overrides,
  });
}

const BASE_MS = Date.parse("2024-05-01T10:00:00.000Z");

/** The event time `seconds` after the hand-written audit events' request time. */
export function at(seconds: number): string {
  return timeFromMillis(BASE_MS + seconds * 1000);
}

export interface ProcessSpec {
  binary: string;
  args?: string;
  pid?: number;
  parent?: { binary: string; pid?: number };
  inInitTree?: boolean;
  maybeExecProbe?: boolean;
  seconds?: number;
  pod?: string;
  container?: string;
  source?: RuntimeEvent["source"];
}

/** A process_exec in shop/web-…-qdlh8 (tests only); Tetragon and out of the init tree unless told. */
export function processExec(spec: ProcessSpec): RuntimeEvent {
  const source = spec.source ?? "tetragon";
  return RuntimeEventSchema.parse({
    schema: "outlier.runtime.v1",
    id: `evt-${spec.binary}-${spec.pid ?? 0}-${spec.seconds ?? 0}`,
    source,
    type: "process_exec",
    sourceKind: source === "tetragon" ? "process_exec" : "Terminal shell in container",
    time: at(spec.seconds ?? 0),
    cluster: "prod",
    node: "node-a",
    pod: {
      namespace: "shop",
      name: spec.pod ?? "web-6f87496b94-qdlh8",
      labels: { app: "web" },
      container: { name: spec.container ?? "app" },
    },
    process: {
      binary: spec.binary,
      args: spec.args,
      pid: spec.pid,
      inInitTree: source === "tetragon" ? (spec.inInitTree ?? false) : undefined,
      maybeExecProbe: spec.maybeExecProbe,
      parent: spec.parent,
      ancestors: [],
    },
  });
}
