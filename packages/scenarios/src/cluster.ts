import { K8S_SAFE, type Random } from "./random.ts";

/**
 * The simulated cluster: nodes, pods, containers and the processes they run, recorded
 * once as activity (execs, Falco detections, API requests) and rendered afterwards as
 * each sensor writes it (render.ts). Times are microseconds since the scenario start.
 */

export interface Image {
  repository: string;
  tag: string;
  digest: string;
}

export interface Container {
  name: string;
  /** 64 hex digits, without the runtime prefix. */
  id: string;
  image: Image;
  startUs: number;
  /** Next PID inside the container's PID namespace (Tetragon's `container.pid`). */
  nextVpid: number;
}

export interface Pod {
  namespace: string;
  name: string;
  uid: string;
  node: string;
  labels: Record<string, string>;
  workload: string;
  workloadKind: "Deployment" | "StatefulSet" | "DaemonSet" | "Job";
  containers: Map<string, Container>;
  /** The pod's containerd-shim: parent of every container's first process. */
  shim: Proc;
  startUs: number;
  /** When the pod was deleted (activity stops); Infinity while it lives. */
  endUs: number;
}

export interface Proc {
  execId: string;
  pid: number;
  /** PID inside the container. */
  vpid: number;
  uid: number;
  cwd: string;
  binary: string;
  args: string;
  flags: string;
  startUs: number;
  /** Nanoseconds within the microsecond (0–999), fixed at creation so rendering is pure. */
  nanos: number;
  node: string;
  pod?: Pod;
  container?: Container;
  parent?: Proc;
  inInitTree: boolean;
  /** The kubelet ran it for an exec probe (Tetragon: `process.pod.container.maybe_exec_probe`). */
  probe: boolean;
  /** The controlling terminal (an interactive `kubectl exec -t`), as Falco's proc.tty. */
  tty?: number;
  /** Login uid, 4294967295 (unset) for container processes. */
  auid: number;
  /** The id of the incident whose activity this is (set from `Cluster.tag`). */
  tag?: string;
}

export interface ExecRecord {
  us: number;
  proc: Proc;
}

/** A Falco detection (not the exec feed): a stable rule, its priority, tags and what it prints. */
export interface FalcoRecord {
  us: number;
  rule: string;
  priority: "Emergency" | "Alert" | "Critical" | "Error" | "Warning" | "Notice" | "Informational" | "Debug";
  tags: string[];
  /** The rule's message; the standard `container_id=… k8s_ns=…` suffix is added when rendered. */
  text: string;
  proc: Proc;
  evtType: string;
  fdName?: string;
}

export interface AuditUser {
  username: string;
  uid?: string;
  groups: string[];
}

export interface AuditRecord {
  us: number;
  tag?: string;
  auditID: string;
  stage: "RequestReceived" | "ResponseStarted" | "ResponseComplete";
  /** Microseconds from request received to this stage. */
  latencyUs: number;
  verb: string;
  requestURI: string;
  user: AuditUser;
  sourceIP: string;
  userAgent: string;
  objectRef: Record<string, string>;
  code?: number;
  level: "Metadata" | "Request" | "RequestResponse";
  requestObject?: unknown;
  reason?: string;
}

interface NodeState {
  name: string;
  /** Kernel boot time, µs before the scenario start: exec ids embed ktime. */
  bootUs: number;
  nextPid: number;
  runc: Proc;
  kubelet: Proc;
}

export const KUBECTL_UA = "kubectl/v1.31.2 (linux/amd64) kubernetes/3c9d4a6";

export class Cluster {
  readonly execs: ExecRecord[] = [];
  readonly falco: FalcoRecord[] = [];
  readonly audit: AuditRecord[] = [];
  readonly #nodes = new Map<string, NodeState>();
  /** Stamped on every process and API request recorded: the incident whose activity it is. */
  tag: string | undefined;

