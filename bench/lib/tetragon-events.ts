import { createRandom, type Random } from "./random.ts";

/**
 * Realistic Tetragon JSON-export lines for benchmarks and load tests, shaped like the
 * real samples in ../shared/fixtures/tetragon (same keys, 64-bit numbers as strings
 * where Tetragon writes them, nanosecond times, base64 exec ids), over many pods of
 * many workloads. Deterministic for a seed; every line is a distinct event.
 */

export type TetragonKind = "process_exec" | "process_exit" | "process_kprobe";

/** A pod the generator writes events for, with the workload a correct collector must infer for it. */
export interface GeneratedPod {
  namespace: string;
  name: string;
  uid: string;
  workload: { kind: "Deployment" | "StatefulSet" | "DaemonSet" | "CronJob"; name: string };
  labels: Record<string, string>;
  container: { id: string; name: string; image: string; imageId: string; pid: number };
  /** Tetragon 2024+ writes pod.workload and pod.workload_kind; older versions do not. */
  tetragonWorkloadFields: boolean;
}

export interface GeneratedEvent {
  line: string;
  kind: TetragonKind;
  pod: GeneratedPod;
}

export interface TetragonEventsOptions {
  seed?: number;
  /** At least this many pods (whole workloads are added until it is reached). */
  pods?: number;
  node?: string;
  /** Time of the first event, ms since the epoch. */
  startMs?: number;
}

/** The share of each kind when next() is not told one: what a busy node with a file-access policy writes. */
const MIX: readonly [TetragonKind, number][] = [
  ["process_exec", 0.7],
  ["process_exit", 0.2],
  ["process_kprobe", 0.1],
];

/** k8s.io/apimachinery's rand.SafeEncodeString alphabet, used in pod-template-hash and pod name suffixes. */
const SAFE = "bcdfghjklmnpqrstvwxz2456789";
const HEX = "0123456789abcdef";

const NAMESPACES = ["shop", "payments", "platform", "search", "data", "monitoring", "ingress-nginx", "identity"];
const APPS = [
  "frontend", "checkout", "cart", "catalog", "recommendation", "ledger", "auth", "inventory",
  "shipping", "email", "ads", "quote", "currency", "search-api", "indexer", "gateway", "session",
  "billing", "notifier", "reporting",
];
const IMAGES = ["node:22-alpine", "python:3.12-slim", "eclipse-temurin:21-jre", "golang:1.23", "nginx:1.27", "redis:7.4", "busybox:1.36"];

/** Commands a container really runs: app processes, shells from scripts and probes, and the odd tool. */
const COMMANDS: readonly [binary: string, args: string][] = [
  ["/usr/local/bin/node", "--enable-source-maps --max-old-space-size=512 /app/dist/server.js"],
  ["/usr/local/bin/python3", "-m gunicorn app.wsgi:application --bind 0.0.0.0:8000 --workers 4 --timeout 30"],
  ["/opt/java/openjdk/bin/java", "-XX:MaxRAMPercentage=75.0 -Dspring.profiles.active=prod -jar /app/service.jar"],
  ["/bin/sh", "-c /usr/local/bin/healthcheck --url http://127.0.0.1:8080/healthz --timeout 2s"],
  ["/bin/sh", "-c exec /docker-entrypoint.sh nginx -g 'daemon off;'"],
  ["/usr/bin/curl", "-sS -o /dev/null -w %{http_code} http://127.0.0.1:8080/readyz"],
  ["/bin/cat", "/proc/self/cgroup"],
  ["/bin/ls", "-la /var/run/secrets/kubernetes.io/serviceaccount"],
  ["/usr/bin/wget", "-q -O- http://metadata.internal/computeMetadata/v1/instance/id"],
  ["/bin/bash", ""],
  ["/usr/sbin/nginx", "-g daemon off;"],
  ["/usr/local/bin/redis-cli", "-h 127.0.0.1 -p 6379 ping"],
];
const PARENTS: readonly [binary: string, args: string][] = [
  ["/bin/sh", "-c /entrypoint.sh"],
  ["/usr/bin/containerd-shim-runc-v2", "-namespace k8s.io -id 5c0f2d9e4b7a -address /run/containerd/containerd.sock"],
  ["/bin/bash", "/usr/local/bin/start.sh"],
  ["/usr/bin/tini", "-- /docker-entrypoint.sh"],
];
const PROBES: readonly { function_name: string; policy: string; args: (r: Random) => object[] }[] = [
  { function_name: "security_file_permission", policy: "file-monitoring", args: (r) => [{ file_arg: { path: r.pick(["/etc/passwd", "/etc/shadow", "/app/config.yaml", "/var/run/secrets/kubernetes.io/serviceaccount/token"]), permission: "-rw-r--r--" } }, { int_arg: r.pick([2, 4]) }] },
  { function_name: "__x64_sys_write", policy: "sys-write", args: (r) => [{ int_arg: r.int(3, 40) }, { bytes_arg: "" }, { size_arg: String(r.int(1, 4096)) }] },
  { function_name: "tcp_connect", policy: "network-egress", args: (r) => [{ sock_arg: { family: "AF_INET", type: "SOCK_STREAM", protocol: "IPPROTO_TCP", saddr: `10.244.${r.int(0, 3)}.${r.int(2, 250)}`, daddr: `10.96.${r.int(0, 255)}.${r.int(1, 254)}`, sport: r.int(32768, 60999), dport: r.pick([443, 5432, 6379, 9092]), cookie: String(r.int(1e9, 9e9)), state: "TCP_SYN_SENT" } }] },
  { function_name: "__x64_sys_setuid", policy: "privileges", args: (r) => [{ int_arg: r.pick([0, 1000, 65534]) }] },
];

