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

/** A process as Tetragon knows it: what a child names as its parent. */
export interface TetragonProcess {
  binary: string;
  args?: string;
  pid: number;
  execId: string;
}

export interface TetragonExecSpec extends TetragonProcess {
  parent: TetragonProcess;
  seconds: number;
  inInitTree?: boolean;
  /** Tetragon's `maybe_exec_probe`, which it writes on the container (API reference, message Container). */
  probe?: boolean;
  pod?: string;
  container?: string;
}

/** A Tetragon process_exec export line in shop/web-…-qdlh8 (node-a), through the real normalizer. */
export function tetragonExec(spec: TetragonExecSpec): RuntimeEvent {
  const time = at(spec.seconds);
  const processJson = (p: TetragonProcess, parentExecId?: string) => ({
    exec_id: p.execId,
    pid: p.pid,
    uid: 0,
    cwd: "/",
    binary: p.binary,
    arguments: p.args,
    flags: "execve clone",
    start_time: time,
    auid: 4294967295,
    parent_exec_id: parentExecId,
  });
  const line = {
    process_exec: {
      process: {
        ...processJson(spec, spec.parent.execId),
        pod: {
          namespace: "shop",
          name: spec.pod ?? "web-6f87496b94-qdlh8",
          container: {
            id: "containerd://3f1c0e9a4b7d",
            name: spec.container ?? "app",
            image: { id: "docker.io/library/web@sha256:1b9f0c4ad0e2", name: "docker.io/library/web:1.4.2" },
            start_time: at(-3600),
            pid: 1,
            maybe_exec_probe: spec.probe,
          },
          pod_labels: { app: "web", "pod-template-hash": "6f87496b94" },
          workload: "web",
          workload_kind: "Deployment",
        },
        docker: "3f1c0e9a4b7d",
        in_init_tree: spec.inInitTree ?? false,
      },
      parent: processJson(spec.parent),
    },
    node_name: "node-a",
    time,
  };
  return normalizedRuntime(JSON.stringify(line), "tetragon");
}

export interface FalcoExecSpec {
  binary: string;
  args?: string;
  pid: number;
  parent: { name: string; pid: number };
  seconds: number;
  pod?: string;
  container?: string;
  node?: string;
  /** Default "Process spawned in container"; Falco sends one alert per matching rule for the same exec. */
  rule?: string;
}

/** A Falco alert of a rule on every execve in a container, as Falco writes it, through the real normalizer. */
export function falcoExec(spec: FalcoExecSpec): RuntimeEvent {
  const name = spec.binary.slice(spec.binary.lastIndexOf("/") + 1);
  const cmdline = spec.args ? `${name} ${spec.args}` : name;
  const pod = spec.pod ?? "web-6f87496b94-qdlh8";
  const time = at(spec.seconds);
  const alert = {
    hostname: spec.node ?? "node-a",
    output: `${time.slice(11, 29)}: Notice Process spawned in container (command=${cmdline} pid=${spec.pid} parent=${spec.parent.name} k8s_ns=shop k8s_pod_name=${pod})`,
    output_fields: {
      "container.id": "3f1c0e9a4b7d",
      "container.name": spec.container ?? "app",
      "evt.type": "execve",
      "k8s.ns.name": "shop",
      "k8s.pod.name": pod,
      "proc.cmdline": cmdline,
      "proc.exepath": spec.binary,
      "proc.name": name,
      "proc.pid": spec.pid,
      "proc.pname": spec.parent.name,
      "proc.ppid": spec.parent.pid,
      "user.name": "root",
      "user.uid": 0,
    },
    priority: "Notice",
    rule: spec.rule ?? "Process spawned in container",
    source: "syscall",
    tags: ["container", "process"],
    time,
  };
  return normalizedRuntime(JSON.stringify(alert), "falco");
}

function normalizedRuntime(line: string, source: "tetragon" | "falco"): RuntimeEvent {
  const result = normalizeLine(line, { source, cluster: "prod" });
  if (result.ok !== true) throw new Error(`test event did not normalize: ${JSON.stringify(result)}`);
  return RuntimeEventSchema.parse(result.events[0]);
}