  /** Swapped per scenario class, so that each class draws from its own stream. */
  rng: Random;
  readonly startMs: number;
  /** Whether the API server's audit policy keeps the RequestReceived stage (many omit it). */
  readonly auditRequestReceived: boolean;
  /** Where Falco's rules print pod labels: the built-in k8s.* fields, or the k8smeta plugin's. */
  readonly falcoLabelField: "k8s.pod.labels" | "k8smeta.pod.labels";

  constructor(rng: Random, startMs: number, nodeNames: readonly string[], options: { auditRequestReceived: boolean; falcoLabelField: Cluster["falcoLabelField"] }) {
    this.rng = rng;
    this.startMs = startMs;
    this.auditRequestReceived = options.auditRequestReceived;
    this.falcoLabelField = options.falcoLabelField;
    for (const name of nodeNames) {
      const node: Partial<NodeState> & { name: string; bootUs: number; nextPid: number } = { name, bootUs: rng.int(2, 40) * 86_400e6 + rng.int(0, 86_399) * 1e6, nextPid: rng.int(20_000, 90_000) };
      node.kubelet = this.#hostProc(node as NodeState, -node.bootUs + 60e6, "/usr/bin/kubelet", "--config=/var/lib/kubelet/config.yaml --container-runtime-endpoint=unix:///run/containerd/containerd.sock");
      node.runc = this.#hostProc(node as NodeState, -3_600e6, "/usr/bin/runc", "--root /run/containerd/runc/k8s.io --log /run/containerd/runc.log exec");
      this.#nodes.set(name, node as NodeState);
    }
  }

  get nodeNames(): string[] {
    return [...this.#nodes.keys()];
  }

  #node(name: string): NodeState {
    const node = this.#nodes.get(name);
    if (!node) throw new Error(`no node ${name}`);
    return node;
  }

