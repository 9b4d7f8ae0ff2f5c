import { scoreReplicas } from "@outlier/replicas";
import type { ReplicaSnapshot } from "@outlier/store";

/** One replica's column: what it ran, how far it is from its peers, and whether the detector flagged it. */
export interface ReplicaColumn {
  pod: string;
  imageDigest?: string;
  node?: string;
  total: number;
  execs: Record<string, number>;
  /** Modified z-scores against peers on the same image; undefined with too few peers. */
  score?: { binarySet: number; execRate: number };
  flagged: string[];
}

export interface ReplicaMatrix {
  time: string;
  windowMs: number;
  binaries: string[];
  replicas: ReplicaColumn[];
}

export function replicaMatrix(snapshot: ReplicaSnapshot): ReplicaMatrix {
  // Scores for every replica with peers, not only the flagged ones.
  const scores = new Map(scoreReplicas(snapshot).map((s) => [s.pod.pod, { binarySet: s.jaccard.z, execRate: s.execRate.z }]));
  const flagged = new Map(snapshot.deviations.map((d) => [d.pod, d.reasons]));
  const binaries = [...new Set(snapshot.pods.flatMap((p) => Object.keys(p.execs)))].sort();
  const replicas = snapshot.pods.map((p) => {
    const column: ReplicaColumn = { pod: p.pod, total: p.total, execs: p.execs, flagged: flagged.get(p.pod) ?? [] };
    if (p.imageDigest !== undefined) column.imageDigest = p.imageDigest;
    if (p.node !== undefined) column.node = p.node;
    const score = scores.get(p.pod);
    if (score) column.score = score;
    return column;
  });
  return { time: snapshot.time, windowMs: snapshot.windowMs, binaries, replicas };
}
