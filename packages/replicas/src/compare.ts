import { median, medianAbsoluteDeviation } from "simple-statistics";
import type { Severity } from "@outlier/contracts";
import type { PodExecs, WindowSnapshot } from "./window.ts";

export interface CompareThresholds {
  /** Smallest group of peers (same image) that is compared. */
  minGroupSize: number;
  /** Modified z-score (0.6745·(x − median) / MAD) above which a pod stands out. */
  zScore: number;
  /** A binary set must also be at least this dissimilar (mean Jaccard distance) to its peers. */
  minJaccard: number;
  /** MAD never taken below this for Jaccard distances (0..1). */
  jaccardMadFloor: number;
  /** MAD never taken below this share of the median exec rate … */
  rateMadFloorShare: number;
  /** … nor below this many execs per minute. */
  rateMadFloorPerMinute: number;
  /**
   * The binary-set and exec-rate statistics are judged only when the group's median pod
   * ran at least this many execs in the window: with a handful of execs per pod, chance
   * alone makes replicas look different. A unique unknown binary is judged regardless.
   */
  minExecsForStatistics: number;
}

export const DEFAULT_THRESHOLDS: CompareThresholds = {
  minGroupSize: 2,
  zScore: 3.5,
  minJaccard: 0.3,
  jaccardMadFloor: 0.05,
  rateMadFloorShare: 0.1,
  rateMadFloorPerMinute: 0.2,
  minExecsForStatistics: 30,
};

export type DeviationReason = "unique-unknown-binary" | "binary-set" | "exec-rate";

/** One statistic of a pod against its peers. */
export interface RobustScore {
  value: number;
  median: number;
  mad: number;
  z: number;
}

export interface ReplicaDeviation {
  pod: string;
  imageDigest?: string;
  node?: string;
  severity: Severity;
  reasons: DeviationReason[];
  /** Binaries this pod ran and none of its peers did. */
  uniqueBinaries: string[];
  /** Of those, the ones the baseline does not contain. */
  uniqueUnknownBinaries: string[];
  /** Mean Jaccard distance of this pod's binary set to each peer's. */
  jaccard: RobustScore;
  /** Execs per minute in the window. */
  execRate: RobustScore;
  execs: Record<string, number>;
  peers: string[];
  windowMs: number;
}

const MAX_LISTED = 32;

/**
 * Compares the pods of each image digest with each other; pods on different digests
 * are never compared (what separates images is the baseline's image diff). A pod
 * deviates when it ran a binary no peer ran and the baseline does not contain (high),
 * or when its binary set or its exec rate is an outlier among its peers (medium).
 */
export function compareReplicas(
  snapshot: WindowSnapshot,
  baselineContains: (binary: string) => boolean,
  thresholds: CompareThresholds = DEFAULT_THRESHOLDS,
): ReplicaDeviation[] {
  return groupByImage(snapshot.pods)
    .filter((group) => group.length >= thresholds.minGroupSize)
    .flatMap((group) => compareGroup(group, snapshot.windowMs, baselineContains, thresholds));
}

function compareGroup(
  group: PodExecs[],
  windowMs: number,
  baselineContains: (binary: string) => boolean,
  t: CompareThresholds,
): ReplicaDeviation[] {
  const sets = group.map((p) => new Set(Object.keys(p.execs)));
  const distances = sets.map((set, i) => mean(sets.filter((_, j) => j !== i).map((other) => jaccardDistance(set, other))));
  const rates = group.map((p) => p.total / (windowMs / 60_000));
  const jaccard = robustScores(distances, () => t.jaccardMadFloor);
  const execRate = robustScores(rates, (med) => Math.max(t.rateMadFloorShare * med, t.rateMadFloorPerMinute));
  const enoughSamples = median(group.map((p) => p.total)) >= t.minExecsForStatistics;
  const deviations: ReplicaDeviation[] = [];
  group.forEach((pod, i) => {
    const others = sets.filter((_, j) => j !== i);
    const unique = [...(sets[i] ?? [])].filter((b) => !others.some((s) => s.has(b)));
    const unknown = unique.filter((b) => !baselineContains(b));
    const j = jaccard[i]!;
    const r = execRate[i]!;
    const reasons: DeviationReason[] = [];
    if (unknown.length > 0) reasons.push("unique-unknown-binary");
    if (enoughSamples && j.value >= t.minJaccard && j.z >= t.zScore) reasons.push("binary-set");
    if (enoughSamples && r.z >= t.zScore) reasons.push("exec-rate");
    if (reasons.length === 0) return;
    const deviation: ReplicaDeviation = {
      pod: pod.pod,
      severity: unknown.length > 0 ? "high" : "medium",
      reasons,
      uniqueBinaries: unique.slice(0, MAX_LISTED),
      uniqueUnknownBinaries: unknown.slice(0, MAX_LISTED),
      jaccard: j,
      execRate: r,
      execs: pod.execs,
      peers: group.filter((_, k) => k !== i).map((p) => p.pod).slice(0, MAX_LISTED),
      windowMs,
    };
    if (pod.imageDigest !== undefined) deviation.imageDigest = pod.imageDigest;
    if (pod.node !== undefined) deviation.node = pod.node;
    deviations.push(deviation);
  });
  return deviations;
}

/**
 * Modified z-scores (Iglewicz & Hoaglin). When most values are equal the MAD is 0 and
 * any difference would be infinitely far; the floor keeps z finite and makes small
 * differences small.
 */
function robustScores(values: number[], floor: (median: number) => number): RobustScore[] {
  const med = median(values);
  const mad = medianAbsoluteDeviation(values);
  const scale = Math.max(mad, floor(med));
  return values.map((value) => ({ value, median: med, mad, z: (0.6745 * (value - med)) / scale }));
}

/** 1 − |A ∩ B| / |A ∪ B|; two empty sets are identical. */
export function jaccardDistance(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const x of a) if (b.has(x)) shared += 1;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : 1 - shared / union;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function groupByImage(pods: PodExecs[]): PodExecs[][] {
  const groups = new Map<string, PodExecs[]>();
  for (const pod of pods) {
    const key = pod.imageDigest ?? "";
    groups.set(key, [...(groups.get(key) ?? []), pod]);
  }
  return [...groups.values()];
}
