import { controllerUser, type Cluster, type Image, type Pod, type Proc } from "./cluster.ts";

/**
 * Workloads as the generator runs them: containers with a start-up chain, an exec probe
 * and periodic tasks; pods started, run and deleted over the scenario's time.
 */

export type Step = [binary: string, args: string];

/** Tag suffix of the kubelets' token requests (`<namespace>:controller-secrets:kubelet`). */
export const KUBELET_TOKENS = ":controller-secrets:kubelet";

export interface Task {
  /** Runs one occurrence under the container's main process. */
  run(c: Cluster, pod: Pod, container: string, main: Proc, us: number): void;
  periodUs: number;
  /** Each run lands within ± this of its slot. */
  jitterUs: number;
  /** "aligned": every replica runs at the same slots (cron-like); "random": each replica has its own phase. */
  phase: "aligned" | "random";
  /** Only on the replica this returns true for (leader-only work); all replicas when absent. */
  only?: (pod: Pod, us: number) => boolean;
}

export interface ProbeSpec {
  /** One step, or a shell and the command it runs (`sh -c "…"`: the child is not the probe command). */
  steps: Step[];
  periodUs: number;
  uid: number;
}

export interface ContainerDef {
  name: string;
  image: Image;
  uid: number;
  cwd: string;
  /** The first step's process is the container's first; the last step is the long-running main process (a child of the first, or the first itself). */
  start: Step[];
  probe?: ProbeSpec;
  tasks: Task[];
}

export interface AppDef {
  namespace: string;
  name: string;
  kind: Pod["workloadKind"];
  team: string;
  /** Runs to completion before the others start, in order. */
  inits: ContainerDef[];
  /** The first is the main container; the others are sidecars. */
  containers: ContainerDef[];
  /** Tags: the incident ids of the steady activity and of the probes. */
  steadyTag: string;
  probeTag: string;
}

export interface RunningPod {
  app: AppDef;
  pod: Pod;
  /** Each container's main process. */
  mains: Map<string, Proc>;
}

/** Pod names and labels of a workload's pods. */
export interface PodNaming {
  name: string;
  labels: Record<string, string>;
}

export function deploymentPodNaming(c: Cluster, app: AppDef, hash: string): () => PodNaming {
  return () => ({ name: `${app.name}-${hash}-${c.podSuffix()}`, labels: { app: app.name, team: app.team, "pod-template-hash": hash } });
}

export function statefulSetPodNaming(app: AppDef, revision: string): (ordinal: number) => PodNaming {
  return (ordinal) => ({
    name: `${app.name}-${ordinal}`,
    labels: {
      app: app.name,
      team: app.team,
      "controller-revision-hash": `${app.name}-${revision}`,
      "statefulset.kubernetes.io/pod-name": `${app.name}-${ordinal}`,
      "apps.kubernetes.io/pod-index": String(ordinal),
    },
  });
}

/**
 * Starts a pod at `startUs` (its init containers, then the containers' start-up chains,
 * all recorded) and schedules its probes and tasks until `endUs` or the scenario's end.
 * The controller's `create pods` request and the kubelet's token request come a moment before.
 */
export function startPod(
  c: Cluster,
  app: AppDef,
  naming: PodNaming,
  node: string,
  startUs: number,
  endUs: number,
  scenarioEndUs: number,
): RunningPod {
  const createdBy = app.kind === "StatefulSet" ? "statefulset-controller" : app.kind === "DaemonSet" ? "daemon-set-controller" : "replicaset-controller";
  const pod = c.pod({
    namespace: app.namespace,
    name: naming.name,
    node,
    labels: naming.labels,
    workload: app.name,
    workloadKind: app.kind,
    containers: [...app.inits, ...app.containers].map((d) => ({ name: d.name, image: d.image })),
    startUs,
  });
  pod.endUs = endUs;
  c.tagged(app.steadyTag, () => podCreated(c, pod, app, startUs - 2_500_000, createdBy));
  const running: RunningPod = { app, pod, mains: new Map() };
  let t = startUs;
  c.tagged(app.steadyTag, () => {
    for (const init of app.inits) {
      pod.containers.get(init.name)!.startUs = t;
      runStart(c, pod, init, t);
      t += c.rng.int(1_500_000, 6_000_000);
    }
    for (const def of app.containers) {
      const container = pod.containers.get(def.name)!;
      container.startUs = t + c.rng.int(0, 300_000);
      running.mains.set(def.name, runStart(c, pod, def, container.startUs));
    }
  });
  const until = Math.min(endUs, scenarioEndUs);
  for (const def of app.containers) {
    const main = running.mains.get(def.name)!;
    const from = pod.containers.get(def.name)!.startUs;
    if (def.probe) {
      const probe = def.probe;
      let next = from + c.rng.int(5_000_000, 15_000_000);
      c.tagged(app.probeTag, () => {
        for (; next < until; next += probe.periodUs + c.rng.int(-30_000, 30_000)) runProbe(c, pod, def.name, probe, next);
      });
    }
    c.tagged(app.steadyTag, () => {
      for (const task of def.tasks) schedule(c, task, from, until, (us) => task.run(c, pod, def.name, main, us), pod);
    });
  }
  return running;
}

function runStart(c: Cluster, pod: Pod, def: ContainerDef, us: number): Proc {
  const [first, ...rest] = def.start;
  const entry = c.exec(pod, def.name, us, first![0], first![1], { uid: def.uid, cwd: def.cwd });
  let main = entry;
  rest.forEach(([binary, args], i) => {
    main = c.exec(pod, def.name, us + (i + 1) * c.rng.int(60_000, 400_000), binary, args, { parent: entry, uid: def.uid, cwd: def.cwd });
  });
  return main;
}

