import { median, medianAbsoluteDeviation } from "simple-statistics";
import { timeToMillis, type Severity } from "@outlier/contracts";
import type { PodExecs, WindowSnapshot } from "./window.ts";

export interface CompareThresholds {
  /** Smallest group of peers (same image) that is compared. */
  minGroupSize: number;
  /** Modified z-score (0.6745·(x − median) / MAD) above which a pod's exec rate stands out. */
  zScore: number;
  /** MAD never taken below this for Jaccard distances (0..1). */
  jaccardMadFloor: number;
  /** MAD never taken below this share of the median exec rate … */
  rateMadFloorShare: number;
  /** … nor below this many execs per minute. */
  rateMadFloorPerMinute: number;
  /**
   * The exec-rate statistic is judged only when the group's median pod ran at least this
   * many execs in the window: with a handful of execs per pod, chance alone makes replicas
   * look different. A unique unknown binary is judged regardless.
   */
  minExecsForStatistics: number;
  /**
   * An exec rate stands out only when it is this many execs per minute above the peers'
   * median in every minute of the window: large in absolute terms and sustained, so that
   * a burst of batch work (thousands of execs in one minute) is not a deviation.
   */
  minRateExcessPerMinute: number;
}

export const DEFAULT_THRESHOLDS: CompareThresholds = {
  minGroupSize: 2,
  zScore: 3.5,
  jaccardMadFloor: 0.05,
  rateMadFloorShare: 0.1,
  rateMadFloorPerMinute: 0.2,
  minExecsForStatistics: 30,
  minRateExcessPerMinute: 20,
};

export type DeviationReason = "unique-unknown-binary" | "exec-rate";

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
  /** Binaries this pod ran and none of its peers did, in the window or within the horizon. */
  uniqueBinaries: string[];
  /** Of those, the ones the baseline does not contain. */
  uniqueUnknownBinaries: string[];
  /** Mean Jaccard distance of this pod's binary set to each peer's (context, not a reason). */
  jaccard: RobustScore;
  /** Execs per minute in the window. */
  execRate: RobustScore;
  execs: Record<string, number>;
  peers: string[];
  windowMs: number;
  /** Risk features of the process that triggered it, explained (deviations reported at an exec). */
  risk?: string[];
}

/** A pod's statistics against the peers on its image. */
export interface ReplicaScores {
  pod: PodExecs;
  peers: PodExecs[];
  jaccard: RobustScore;
  execRate: RobustScore;
}

/** Did a peer of `pod` (on `imageDigest`) run `binary` within the horizon, beyond the window? */
export type PeerHistory = (pod: string, imageDigest: string | undefined, binary: string) => boolean;

const MAX_LISTED = 32;
const NO_HISTORY: PeerHistory = () => false;

/**
 * Compares the pods of each image digest with each other; pods on different digests
 * are never compared (what separates images is the baseline's image diff). A pod
 * deviates when it ran a binary that no peer ran (in the window or, per `peerHistory`,
 * within the longer horizon) and the baseline does not contain (high), or when it has
 * been up for a whole window and its exec rate is far above its peers' in every minute
 * of it (medium).
 */
export function compareReplicas(
  snapshot: WindowSnapshot,
  baselineContains: (binary: string) => boolean,
  thresholds: CompareThresholds = DEFAULT_THRESHOLDS,
  peerHistory: PeerHistory = NO_HISTORY,
): ReplicaDeviation[] {
  return scoreReplicas(snapshot, thresholds).flatMap((s) => deviationOf(s, snapshot, baselineContains, thresholds, peerHistory) ?? []);
}

/** Every pod that has peers on its image, with its scores. */
export function scoreReplicas(snapshot: WindowSnapshot, t: CompareThresholds = DEFAULT_THRESHOLDS): ReplicaScores[] {
  return groupByImage(snapshot.pods)
    .filter((group) => group.length >= t.minGroupSize)
    .flatMap((group) => scoreGroup(group, snapshot.windowMs, t));
}

