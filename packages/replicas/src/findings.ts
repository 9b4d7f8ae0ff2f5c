import { stableId, workloadKey, type Finding, type WorkloadKind } from "@outlier/contracts";
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
}

export function replicaDeviationFinding(input: ReplicaFindingInput): Finding {
  const { target, deviation } = input;
  const type = "replica.deviation";
  const dedupKey = `${type}|${workloadKey(target.cluster, target.namespace, target.kind, target.name)}|${target.container}|${deviation.pod}`;
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
    evidence: { ...deviation, peerCount: deviation.peers.length },
    dedupKey,
  };
  if (deviation.node) finding.node = deviation.node;
  return finding;
}

function summaryOf(target: ComparedContainer, d: ReplicaDeviation): string {
  const what = d.uniqueUnknownBinaries.length > 0 ? `ran ${d.uniqueUnknownBinaries.join(", ")} that no peer ran` : `differs from its peers (${d.reasons.join(", ")})`;
  return `Replica ${d.pod} of ${target.kind} ${target.namespace}/${target.name} container ${target.container} ${what}`;
}