export function runProbe(c: Cluster, pod: Pod, container: string, probe: ProbeSpec, us: number): void {
  const [first, ...rest] = probe.steps;
  const p = c.probe(pod, container, us, first![0], first![1], probe.uid);
  rest.forEach(([binary, args], i) => c.exec(pod, container, us + (i + 1) * c.rng.int(800, 4_000), binary, args, { parent: p, uid: probe.uid, inInitTree: false }));
}

/** Calls `fn` at each run of `task` in [from, to). */
export function schedule(c: Cluster, task: Task, from: number, to: number, fn: (us: number) => void, pod: Pod): void {
  const offset = task.phase === "aligned" ? 0 : c.rng.int(0, task.periodUs - 1);
  // Aligned slots are multiples of the period from the scenario's start (a cron schedule).
  let slot = task.phase === "aligned" ? Math.ceil(from / task.periodUs) * task.periodUs : from + offset;
  for (; slot < to; slot += task.periodUs) {
    const us = slot + c.rng.int(-task.jitterUs, task.jitterUs);
    if (us < from || us >= to || us < 0) continue;
    if (task.only && !task.only(pod, us)) continue;
    fn(us);
  }
}

/** A task that runs one chain of steps: the first under the main process, each later one under the first. */
export function chainTask(steps: Step[], periodUs: number, jitterUs: number, phase: Task["phase"], uid: number, cwd = "/", only?: Task["only"]): Task {
  return {
    periodUs,
    jitterUs,
    phase,
    only,
    run(c, pod, container, main, us) {
      const [first, ...rest] = steps;
      const head = c.exec(pod, container, us, first![0], first![1], { parent: main, uid, cwd });
      rest.forEach(([binary, args], i) => c.exec(pod, container, us + (i + 1) * c.rng.int(20_000, 300_000), binary, args, { parent: head, uid, cwd }));
    },
  };
}

function podCreated(c: Cluster, pod: Pod, app: AppDef, us: number, controller: string): void {
  const generateName = app.kind === "StatefulSet" ? undefined : pod.name.slice(0, pod.name.lastIndexOf("-") + 1);
  const spec = (d: ContainerDef) => ({
    name: d.name,
    image: `${d.image.repository}:${d.image.tag}`,
    command: [d.start[0]![0]],
    args: d.start[0]![1] ? d.start[0]![1].split(" ") : undefined,
    securityContext: { runAsNonRoot: d.uid !== 0, allowPrivilegeEscalation: false },
  });
  c.request({
    us,
    verb: "create",
    requestURI: `/api/v1/namespaces/${pod.namespace}/pods`,
    user: controllerUser(controller),
    sourceIP: "10.0.0.10",
    userAgent: `kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/3c9d4a6/system:serviceaccount:kube-system:${controller}`,
    objectRef: { resource: "pods", namespace: pod.namespace, ...(generateName ? {} : { name: pod.name }), apiVersion: "v1" },
    code: 201,
    reason: `RBAC: allowed by ClusterRoleBinding "system:controller:${controller}" of ClusterRole "system:controller:${controller}" to ServiceAccount "${controller}/kube-system"`,
    requestObject: {
      kind: "Pod",
      apiVersion: "v1",
      metadata: { ...(generateName ? { generateName } : { name: pod.name }), namespace: pod.namespace, labels: pod.labels },
      spec: {
        initContainers: app.inits.length > 0 ? app.inits.map(spec) : undefined,
        containers: app.containers.map(spec),
        restartPolicy: "Always",
        serviceAccountName: app.name,
      },
    },
  });
  // The kubelet asks for the pod's projected service-account token when it starts the pod.
  c.tagged(`${pod.namespace}${KUBELET_TOKENS}`, () => c.request({
    us: us + c.rng.int(1_200_000, 2_200_000),
    verb: "create",
    requestURI: `/api/v1/namespaces/${pod.namespace}/serviceaccounts/${app.name}/token`,
    user: { username: `system:node:${pod.node}`, groups: ["system:nodes", "system:authenticated"] },
    sourceIP: "10.0.1.1",
    userAgent: "kubelet/v1.31.2 (linux/amd64) kubernetes/3c9d4a6",
    objectRef: { resource: "serviceaccounts", namespace: pod.namespace, name: app.name, apiVersion: "v1", subresource: "token" },
    code: 201,
    reason: "",
    level: "Request",
    requestObject: {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name: app.name, namespace: pod.namespace, creationTimestamp: null },
      spec: { audiences: ["https://kubernetes.default.svc.cluster.local"], expirationSeconds: 3607, boundObjectRef: { kind: "Pod", apiVersion: "v1", name: pod.name, uid: pod.uid } },
      status: { token: "", expirationTimestamp: null },
    },
  }));
}

/** A controller's `delete pods` (scale-down, rollout, or a person's `kubectl delete pod`). */
export function podDeleted(c: Cluster, pod: Pod, us: number, by: { user: ReturnType<typeof controllerUser>; userAgent: string; sourceIP: string }): void {
  pod.endUs = us;
  c.request({
    us,
    verb: "delete",
    requestURI: `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`,
    user: by.user,
    sourceIP: by.sourceIP,
    userAgent: by.userAgent,
    objectRef: { resource: "pods", namespace: pod.namespace, name: pod.name, apiVersion: "v1" },
    code: 200,
  });
}