/** The scores of one pod against its peers, or undefined when it has none on its image. */
export function scoresOf(snapshot: WindowSnapshot, pod: string, t: CompareThresholds = DEFAULT_THRESHOLDS): ReplicaScores | undefined {
  return scoreReplicas(snapshot, t).find((s) => s.pod.pod === pod);
}

function scoreGroup(group: PodExecs[], windowMs: number, t: CompareThresholds): ReplicaScores[] {
  const sets = group.map((p) => new Set(Object.keys(p.execs)));
  const distances = sets.map((set, i) => mean(sets.filter((_, j) => j !== i).map((other) => jaccardDistance(set, other))));
  const rates = group.map((p) => p.total / (windowMs / 60_000));
  const jaccard = robustScores(distances, () => t.jaccardMadFloor);
  const execRate = robustScores(rates, (med) => Math.max(t.rateMadFloorShare * med, t.rateMadFloorPerMinute));
  return group.map((pod, i) => ({ pod, peers: group.filter((_, k) => k !== i), jaccard: jaccard[i]!, execRate: execRate[i]! }));
}

function deviationOf(
  s: ReplicaScores,
  snapshot: WindowSnapshot,
  baselineContains: (binary: string) => boolean,
  t: CompareThresholds,
  peerHistory: PeerHistory,
): ReplicaDeviation | undefined {
  const { pod, peers } = s;
  // A binary a peer ran in the last hour is a job that does not run in the same five minutes everywhere.
  const unique = Object.keys(pod.execs).filter((b) => !peers.some((p) => b in p.execs) && !peerHistory(pod.pod, pod.imageDigest, b));
  const unknown = unique.filter((b) => !baselineContains(b));
  const reasons: DeviationReason[] = [];
  if (unknown.length > 0) reasons.push("unique-unknown-binary");
  if (sustainedHighRate(s, snapshot, t)) reasons.push("exec-rate");
  if (reasons.length === 0) return undefined;
  return deviation(s, snapshot.windowMs, reasons, unique, unknown, unknown.length > 0 ? "high" : "medium");
}

/**
 * Builds the deviation of one pod. `unique` and `unknown` are the binaries it alone ran,
 * and of those the ones the baseline does not contain.
 */
export function deviation(s: ReplicaScores, windowMs: number, reasons: DeviationReason[], unique: string[], unknown: string[], severity: Severity): ReplicaDeviation {
  const { pod } = s;
  const result: ReplicaDeviation = {
    pod: pod.pod,
    severity,
    reasons,
    uniqueBinaries: unique.slice(0, MAX_LISTED),
    uniqueUnknownBinaries: unknown.slice(0, MAX_LISTED),
    jaccard: s.jaccard,
    execRate: s.execRate,
    execs: pod.execs,
    peers: s.peers.map((p) => p.pod).slice(0, MAX_LISTED),
    windowMs,
  };
  if (pod.imageDigest !== undefined) result.imageDigest = pod.imageDigest;
  if (pod.node !== undefined) result.node = pod.node;
  return result;
}

/**
 * Far above the peers (z), by a large absolute margin in every minute of the window, on
 * a pod that has been up for the whole window: a young pod's start-up is not a rate.
 */
function sustainedHighRate(s: ReplicaScores, snapshot: WindowSnapshot, t: CompareThresholds): boolean {
  const { pod, peers, execRate } = s;
  if (median([pod, ...peers].map((p) => p.total)) < t.minExecsForStatistics) return false;
  if (execRate.z < t.zScore) return false;
  if (pod.since === undefined || !pod.perMinute || timeToMillis(snapshot.time) - timeToMillis(pod.since) < snapshot.windowMs) return false;
  const floor = execRate.median + t.minRateExcessPerMinute;
  return pod.perMinute.every((n) => n >= floor);
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