/** A seeded stream of Tetragon events from one node. */
export class TetragonEvents {
  readonly pods: readonly GeneratedPod[];
  readonly node: string;
  readonly #random: Random;
  readonly #startNs: bigint;
  #seq = 0;

  constructor(options: TetragonEventsOptions = {}) {
    this.#random = createRandom(options.seed ?? 1);
    this.node = options.node ?? "ip-10-0-12-34.eu-west-1.compute.internal";
    this.pods = createPods(options.pods ?? 120, this.#random);
    this.#startNs = BigInt(options.startMs ?? Date.UTC(2025, 5, 2, 8, 0, 0)) * 1_000_000n;
  }

  /** The next event: of `kind`, or drawn from the 70/20/10 exec/exit/kprobe mix; on `pod`, or a random one. */
  next(kind: TetragonKind = this.#drawKind(), pod: GeneratedPod = this.#random.pick(this.pods)): GeneratedEvent {
    const r = this.#random;
    this.#seq += 1;
    // About 2,000 events a second: times advance ~0.5 ms with nanosecond jitter.
    const ktimeNs = this.#startNs + BigInt(this.#seq) * 487_000n + BigInt(r.int(0, 99_999));
    const [binary, args] = r.pick(COMMANDS);
    const [parentBinary, parentArgs] = r.pick(PARENTS);
    const pid = 10_000 + ((this.#seq * 7) % 4_000_000);
    const parentPid = pid - r.int(1, 500);
    const parentStartNs = ktimeNs - BigInt(r.int(1, 3_600)) * 1_000_000_000n;
    const process = {
      ...processFields(this.node, ktimeNs, pid, binary, args, pod, r),
      parent_exec_id: execId(this.node, parentStartNs, parentPid),
      ...(kind === "process_exit" ? {} : { refcnt: 1 }),
      tid: pid,
    };
    const parent = { ...processFields(this.node, parentStartNs, parentPid, parentBinary, parentArgs, pod, r), parent_exec_id: execId(this.node, parentStartNs - 1_000_000n, 1), tid: parentPid };
    const body: Record<string, unknown> = { process, parent };
    if (kind === "process_exit") Object.assign(body, r.next() < 0.8 ? { status: r.pick([0, 0, 0, 1, 2, 137]) } : { signal: "SIGKILL" });
    if (kind === "process_kprobe") {
      const probe = r.pick(PROBES);
      Object.assign(body, { function_name: probe.function_name, args: probe.args(r), return: { int_arg: 0 }, action: "KPROBE_ACTION_POST", policy_name: probe.policy, return_action: "KPROBE_ACTION_POST" });
    }
    const line = JSON.stringify({ [kind]: body, node_name: this.node, time: rfc3339Nanos(ktimeNs) });
    return { line, kind, pod };
  }

  #drawKind(): TetragonKind {
    let x = this.#random.next();
    for (const [kind, share] of MIX) {
      if (x < share) return kind;
      x -= share;
    }
    return "process_exec";
  }
}

function processFields(node: string, startNs: bigint, pid: number, binary: string, args: string, pod: GeneratedPod, r: Random): Record<string, unknown> {
  return {
    exec_id: execId(node, startNs, pid),
    pid,
    uid: pod.workload.kind === "DaemonSet" ? 0 : r.pick([0, 1000, 65532]),
    cwd: r.pick(["/", "/app/", "/usr/share/nginx/html/", "/home/app/"]),
    binary,
    ...(args ? { arguments: args } : {}),
    flags: r.pick(["execve clone", "execve rootcwd clone", "execve rootcwd"]),
    start_time: rfc3339Nanos(startNs),
    auid: 4294967295,
    pod: podFields(pod),
    docker: pod.container.id.slice(0, 31),
  };
}

function podFields(pod: GeneratedPod): Record<string, unknown> {
  const { container } = pod;
  return {
    namespace: pod.namespace,
    name: pod.name,
    container: {
      id: `containerd://${container.id}`,
      name: container.name,
      image: { id: container.imageId, name: container.image },
      start_time: "2025-06-01T23:14:05Z",
      pid: container.pid,
    },
    pod_labels: pod.labels,
    ...(pod.tetragonWorkloadFields ? { workload: pod.workload.name, workload_kind: pod.workload.kind } : {}),
  };
}

/** Tetragon's exec_id: base64 of "node:ktime:pid". */
function execId(node: string, ktimeNs: bigint, pid: number): string {
  return Buffer.from(`${node}:${ktimeNs}:${pid}`).toString("base64");
}

function rfc3339Nanos(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, "0");
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`;
}

/** Whole workloads (1–5 replicas, the four controller kinds with their real labels) until `count` pods exist. */
function createPods(count: number, r: Random): GeneratedPod[] {
  const pods: GeneratedPod[] = [];
  for (let w = 0; pods.length < count; w++) {
    const namespace = NAMESPACES[w % NAMESPACES.length]!;
    const app = `${APPS[w % APPS.length]!}${w >= APPS.length ? `-${Math.floor(w / APPS.length) + 1}` : ""}`;
    const kind = r.pick(["Deployment", "Deployment", "Deployment", "StatefulSet", "DaemonSet", "CronJob"] as const);
    const image = r.pick(IMAGES);
    const imageId = `docker.io/library/${image.split(":")[0]!}@sha256:${r.chars(HEX, 64)}`;
    const replicas = kind === "CronJob" ? 1 : r.int(1, 5);
    const hash = r.chars(SAFE, 10);
    const tetragonWorkloadFields = r.next() < 0.5;
    for (let i = 0; i < replicas; i++) {
      const { name, labels } = podIdentity(kind, app, hash, i, r);
      pods.push({
        namespace,
        name,
        uid: uuid(r),
        workload: { kind, name: app },
        labels: { app, "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": namespace, ...labels },
        container: { id: r.chars(HEX, 64), name: app, image: `docker.io/library/${image}`, imageId, pid: r.int(1, 40) },
        tetragonWorkloadFields,
      });
    }
  }
  return pods;
}

/** The pod name and controller labels Kubernetes gives a replica of each kind. */
function podIdentity(kind: GeneratedPod["workload"]["kind"], app: string, hash: string, replica: number, r: Random): { name: string; labels: Record<string, string> } {
  switch (kind) {
    case "Deployment":
      return { name: `${app}-${hash}-${r.chars(SAFE, 5)}`, labels: { "pod-template-hash": hash } };
    case "StatefulSet": {
      const name = `${app}-${replica}`;
      return { name, labels: { "controller-revision-hash": `${app}-${hash}`, "statefulset.kubernetes.io/pod-name": name } };
    }
    case "DaemonSet":
      return { name: `${app}-${r.chars(SAFE, 5)}`, labels: { "controller-revision-hash": hash.slice(0, 9), "pod-template-generation": "3" } };
    case "CronJob": {
      // The CronJob controller names each Job <cronjob>-<scheduled time in Unix minutes>.
      const job = `${app}-${29_146_000 + r.int(0, 9_999)}`;
      return { name: `${job}-${r.chars(SAFE, 5)}`, labels: { "batch.kubernetes.io/job-name": job, "job-name": job, "batch.kubernetes.io/controller-uid": uuid(r) } };
    }
  }
}

function uuid(r: Random): string {
  const hex = r.chars(HEX, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}
