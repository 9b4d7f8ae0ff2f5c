import { z } from "zod";
import { WorkloadRefSchema } from "./workload.ts";

export const RUNTIME_EVENT_TYPES = [
  "process_exec",
  "process_exit",
  "file", // file access (Tetragon kprobes on open/read/write, Falco file rules)
  "network", // connect / listen / close / sendmsg
  "privilege", // setuid, capabilities, credentials, namespace changes
  "kernel_module", // module load / unload
  "kprobe", // any other Tetragon kprobe
  "throttle", // Tetragon cgroup rate-limit start/stop
  "rule_alert", // a Falco alert that is not a process spawn
] as const;
export type RuntimeEventType = (typeof RUNTIME_EVENT_TYPES)[number];

const Labels = z.record(z.string(), z.string());

export const ContainerRefSchema = z.object({
  name: z.string().optional(),
  id: z.string().optional(),
  image: z.string().optional(),
  imageDigest: z.string().optional(),
});

export const PodRefSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  uid: z.string().optional(),
  labels: Labels,
  container: ContainerRefSchema.optional(),
});
export type PodRef = z.infer<typeof PodRefSchema>;

export const ParentProcessSchema = z.object({
  binary: z.string(),
  args: z.string().optional(),
  pid: z.number().int().optional(),
});

export const ProcessSchema = z.object({
  binary: z.string(),
  args: z.string().optional(),
  pid: z.number().int().optional(),
  uid: z.number().int().optional(),
  user: z.string().optional(),
  cwd: z.string().optional(),
  tty: z.string().optional(),
  /** Tetragon `in_init_tree`: false for processes started by `kubectl exec` / probes. */
  inInitTree: z.boolean().optional(),
  /** The process looks like a liveness/readiness exec probe: Tetragon `process.pod.container.maybe_exec_probe`, Falco `proc.is_container_*_probe`. */
  maybeExecProbe: z.boolean().optional(),
  /**
   * Set by the collector when its pod cache shows the process runs a command the pod
   * spec names (the container's command + args, or an exec lifecycle hook): expected,
   * neither learned nor alerted on. Absent when the pod spec was not known.
   */
  podSpecCommand: z.boolean().optional(),
  parent: ParentProcessSchema.optional(),
  ancestors: z.array(z.string()),
});
export type ProcessInfo = z.infer<typeof ProcessSchema>;

export const RuleSchema = z.object({
  name: z.string(),
  priority: z.string(),
  tags: z.array(z.string()),
  output: z.string().optional(),
});

/** What a non-exec event touched (file, socket, kernel function). */
export const TargetSchema = z.object({
  function: z.string().optional(),
  policy: z.string().optional(),
  path: z.string().optional(),
  address: z.string().optional(),
  port: z.number().int().optional(),
  /** TCP / UDP, for network events. */
  protocol: z.string().optional(),
  /** Kernel module name, for kernel_module events. */
  module: z.string().optional(),
  /** Capability checked (e.g. CAP_SYS_ADMIN), for cap_capable probes. */
  capability: z.string().optional(),
  /** The source's action: a Tetragon kprobe action (KPROBE_ACTION_SIGKILL…) or throttle THROTTLE_START/STOP. */
  action: z.string().optional(),
  /** The cgroup a Tetragon throttle event is about. */
  cgroup: z.string().optional(),
});

export const RuntimeEventSchema = z.object({
  schema: z.literal("outlier.runtime.v1"),
  id: z.string().min(1),
  source: z.enum(["tetragon", "falco"]),
  type: z.enum(RUNTIME_EVENT_TYPES),
  /** Source event kind as written by the source (e.g. process_kprobe, or the Falco rule name). */
  sourceKind: z.string(),
  time: z.string(),
  cluster: z.string(),
  node: z.string().optional(),
  pod: PodRefSchema.optional(),
  workload: WorkloadRefSchema.optional(),
  process: ProcessSchema.optional(),
  rule: RuleSchema.optional(),
  target: TargetSchema.optional(),
});
export type RuntimeEvent = z.infer<typeof RuntimeEventSchema>;