  #hostProc(node: NodeState, us: number, binary: string, args: string): Proc {
    const pid = node.nextPid++;
    return {
      execId: this.#execId(node, us, pid),
      pid,
      vpid: pid,
      uid: 0,
      cwd: "/",
      binary,
      args,
      flags: "execve rootcwd",
      startUs: us,
      nanos: this.rng.int(0, 999),
      node: node.name,
      inInitTree: false,
      probe: false,
      auid: 4294967295,
    };
  }

  #execId(node: NodeState, us: number, pid: number): string {
    const ktimeNs = (node.bootUs + us) * 1000 + this.rng.int(0, 999);
    return Buffer.from(`${node.name}:${ktimeNs}:${pid}`).toString("base64");
  }

  image(repository: string, tag: string): Image {
    return { repository, tag, digest: `sha256:${this.rng.hex(64)}` };
  }

  /** A pod with its containers (not started: `startContainer` runs each one's processes). */
  pod(spec: {
    namespace: string;
    name: string;
    node: string;
    labels: Record<string, string>;
    workload: string;
    workloadKind: Pod["workloadKind"];
    containers: { name: string; image: Image }[];
    startUs: number;
  }): Pod {
    const node = this.#node(spec.node);
    const shim = this.#hostProc(node, spec.startUs - 800_000, "/usr/bin/containerd-shim-runc-v2", `-namespace k8s.io -id ${this.rng.hex(64)} -address /run/containerd/containerd.sock`);
    const containers = new Map<string, Container>();
    for (const c of spec.containers) containers.set(c.name, { name: c.name, id: this.rng.hex(64), image: c.image, startUs: spec.startUs, nextVpid: 1 });
    return { ...spec, uid: this.rng.uuid(), containers, shim, endUs: Infinity };
  }

  /** One process_exec; returns the process for its children. */
  exec(
    pod: Pod,
    containerName: string,
    us: number,
    binary: string,
    args: string,
    opts: { parent?: Proc; uid: number; cwd?: string; inInitTree?: boolean; probe?: boolean; tty?: number },
  ): Proc {
    const container = pod.containers.get(containerName);
    if (!container) throw new Error(`pod ${pod.name} has no container ${containerName}`);
    const node = this.#node(pod.node);
    const pid = node.nextPid++;
    const cwd = opts.cwd ?? "/";
    const proc: Proc = {
      execId: this.#execId(node, us, pid),
      pid,
      vpid: container.nextVpid++,
      uid: opts.uid,
      cwd,
      binary,
      args,
      flags: cwd === "/" ? "execve rootcwd clone" : "execve clone",
      startUs: us,
      nanos: this.rng.int(0, 999),
      node: pod.node,
      pod,
      container,
      parent: opts.parent ?? pod.shim,
      inInitTree: opts.inInitTree ?? true,
      probe: opts.probe ?? false,
      tty: opts.tty,
      auid: 4294967295,
      tag: this.tag,
    };
    this.execs.push({ us, proc });
    return proc;
  }

  /** An exec probe: the kubelet has runc start it beside the container's process tree. */
  probe(pod: Pod, containerName: string, us: number, binary: string, args: string, uid: number): Proc {
    return this.exec(pod, containerName, us, binary, args, { parent: this.#node(pod.node).runc, uid, inInitTree: false, probe: true });
  }

  /** A process that `kubectl exec` starts: a child of runc, outside the init tree. */
  execIn(pod: Pod, containerName: string, us: number, binary: string, args: string, uid: number, tty?: number): Proc {
    return this.exec(pod, containerName, us, binary, args, { parent: this.#node(pod.node).runc, uid, inInitTree: false, tty });
  }

  falcoAlert(record: FalcoRecord): void {
    this.falco.push(record);
  }

  /**
   * One API request as the audit log writes it: RequestReceived (when the policy keeps
   * it), ResponseStarted for the streaming subresources (exec, attach, portforward), and
   * ResponseComplete (`endUs`, for a stream when it closes). Returns the auditID.
   */
  request(spec: Omit<AuditRecord, "auditID" | "stage" | "latencyUs" | "level"> & { endUs?: number; level?: AuditRecord["level"] }): string {
    const auditID = this.rng.uuid();
    const { endUs, level, ...rest } = spec;
    const streaming = spec.objectRef["subresource"] === "exec" || spec.objectRef["subresource"] === "attach" || spec.objectRef["subresource"] === "portforward";
    const base = { ...rest, tag: this.tag, auditID, level: level ?? (spec.requestObject === undefined ? "Metadata" : "RequestResponse") } as const;
    if (this.auditRequestReceived) this.audit.push({ ...base, stage: "RequestReceived", latencyUs: 0, code: undefined, requestObject: base.requestObject });
    if (streaming) {
      this.audit.push({ ...base, stage: "ResponseStarted", latencyUs: this.rng.int(20_000, 120_000) });
      this.audit.push({ ...base, stage: "ResponseComplete", latencyUs: Math.max((endUs ?? spec.us) - spec.us, 200_000) });
    } else {
      this.audit.push({ ...base, stage: "ResponseComplete", latencyUs: this.rng.int(1_500, 40_000) });
    }
    return auditID;
  }

  /** Runs `fn` with every record stamped with `tag`. */
  tagged<T>(tag: string | undefined, fn: () => T): T {
    const before = this.tag;
    this.tag = tag;
    try {
      return fn();
    } finally {
      this.tag = before;
    }
  }

  /** Names of a ReplicaSet pod: `<deployment>-<hash>-<suffix>`. */
  rsHash(): string {
    return this.rng.chars(K8S_SAFE, 10);
  }

  podSuffix(): string {
    return this.rng.chars(K8S_SAFE, 5);
  }
}

/** The kube-controller-manager's service accounts, as the audit log names them. */
export function controllerUser(name: string): AuditUser {
  return {
    username: `system:serviceaccount:kube-system:${name}`,
    groups: ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
  };
}

export function serviceAccountUser(namespace: string, name: string, uid: string): AuditUser {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    uid,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
}

export function personUser(email: string, groups: string[]): AuditUser {
  return { username: email, groups: [...groups, "system:authenticated"] };
}
