import type { AuditRecord, Cluster, ExecRecord, FalcoRecord, Proc } from "./cluster.ts";

/**
 * The recorded activity written as the sensors write it: Tetragon's JSON export (one
 * file per node), Falco's JSON output (the exec feed rule for every exec, plus the
 * detections), the API server's audit log (audit.k8s.io/v1 Event lines).
 */

export interface ScenarioFile {
  name: string;
  lines: string[];
}

/**
 * The Falco rule that feeds process execs: a local rule on Falco's `spawned_process`
 * macro, one alert per exec in a container. Its name says "spawn" and its `evt.type` is
 * execve, which is how the normalizer tells a process_exec alert (packages/normalize/src/falco.ts).
 *
 *   - rule: Process spawned in container
 *     condition: spawned_process and container
 *     priority: INFORMATIONAL
 */
export const FALCO_EXEC_RULE = "Process spawned in container";

/** RFC 3339 UTC with 6 or 9 fractional digits. */
export function rfc3339(startMs: number, us: number, fractionDigits: 6 | 9, nanos = 0): string {
  const wholeMs = startMs + Math.floor(us / 1e6) * 1000;
  const whole = wholeSecond(wholeMs);
  const micros = String(((us % 1e6) + 1e6) % 1e6).padStart(6, "0");
  return `${whole}.${micros}${fractionDigits === 9 ? String(nanos).padStart(3, "0") : ""}Z`;
}

/** Lines in the order of the times they print (`ns`: nanoseconds since the start, or µs × 1000). */
// Formatting a Date is most of the rendering time; a scenario has a few thousand distinct seconds.
const seconds = new Map<number, string>();
function wholeSecond(ms: number): string {
  let text = seconds.get(ms);
  if (text === undefined) {
    if (seconds.size > 100_000) seconds.clear();
    text = new Date(ms).toISOString().slice(0, 19);
    seconds.set(ms, text);
  }
  return text;
}

function sortedLines(records: { ns: number; line: string }[]): string[] {
  return records
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => a.ns - b.ns || a.i - b.i)
    .map((r) => r.line);
}

// ---------------------------------------------------------------------------------
// Tetragon

export function renderTetragon(cluster: Cluster): ScenarioFile[] {
  const byNode = new Map<string, { ns: number; line: string }[]>();
  for (const name of cluster.nodeNames) byNode.set(name, []);
  for (const exec of cluster.execs) byNode.get(exec.proc.node)!.push(tetragonLine(cluster, exec));
  return [...byNode.entries()].map(([node, records]) => ({ name: `tetragon-${node}.jsonl`, lines: sortedLines(records) }));
}

function tetragonLine(cluster: Cluster, exec: ExecRecord): { ns: number; line: string } {
  const { proc } = exec;
  // The export's `time` is when the event left the ring buffer: a little after the exec.
  const timeUs = exec.us + 20 + (proc.nanos % 380);
  const nanos = (proc.nanos * 7) % 1000;
  const event = {
    process_exec: { process: processJson(cluster, proc), parent: proc.parent ? processJson(cluster, proc.parent) : undefined },
    node_name: proc.node,
    time: rfc3339(cluster.startMs, timeUs, 9, nanos),
  };
  return { ns: timeUs * 1000 + nanos, line: JSON.stringify(event) };
}

/** Tetragon's JSON for a process: zero values and absent fields are left out, as Tetragon does. */
function processJson(cluster: Cluster, p: Proc): Record<string, unknown> {
  return {
    exec_id: p.execId,
    pid: p.pid,
    uid: p.uid,
    cwd: p.cwd,
    binary: p.binary,
    arguments: p.args || undefined,
    flags: p.flags,
    start_time: rfc3339(cluster.startMs, p.startUs, 9, p.nanos),
    auid: p.auid,
    pod: p.pod ? podJson(cluster, p) : undefined,
    docker: p.container ? p.container.id.slice(0, 31) : undefined,
    parent_exec_id: p.parent?.execId,
    tid: p.pid,
    // `in_init_tree` is a bool: protobuf JSON leaves false out.
    in_init_tree: p.pod && p.inInitTree ? true : undefined,
  };
}

function podJson(cluster: Cluster, p: Proc): Record<string, unknown> {
  const pod = p.pod!;
  const c = p.container!;
  return {
    namespace: pod.namespace,
    name: pod.name,
    container: {
      id: `containerd://${c.id}`,
      name: c.name,
      image: { id: `${c.image.repository}@${c.image.digest}`, name: `${c.image.repository}:${c.image.tag}` },
      start_time: rfc3339(cluster.startMs, c.startUs - (((c.startUs % 1e6) + 1e6) % 1e6), 6).replace(/\.\d+Z$/, "Z"),
      pid: p.vpid,
      // Tetragon's Container message, not Process: the kubelet's exec probes.
      maybe_exec_probe: p.probe || undefined,
    },
    pod_labels: pod.labels,
    workload: pod.workload,
    workload_kind: pod.workloadKind,
  };
}

// ---------------------------------------------------------------------------------
// Falco

export function renderFalco(cluster: Cluster): ScenarioFile {
  const records: { ns: number; line: string }[] = [];
  for (const exec of cluster.execs) records.push(falcoExecLine(cluster, exec));
  for (const alert of cluster.falco) records.push(falcoJson(cluster, alert));
  return { name: "falco.jsonl", lines: sortedLines(records) };
}

