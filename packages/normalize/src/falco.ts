import { normalizeTime, reject, stableId, timeFromEpochNanos, type RuntimeEvent } from "@outlier/contracts";
import { compact, containerId, imageDigest, int, obj, preview, str, strings, type Obj } from "./fields.ts";
import { normalized, skipped, type NormalizeOptions, type NormalizeResult } from "./types.ts";
import { hostWorkload, inferWorkload } from "./workload.ts";

/**
 * Falco JSON alerts (file output, http_output / falcosidekick bodies), every layout
 * since 2017. `source: "internal"` messages (metrics snapshots) are skipped.
 *
 * An alert becomes `process_exec` when it is about a process being spawned: a syscall
 * alert with a process whose `evt.type` is execve/execveat, or whose rule name says
 * shell/spawn/launch/execute, or that is tagged `shell` (Falco's spawned_process
 * rules: "Terminal shell in container", "Launch Package Management Process…").
 * Every other alert, including k8s_audit ones, is a `rule_alert`.
 *
 * Falco knows no labels, so the workload comes from the pod name (or Host for
 * `container.id: host`).
 */
const EXEC_EVENT_TYPES = new Set(["execve", "execveat"]);
const SPAWN_RULE = /shell|spawn|launch|execut/i;

export function normalizeFalco(raw: Obj, opts: NormalizeOptions): NormalizeResult {
  const rule = str(raw["rule"]);
  if (!rule) return reject("missing_field", "rule is missing");
  const priority = str(raw["priority"]);
  if (!priority) return reject("missing_field", "priority is missing");
  const fields = obj(raw["output_fields"]) ?? {};
  const source = str(raw["source"]) ?? (Object.keys(fields).some((k) => k.startsWith("ka.")) ? "k8s_audit" : "syscall");
  if (source === "internal") return skipped("falco", "falco_internal", `Falco internal message: ${rule}`);
  const time = alertTime(raw["time"], fields["evt.time"]);
  if (!time) return reject("invalid_field", `no usable time: time=${preview(raw["time"])}, evt.time=${preview(fields["evt.time"])}`);

  const node = str(raw["hostname"]) ?? str(fields["evt.hostname"]) ?? opts.node;
  const output = str(raw["output"]);
  const tags = strings(raw["tags"]);
  const pod = podRef(fields, source);
  const process = source === "syscall" ? processInfo(fields) : undefined;
  const spawn = process !== undefined && (EXEC_EVENT_TYPES.has(str(fields["evt.type"]) ?? "") || SPAWN_RULE.test(rule) || tags.includes("shell"));
  const event: RuntimeEvent = compact({
    schema: "outlier.runtime.v1" as const,
    id: stableId("falco", node ?? "", rule, time, output ?? ""),
    source: "falco" as const,
    type: spawn ? ("process_exec" as const) : ("rule_alert" as const),
    sourceKind: rule,
    time,
    cluster: opts.cluster,
    node,
    pod,
    workload: pod ? inferWorkload(pod) : str(fields["container.id"]) === "host" ? hostWorkload(node) : undefined,
    process,
    rule: compact({ name: rule, priority, tags, output }),
    target: targetOf(str(fields["fd.name"])),
  });
  return normalized("falco", [event]);
}

/**
 * `time` (RFC 3339, exact), else `evt.time` (nanoseconds since the epoch: exact when
 * it arrives as a string, as normalizeLine parses big integers; a 19-digit count, as
 * anything shorter is not a nanosecond timestamp of this century), else the RFC 3339
 * prefix of a `time` with trailing garbage ("…046Z+2" in falcosidekick's test alert).
 */
function alertTime(time: unknown, evtTime: unknown): string | undefined {
  const given = typeof time === "string" ? time : "";
  const nanos = typeof evtTime === "string" ? evtTime : typeof evtTime === "number" && Number.isInteger(evtTime) ? BigInt(evtTime).toString() : "";
  return (
    normalizeTime(given) ??
    (nanos.length === 19 ? timeFromEpochNanos(nanos) : undefined) ??
    normalizeTime(/^\S+?(Z|[+-]\d{2}:\d{2})/i.exec(given)?.[0] ?? "")
  );
}

/** Syscall alerts name the pod in k8s.*; k8s_audit alerts about a pod name it in ka.target.*. */
function podRef(fields: Obj, source: string): RuntimeEvent["pod"] {
  const auditPod = source === "k8s_audit" && str(fields["ka.target.resource"]) === "pods";
  const namespace = str(fields["k8s.ns.name"]) ?? (auditPod ? str(fields["ka.target.namespace"]) : undefined);
  const name = str(fields["k8s.pod.name"]) ?? (auditPod ? str(fields["ka.target.name"]) : undefined);
  if (!namespace || !name) return undefined;
  const id = str(fields["container.id"]);
  const repository = str(fields["container.image.repository"]);
  const tag = str(fields["container.image.tag"]);
  const container = compact({
    name: str(fields["container.name"]),
    id: id === "host" ? undefined : containerId(id),
    image: repository && tag ? `${repository}:${tag}` : (repository ?? str(fields["container.image"])),
    imageDigest: imageDigest(str(fields["container.image.digest"])),
  });
  return compact({
    namespace,
    name,
    uid: str(fields["k8s.pod.uid"]),
    labels: {},
    container: Object.keys(container).length > 0 ? container : undefined,
  });
}

/** `proc.cmdline` is "<name> <args>"; the binary is the full path when Falco gives one. */
function processInfo(fields: Obj): RuntimeEvent["process"] {
  const cmdline = str(fields["proc.cmdline"])?.trim();
  const [command, ...rest] = cmdline ? cmdline.split(/\s+/) : [];
  const binary = str(fields["proc.exepath"]) ?? str(fields["proc.exe"]) ?? str(fields["proc.name"]) ?? command;
  if (!binary) return undefined;
  const parentBinary = str(fields["proc.pexepath"]) ?? str(fields["proc.pname"]);
  const tty = int(fields["proc.tty"]);
  return compact({
    binary,
    args: str(fields["proc.args"]) ?? (rest.join(" ") || undefined),
    pid: int(fields["proc.pid"]),
    uid: int(fields["user.uid"]),
    user: str(fields["user.name"]),
    cwd: str(fields["proc.cwd"]),
    tty: tty ? String(tty) : undefined,
    parent: parentBinary ? compact({ binary: parentBinary, pid: int(fields["proc.ppid"]) }) : undefined,
    ancestors: parentBinary ? [parentBinary] : [],
  });
}

/** `fd.name` is a path, or a connection `10.0.0.1:43812->10.96.0.1:443` (the remote end is the target). */
function targetOf(fdName: string | undefined): RuntimeEvent["target"] {
  if (!fdName) return undefined;
  const remote = /->(.+):(\d+)$/.exec(fdName);
  if (remote) return { address: remote[1], port: Number(remote[2]) };
  return fdName.startsWith("/") ? { path: fdName } : undefined;
}
