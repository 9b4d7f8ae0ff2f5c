import { normalizeTime, reject, stableId, type Rejection, type RuntimeEvent, type RuntimeEventType } from "@outlier/contracts";
import { bool, compact, containerId, imageDigest, int, isObj, obj, preview, str, stringMap, type Obj } from "./fields.ts";
import { normalized, type NormalizeOptions, type NormalizeResult } from "./types.ts";
import { hostWorkload, inferWorkload } from "./workload.ts";

/**
 * Tetragon JSON export (one event per line): `{"<kind>": {...}, "node_name", "time"}`.
 * Tetragon omits zero values, writes 64-bit numbers as strings and adds fields across
 * versions; unknown keys are ignored, unknown kinds rejected as `unknown_event_kind`.
 * A process without `pod` is a host process: workload kind "Host" named after the node.
 */
const ENVELOPE_KEYS = new Set(["node_name", "time", "cluster_name", "node_labels", "aggregation_info"]);
const PROBE_KINDS = new Set(["process_kprobe", "process_tracepoint", "process_uprobe", "process_lsm"]);
const NETWORK_KINDS = new Set(["process_connect", "process_close", "process_listen", "process_accept", "process_sendmsg"]);
const HANDLED_KINDS = new Set(["process_exec", "process_exit", "process_throttle", ...PROBE_KINDS, ...NETWORK_KINDS]);

export function normalizeTetragon(raw: Obj, opts: NormalizeOptions): NormalizeResult {
  const keys = Object.keys(raw);
  const kind = keys.find((k) => HANDLED_KINDS.has(k)) ?? keys.find((k) => !ENVELOPE_KEYS.has(k) && k !== "__proto__" && isObj(raw[k]));
  if (!kind) return reject("unknown_format", "no Tetragon event kind (an object key such as process_exec)");
  if (!HANDLED_KINDS.has(kind)) return reject("unknown_event_kind", `Tetragon event kind ${kind} is not handled`);
  const body = obj(raw[kind]);
  if (!body) return reject("invalid_field", `${kind} is not an object`);
  const proc = obj(body["process"]);
  const time = eventTime(raw, proc);
  if (!time.ok) return time;
  const binary = str(proc?.["binary"]);
  if (kind !== "process_throttle" && !binary) return reject("missing_field", `${kind}.process.binary is missing`);
  const pod = obj(proc?.["pod"]);
  if (pod && (!str(pod["namespace"]) || !str(pod["name"]))) return reject("invalid_field", `${kind}.process.pod has no namespace or name`);

  const node = str(raw["node_name"]) ?? opts.node;
  const podInfo = pod && podRef(pod);
  const target = targetOf(kind, body);
  const event: RuntimeEvent = compact({
    schema: "outlier.runtime.v1" as const,
    id: stableId("tetragon", kind, node ?? "", time.value, str(proc?.["exec_id"]) ?? "", JSON.stringify(target ?? {})),
    source: "tetragon" as const,
    type: typeOf(kind, str(body["function_name"]) ?? str(body["event"])),
    sourceKind: kind,
    time: time.value,
    cluster: str(raw["cluster_name"]) ?? opts.cluster,
    node,
    pod: podInfo,
    workload: podInfo ? inferWorkload(podInfo, { workload: str(pod?.["workload"]), workloadKind: str(pod?.["workload_kind"]) }) : binary ? hostWorkload(node) : undefined,
    process: proc && binary ? processInfo(proc, binary, obj(body["parent"]), body["ancestors"]) : undefined,
    target,
  });
  return normalized("tetragon", [event]);
}

/** `time`, else (testdata has events without it) the process start time. */
function eventTime(raw: Obj, proc: Obj | undefined): { ok: true; value: string } | Rejection {
  const given = raw["time"];
  if (given !== undefined) {
    const time = typeof given === "string" ? normalizeTime(given) : undefined;
    return time ? { ok: true, value: time } : reject("invalid_field", `time is not RFC 3339: ${preview(given)}`);
  }
  const start = str(proc?.["start_time"]);
  const time = start && normalizeTime(start);
  return time ? { ok: true, value: time } : reject("missing_field", "no time and no process.start_time");
}

function podRef(pod: Obj): NonNullable<RuntimeEvent["pod"]> {
  const container = obj(pod["container"]);
  const image = obj(container?.["image"]);
  return compact({
    namespace: str(pod["namespace"]) ?? "",
    name: str(pod["name"]) ?? "",
    uid: str(pod["uid"]),
    labels: stringMap(pod["pod_labels"]),
    container: container
      ? compact({
          name: str(container["name"]),
          id: containerId(str(container["id"])),
          image: str(image?.["name"]),
          imageDigest: imageDigest(str(image?.["id"])),
        })
      : undefined,
  });
}

function processInfo(proc: Obj, binary: string, parent: Obj | undefined, ancestors: unknown): NonNullable<RuntimeEvent["process"]> {
  const parentBinary = str(parent?.["binary"]);
  return compact({
    binary,
    args: str(proc["arguments"]),
    pid: int(proc["pid"]),
    uid: int(proc["uid"]),
    user: str(obj(proc["user"])?.["name"]),
    cwd: str(proc["cwd"]),
    tty: str(proc["tty"]),
    inInitTree: bool(proc["in_init_tree"]),
    // Tetragon sets it on the pod's container (API message Container); no version put it on the process.
    maybeExecProbe: bool(obj(obj(proc["pod"])?.["container"])?.["maybe_exec_probe"]),
    parent: parent && parentBinary ? compact({ binary: parentBinary, args: str(parent["arguments"]), pid: int(parent["pid"]) }) : undefined,
    ancestors: ancestorBinaries(ancestors) ?? (parentBinary ? [parentBinary] : []),
  });
}