const EVT_TIME = "__EVT_TIME__";

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** `(app:web,team:payments)`: how Falco prints a pod's labels. */
export function falcoLabels(labels: Record<string, string>): string {
  return `(${Object.entries(labels)
    .map(([k, v]) => `${k}:${v}`)
    .join(",")})`;
}

function falcoExecLine(cluster: Cluster, exec: ExecRecord): { ns: number; line: string } {
  const p = exec.proc;
  const text = `Process spawned in container (user=${userName(p.uid)} user_uid=${p.uid} process=${basename(p.binary).slice(0, 15)} proc_exepath=${p.binary} parent=${p.parent ? basename(p.parent.binary).slice(0, 15) : "<NA>"} command=${cmdline(p)} terminal=${p.tty ?? 0} exe_flags=EXE_WRITABLE)`;
  return falcoJson(cluster, { us: exec.us, rule: FALCO_EXEC_RULE, priority: "Informational", tags: ["container", "process", "outlier_exec_feed"], text, proc: p, evtType: "execve" });
}

function userName(uid: number): string {
  return uid === 0 ? "root" : "<NA>";
}

function cmdline(p: Proc): string {
  return `${basename(p.binary)}${p.args ? ` ${p.args}` : ""}`;
}

function falcoJson(cluster: Cluster, alert: FalcoRecord): { ns: number; line: string } {
  const p = alert.proc;
  const pod = p.pod!;
  const c = p.container!;
  // Falco stamps the syscall's exit: a few microseconds after the exec was recorded.
  const us = alert.us + 3 + (p.nanos % 40);
  const nanos = (p.nanos * 13) % 1000;
  const time = rfc3339(cluster.startMs, us, 9, nanos);
  const suffix = `container_id=${c.id.slice(0, 12)} container_name=${c.name} container_image_repository=${c.image.repository} container_image_tag=${c.image.tag} k8s_pod_name=${pod.name} k8s_ns_name=${pod.namespace}`;
  const text = alert.text.endsWith(")") ? `${alert.text.slice(0, -1)} ${suffix})` : `${alert.text} ${suffix}`;
  const fields: Record<string, unknown> = {
    "container.id": c.id.slice(0, 12),
    "container.image.digest": c.image.digest,
    "container.image.repository": c.image.repository,
    "container.image.tag": c.image.tag,
    "container.name": c.name,
    "evt.time": EVT_TIME,
    "evt.type": alert.evtType,
    "fd.name": alert.fdName,
    "k8s.ns.name": pod.namespace,
    [cluster.falcoLabelField]: falcoLabels(pod.labels),
    "k8s.pod.name": pod.name,
    "proc.cmdline": cmdline(p),
    "proc.cwd": p.cwd.endsWith("/") ? p.cwd : `${p.cwd}/`,
    "proc.exepath": p.binary,
    "proc.name": basename(p.binary).slice(0, 15),
    "proc.pexepath": p.parent?.binary,
    "proc.pid": p.pid,
    "proc.pname": p.parent ? basename(p.parent.binary).slice(0, 15) : undefined,
    "proc.ppid": p.parent?.pid,
    "proc.tty": p.tty ?? 0,
    "proc.vpid": p.vpid,
    "user.loginuid": -1,
    "user.name": userName(p.uid),
    "user.uid": p.uid,
  };
  const alertJson = {
    hostname: p.node,
    output: `${time.slice(11, 29)}: ${alert.priority} ${text}`,
    output_fields: fields,
    priority: alert.priority,
    rule: alert.rule,
    source: "syscall",
    tags: alert.tags,
    time,
  };
  // evt.time is a nanosecond count beyond 2^53: written as the exact integer Falco writes.
  const evtTime = `${BigInt(cluster.startMs) * 1_000_000n + BigInt(us) * 1000n + BigInt(nanos)}`;
  return { ns: us * 1000 + nanos, line: JSON.stringify(alertJson).replace(`"${EVT_TIME}"`, evtTime) };
}

// ---------------------------------------------------------------------------------
// Kubernetes audit log

export function renderAudit(cluster: Cluster): ScenarioFile {
  const records = cluster.audit.map((r) => ({ ns: (r.us + r.latencyUs) * 1000, line: auditLine(cluster, r) }));
  return { name: "k8s-audit.jsonl", lines: sortedLines(records) };
}

function auditLine(cluster: Cluster, r: AuditRecord): string {
  const complete = r.stage !== "RequestReceived";
  const decision = r.code !== undefined && r.code >= 400 ? "forbid" : "allow";
  const line = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: r.level,
    auditID: r.auditID,
    stage: r.stage,
    requestURI: r.requestURI,
    verb: r.verb,
    user: r.user,
    sourceIPs: [r.sourceIP],
    userAgent: r.userAgent,
    objectRef: r.objectRef,
    responseStatus: complete && r.code !== undefined ? { metadata: {}, ...(r.code >= 400 ? { status: "Failure", reason: "Forbidden" } : {}), code: r.code } : undefined,
    requestObject: r.level !== "Metadata" ? r.requestObject : undefined,
    requestReceivedTimestamp: rfc3339(cluster.startMs, r.us, 6),
    stageTimestamp: rfc3339(cluster.startMs, r.us + r.latencyUs, 6),
    annotations: complete ? { "authorization.k8s.io/decision": decision, "authorization.k8s.io/reason": r.reason ?? "" } : undefined,
  };
  return JSON.stringify(line);
}
