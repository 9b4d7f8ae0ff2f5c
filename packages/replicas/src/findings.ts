import { stableId, workloadKey, type Finding, type ProcessInfo, type WorkloadKind } from "@outlier/contracts";
import type { ReplicaDeviation } from "./compare.ts";

/** The workload container whose replicas were compared (same shape as a BaselineId). */
export interface ComparedContainer {
  cluster: string;
  namespace: string;
  kind: WorkloadKind;
  name: string;
  container: string;
}

export interface ReplicaFindingInput {
  target: ComparedContainer;
  deviation: ReplicaDeviation;
  /** Event time at which the window was compared (its watermark); part of the id, so a replay gives the same id. */
  time: string;
  /** Workload labels and annotations from the pod cache, when known. */
  workloadMeta?: { labels: Record<string, string>; annotations: Record<string, string> };
  /** Reported at an exec (a binary new on one replica while learning): that process, and the event's id. */
  trigger?: { process: ProcessInfo; eventId: string };
}

export function replicaDeviationFinding(input: ReplicaFindingInput): Finding {
  const { target, deviation } = input;
  const type = "replica.deviation";
  const base = `${type}|${workloadKey(target.cluster, target.namespace, target.kind, target.name)}|${target.container}|${deviation.pod}`;
  // Reported at an exec: one finding per binary, so a second tool on the same pod is not rolled up under the first.
  const dedupKey = input.trigger ? `${base}|${input.trigger.process.binary}` : base;
  const finding: Finding = {
    schema: "outlier.finding.v1",
    id: stableId(type, dedupKey, input.time),
    type,
    severity: deviation.severity,
    time: input.time,
    cluster: target.cluster,
    summary: summaryOf(target, deviation),
    workload: {
      kind: target.kind,
      name: target.name,
      namespace: target.namespace,
      labels: input.workloadMeta?.labels ?? {},
      annotations: input.workloadMeta?.annotations ?? {},
    },
    pod: deviation.pod,
    container: target.container,
    evidence: { ...deviation, peerCount: deviation.peers.length, action: actionOf(deviation), ...(input.trigger ? { eventId: input.trigger.eventId } : {}) },
    dedupKey,
  };
  if (deviation.node) finding.node = deviation.node;
  if (input.trigger) finding.process = input.trigger.process;
  return finding;
}

function summaryOf(target: ComparedContainer, d: ReplicaDeviation): string {
  const peers = `${d.peers.length} peer${d.peers.length === 1 ? "" : "s"}`;
  const what =
    d.uniqueUnknownBinaries.length > 0
      ? `ran ${d.uniqueUnknownBinaries.join(", ")}, which none of its ${peers} ran and the baseline does not contain`
      : `ran ${d.execRate.value.toFixed(1)} execs/min for a whole window, against a median of ${d.execRate.median.toFixed(1)} on its ${peers}`;
  const risk = d.risk && d.risk.length > 0 ? ` — ${d.risk.join("; ")}` : "";
  return `Replica ${d.pod} of ${target.kind} ${target.namespace}/${target.name} container ${target.container} ${what}${risk}`;
}

/** What the person on call should do with it. */
function actionOf(d: ReplicaDeviation): string {
  if (d.uniqueUnknownBinaries.length === 0) return "look at what the pod runs (outlier replicas); a batch job or a leader's work is fine";
  if (d.severity === "low") return "review: approve it if this replica is meant to run it (a leader's or scheduler's task), else deny it";
  return "look at the pod now: this looks like an intrusion; deny the binary once confirmed";
}