/** Tetragon's `ancestors` (with --enable-ancestors): nearest first, like the `parent` chain. */
function ancestorBinaries(ancestors: unknown): string[] | undefined {
  if (!Array.isArray(ancestors) || ancestors.length === 0) return undefined;
  return ancestors.map((a) => str(obj(a)?.["binary"])).filter((b): b is string => b !== undefined);
}

function typeOf(kind: string, fn: string | undefined): RuntimeEventType {
  if (kind === "process_exec" || kind === "process_exit") return kind;
  if (kind === "process_throttle") return "throttle";
  if (NETWORK_KINDS.has(kind)) return "network";
  return fn ? classifyFunction(fn) : "kprobe";
}

/** Syscall entry points: `__x64_sys_setuid`, `__arm64_sys_setuid`, `__se_sys_…`, `ksys_…` → `setuid`. */
function syscallName(fn: string): string {
  return fn.replace(/^(__(x64|ia32|arm64|se|do)_)?(sys|ksys|compat_sys)_/, "");
}

const FILE_SYSCALLS = new Set(
  "read write pread64 pwrite64 readv writev preadv pwritev open openat openat2 creat close truncate ftruncate unlink unlinkat rename renameat renameat2 mkdir mkdirat rmdir link linkat symlink symlinkat chmod fchmod fchmodat chown fchown fchownat lchown sendfile sendfile64 splice mount umount umount2".split(" "),
);
const NETWORK_SYSCALLS = new Set("socket connect accept accept4 bind listen sendto sendmsg sendmmsg recvfrom recvmsg recvmmsg shutdown".split(" "));
const PRIVILEGE_SYSCALLS = new Set("setuid setgid setreuid setregid setresuid setresgid setfsuid setfsgid setgroups capset setns unshare ptrace".split(" "));
const MODULE_SYSCALLS = new Set(["init_module", "finit_module", "delete_module"]);

const FILE_FUNCTIONS = /^(security_(file|path|inode|mmap_file|sb_mount)|vfs_|fd_install|filp_close|do_sys_open|do_truncate)/;
const NETWORK_FUNCTIONS = /^(tcp_|udp_|inet_|inet6_|ip_|ip6_|sk_|sock_|security_socket_|__sys_(connect|bind|listen|accept))/;
const PRIVILEGE_FUNCTIONS = /^(commit_creds|override_creds|prepare_kernel_cred|cap_|security_capable|security_task_fix_set|security_bprm_creds|__sys_set|__sys_unshare|create_new_namespaces|switch_task_namespaces)/;
const MODULE_FUNCTIONS = /^(do_init_module|load_module|free_module|delete_module|find_module_sections|security_kernel_(module_request|read_file|load_data|post_read_file))/;

function classifyFunction(fn: string): RuntimeEventType {
  const sys = syscallName(fn);
  if (MODULE_SYSCALLS.has(sys) || MODULE_FUNCTIONS.test(fn)) return "kernel_module";
  if (PRIVILEGE_SYSCALLS.has(sys) || PRIVILEGE_FUNCTIONS.test(fn)) return "privilege";
  if (NETWORK_SYSCALLS.has(sys) || NETWORK_FUNCTIONS.test(fn)) return "network";
  if (FILE_SYSCALLS.has(sys) || FILE_FUNCTIONS.test(fn)) return "file";
  return "kprobe";
}

/** What the event touched: the hooked function and policy, the first path, socket, module or capability in its args. */
function targetOf(kind: string, body: Obj): RuntimeEvent["target"] {
  if (kind === "process_throttle") return compact({ action: str(body["type"]), cgroup: str(body["cgroup"]) });
  if (NETWORK_KINDS.has(kind)) {
    return compact({
      address: str(body["destination_ip"]) ?? str(body["ip"]),
      port: int(body["destination_port"]) ?? int(body["port"]),
      protocol: str(body["protocol"]),
    });
  }
  if (!PROBE_KINDS.has(kind)) return undefined;
  const fn = str(body["function_name"]) ?? [str(body["subsys"]), str(body["event"])].filter(Boolean).join("/");
  return compact({ function: fn || undefined, policy: str(body["policy_name"]), action: str(body["action"]), ...argTargets(body["args"]) });
}

function argTargets(args: unknown): NonNullable<RuntimeEvent["target"]> {
  const found: NonNullable<RuntimeEvent["target"]> = {};
  if (!Array.isArray(args)) return found;
  for (const arg of args) {
    const a = obj(arg);
    if (!a) continue;
    const path = str(obj(a["file_arg"])?.["path"]) ?? str(obj(a["path_arg"])?.["path"]) ?? str(obj(a["linux_binprm_arg"])?.["path"]);
    const sock = obj(a["sock_arg"]) ?? obj(a["sockaddr_arg"]);
    found.path ??= path;
    found.address ??= str(sock?.["daddr"]) ?? str(sock?.["addr"]);
    found.port ??= int(sock?.["dport"]) ?? int(sock?.["port"]);
    found.protocol ??= str(sock?.["protocol"]);
    found.module ??= str(obj(a["module_arg"])?.["name"]);
    found.capability ??= str(obj(a["capability_arg"])?.["name"]);
  }
  return compact(found);
}
