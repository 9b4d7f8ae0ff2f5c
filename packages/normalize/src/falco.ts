import { normalizeTime, reject, stableId, timeFromEpochNanos, type RuntimeEvent } from "@outlier/contracts";
import { compact, containerId, imageDigest, int, isObj, obj, preview, str, stringMap, strings, type Obj } from "./fields.ts";
import { normalized, skipped, type NormalizeOptions, type NormalizeResult } from "./types.ts";
import { hostWorkload, inferWorkload } from "./workload.ts";

/**
 * Falco JSON alerts (file output, http_output / falcosidekick bodies), every layout
 * since 2017. `source: "internal"` messages (metrics snapshots) are skipped.
 *
 * An alert becomes `process_exec` (it feeds the baselines, and is not passed through as
 * a finding) when it is about a process being spawned. Which rules those are is
 * `falcoExecRules` when given (exact rule names); otherwise a syscall alert with a process
 * whose `evt.type` is execve/execveat, or whose rule name says shell/spawn/launch/execute,
 * or that is tagged `shell` (Falco's spawned_process rules: "Terminal shell in container",
 * "Launch Package Management Process…"). Every other alert, including k8s_audit ones, is
 * a `rule_alert`.
 *
 * Pod labels come from whatever label fields the rule's output has (see falcoLabels); the
 * workload from them and the pod name (or Host for `container.id: host`).
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
  const spawn = process !== undefined && feedsExecs(rule, tags, fields, opts.falcoExecRules);
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

function feedsExecs(rule: string, tags: string[], fields: Obj, execRules: readonly string[] | undefined): boolean {
  if (execRules) return execRules.includes(rule);
  return EXEC_EVENT_TYPES.has(str(fields["evt.type"]) ?? "") || SPAWN_RULE.test(rule) || tags.includes("shell");
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
  const namespace = known(fields["k8s.ns.name"]) ?? known(fields["k8smeta.ns.name"]) ?? (auditPod ? str(fields["ka.target.namespace"]) : undefined);
  const name = known(fields["k8s.pod.name"]) ?? known(fields["k8smeta.pod.name"]) ?? (auditPod ? str(fields["ka.target.name"]) : undefined);
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
    labels: falcoLabels(fields),
    container: Object.keys(container).length > 0 ? container : undefined,
  });
}

/** Falco prints `<NA>` for a field it could not resolve. */
function known(v: unknown): string | undefined {
  const s = str(v);
  return s === "<NA>" ? undefined : s;
}

const LABEL_LISTS = ["k8smeta.pod.labels", "k8s.pod.labels"];
/**
 * Kubernetes label syntax: `[prefix/]name`, a value of at most 63 name characters. What
 * does not fit is not a real label (and `<NA>`, `__proto__` never fit): dropped, so that
 * routing and messages never see made-up text.
 */
const LABEL_NAME = "[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";
const LABEL_KEY = new RegExp(`^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?${LABEL_NAME}$`);
const LABEL_VALUE = new RegExp(`^(?:${LABEL_NAME})?$`);
/** `k8s.pod.label.app`, `k8s.pod.label[app]`, `k8smeta.pod.label[app]`: one label each. */
const SINGLE_LABEL = /^k8s(?:meta)?\.pod\.label(?:\.(.+)|\[(.+)\])$/;

/**
 * Pod labels from the output fields, in every form Falco writes them: `k8s.pod.labels`
 * (libsinsp: `app:web, team:payments`, a key alone when its value is empty),
 * `k8smeta.pod.labels` (a list: `(app:web,team:payments)`), either as a JSON map or a JSON
 * list of `key:value` strings, and single-label fields, which fill what the lists lack.
 * A label key has no `:` and a value no `,` or `:`, so the splits are exact.
 * __proto__ is never a valid key, so assigning labels[key] cannot replace the prototype.
 */
function falcoLabels(fields: Obj): Record<string, string> {
  const labels: Record<string, string> = {};
  const put = (key: string, value: string) => {
    if (LABEL_KEY.test(key) && LABEL_VALUE.test(value) && !Object.hasOwn(labels, key)) labels[key] = value;
  };
  for (const name of LABEL_LISTS) for (const [key, value] of labelPairs(fields[name])) put(key, value);
  for (const name of Object.keys(fields)) {
    const match = SINGLE_LABEL.exec(name);
    const value = known(fields[name]);
    if (match && value !== undefined) put(match[1] ?? match[2] ?? "", value);
  }
  return labels;
}

function labelPairs(v: unknown): [string, string][] {
  if (isObj(v)) return Object.entries(stringMap(v));
  if (Array.isArray(v)) return strings(v).map(splitLabel);
  const text = known(v)?.trim();
  if (!text) return [];
  if (text.startsWith("{")) return labelPairs(parseMap(text));
  return text.replace(/^\((.*)\)$/, "$1").split(",").map((pair) => splitLabel(pair.trim())).filter(([key]) => key !== "");
}

function splitLabel(pair: string): [string, string] {
  const at = pair.indexOf(":");
  return at < 0 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
}

function parseMap(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
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
    maybeExecProbe: execProbe(fields),
    parent: parentBinary ? compact({ binary: parentBinary, pid: int(fields["proc.ppid"]) }) : undefined,
    ancestors: parentBinary ? [parentBinary] : [],
  });
}

const PROBE_FIELDS = ["proc.is_container_liveness_probe", "proc.is_container_readiness_probe", "proc.is_container_healthcheck"];

/**
 * Falco's own probe flags, when the rule's output has them: a Kubernetes liveness or
 * readiness probe, or the image's HEALTHCHECK (noise of the same kind). JSON booleans, or
 * "true"/"false" text from older Falco. Undefined when the output has none of them.
 */
function execProbe(fields: Obj): boolean | undefined {
  const flags = PROBE_FIELDS.map((name) => fields[name]).filter((v) => v !== undefined && v !== null && v !== "<NA>");
  return flags.length === 0 ? undefined : flags.some((v) => v === true || v === "true");
}

/** `fd.name` is a path, or a connection `10.0.0.1:43812->10.96.0.1:443` (the remote end is the target). */
function targetOf(fdName: string | undefined): RuntimeEvent["target"] {
  if (!fdName) return undefined;
  const remote = /->(.+):(\d+)$/.exec(fdName);
  if (remote) return { address: remote[1], port: Number(remote[2]) };
  return fdName.startsWith("/") ? { path: fdName } : undefined;
}
