import { timeFromMillis, timeToMillis } from "@outlier/contracts";
import type { CompareThresholds } from "./compare.ts";

export interface ReplicaWindowOptions {
  /** Sliding event-time window. */
  windowMs?: number;
  /** Counts are kept per bucket of this size, so memory does not grow with the exec rate. */
  bucketMs?: number;
  maxPods?: number;
  maxBinariesPerPod?: number;
  /** How long the window remembers which pods last ran each binary (`peerRanRecently`). */
  horizonMs?: number;
  /** Binaries remembered per image digest for the horizon. */
  maxRecentBinaries?: number;
}

/** What one pod ran in the window. */
export interface PodExecs {
  pod: string;
  imageDigest?: string;
  node?: string;
  /** Exec count per binary, keys sorted. */
  execs: Record<string, number>;
  total: number;
  /** Event time of the pod's first exec since it last entered the window: its history here (absent in older snapshots). */
  since?: string;
  /** Execs per minute of the window, oldest first (absent in older snapshots). */
  perMinute?: number[];
}

export interface WindowSnapshot {
  /** The end of the window. */
  time: string;
  windowMs: number;
  /** Pods sorted by name. */
  pods: PodExecs[];
}

/** Records dropped to stay bounded or because they were older than the window. */
export interface WindowOverflow {
  pods: number;
  binaries: number;
  late: number;
}

interface PodActivity {
  pod: string;
  imageDigest: string | undefined;
  node: string | undefined;
  /** binary → execs in the window: what comparisons read, kept current as buckets come and go. */
  totals: Map<string, number>;
  /** Execs in the window, all binaries. */
  total: number;
  /** Event time (ms) of its first exec since it last entered the window. */
  sinceMs: number;
  /** Per-bucket counts, oldest first, so eviction subtracts whole buckets. */
  buckets: Bucket[];
}

/** One bucket's counts as parallel arrays: a bucket holds a few binaries, and a Map each was most of the garbage. */
interface Bucket {
  index: number;
  binaries: string[];
  counts: number[];
}

/** The last two pods that ran a binary (on one image) and when: enough to tell whether a peer of any pod did. */
interface Recent {
  pod: string;
  ms: number;
  otherPod: string | undefined;
  otherMs: number;
}

/**
 * Exec counts per (pod, image digest, binary) over a sliding event-time window, for
 * the containers of one baseline. Bounded: pods and binaries beyond the limits are
 * dropped and counted. A pod seen on a new digest starts over (a new image is a new
 * replica for comparison).
 */
export class ReplicaWindow {
  readonly windowMs: number;
  readonly #bucketMs: number;
  readonly #maxPods: number;
  readonly #maxBinaries: number;
  readonly #horizonMs: number;
  readonly #maxRecent: number;
  readonly #pods = new Map<string, PodActivity>();
  /** image digest → binary → the last pods that ran it, kept for the horizon. */
  readonly #recent = new Map<string, Map<string, Recent>>();
  #recentSweptAt = Number.NEGATIVE_INFINITY;
  #watermark = Number.NEGATIVE_INFINITY;
  /** Buckets before this one are already evicted: eviction runs once per bucket, not per call. */
  #evictedBefore = Number.NEGATIVE_INFINITY;
  readonly overflow: WindowOverflow = { pods: 0, binaries: 0, late: 0 };

  constructor(options: ReplicaWindowOptions = {}) {
    this.windowMs = options.windowMs ?? 5 * 60_000;
    this.#bucketMs = options.bucketMs ?? 10_000;
    this.#maxPods = options.maxPods ?? 256;
    this.#maxBinaries = options.maxBinariesPerPod ?? 256;
    this.#horizonMs = options.horizonMs ?? 60 * 60_000;
    this.#maxRecent = options.maxRecentBinaries ?? 512;
  }

  /** False when the record was dropped (late or over a limit). */
  record(pod: string, imageDigest: string | undefined, binary: string, time: string, node?: string): boolean {
    const ms = timeToMillis(time);
    if (ms <= this.#watermark - this.windowMs) return this.#drop("late");
    this.#watermark = Math.max(this.#watermark, ms);
    let activity = this.#pods.get(pod);
    if (activity?.imageDigest !== imageDigest) activity = undefined;
    if (!activity && !this.#pods.has(pod) && this.#pods.size >= this.#maxPods) return this.#drop("pods");
    if (!activity) {
      activity = { pod, imageDigest, node, totals: new Map(), total: 0, sinceMs: ms, buckets: [] };
      this.#pods.set(pod, activity);
    }
    const total = activity.totals.get(binary);
    if (total === undefined && activity.totals.size >= this.#maxBinaries) return this.#drop("binaries");
    activity.totals.set(binary, (total ?? 0) + 1);
    activity.total += 1;
    countInBucket(activity.buckets, Math.floor(ms / this.#bucketMs), binary);
    this.#remember(pod, imageDigest ?? "", binary, ms);
    return true;
  }

  /** True when a pod other than `pod`, on `imageDigest`, ran `binary` within the horizon. */
  peerRanRecently(pod: string, imageDigest: string | undefined, binary: string): boolean {
    const recent = this.#recent.get(imageDigest ?? "")?.get(binary);
    if (!recent) return false;
    const oldest = this.#watermark - this.#horizonMs;
    if (recent.pod !== pod) return recent.ms >= oldest;
    return recent.otherPod !== undefined && recent.otherMs >= oldest;
  }

  #remember(pod: string, digest: string, binary: string, ms: number): void {
    let binaries = this.#recent.get(digest);
    if (!binaries) this.#recent.set(digest, (binaries = new Map()));
    const recent = binaries.get(binary);
    if (!recent) {
      if (binaries.size < this.#maxRecent) binaries.set(binary, { pod, ms, otherPod: undefined, otherMs: 0 });
    } else if (recent.pod === pod) {
      recent.ms = Math.max(recent.ms, ms);
    } else if (ms >= recent.ms) {
      recent.otherPod = recent.pod;
      recent.otherMs = recent.ms;
      recent.pod = pod;
      recent.ms = ms;
    }
  }

  /** Forgets what is older than the horizon, once per minute of event time. */
  #sweepRecent(nowMs: number): void {
    if (nowMs - this.#recentSweptAt < 60_000) return;
    this.#recentSweptAt = nowMs;
    const oldest = nowMs - this.#horizonMs;
    for (const [digest, binaries] of this.#recent) {
      for (const [binary, recent] of binaries) if (recent.ms < oldest) binaries.delete(binary);
      if (binaries.size === 0) this.#recent.delete(digest);
    }
  }

  /** Forgets buckets that ended before `now - windowMs`, then empty pods. */
  evict(now: string): void {
    const nowMs = timeToMillis(now);
    this.#sweepRecent(nowMs);
    const oldest = Math.floor((nowMs - this.windowMs) / this.#bucketMs);
    if (oldest <= this.#evictedBefore) return;
    this.#evictedBefore = oldest;
    for (const activity of this.#pods.values()) {
      const { buckets, totals } = activity;
      while (buckets.length > 0 && buckets[0]!.index < oldest) {
        const { binaries, counts } = buckets.shift()!;
        for (let i = 0; i < binaries.length; i++) {
          const binary = binaries[i]!;
          activity.total -= counts[i]!;
          const left = (totals.get(binary) ?? 0) - counts[i]!;
          if (left > 0) totals.set(binary, left);
          else totals.delete(binary);
        }
      }
      if (totals.size === 0) this.#pods.delete(activity.pod);
    }
  }

  /** True when `pod` ran anything in the window (as last evicted). */
  hasPod(pod: string): boolean {
    return this.#pods.has(pod);
  }

  /** Pods (on `imageDigest`, when given) that ran anything in the window ending at `now`. */
  livePods(now: string, imageDigest?: string): number {
    this.evict(now);
    if (imageDigest === undefined) return this.#pods.size;
    let count = 0;
    for (const activity of this.#pods.values()) if (activity.imageDigest === imageDigest) count += 1;
    return count;
  }

  /** Pods (on `imageDigest`, when given) that ran `binary` in the window. */
  podsRunning(binary: string, imageDigest?: string): number {
    let count = 0;
    for (const activity of this.#pods.values()) {
      if (imageDigest !== undefined && activity.imageDigest !== imageDigest) continue;
      if (activity.totals.has(binary)) count += 1;
    }
    return count;
  }

  /**
   * False when comparing the window ending at `now` cannot find a deviation, so the
   * caller need not build a snapshot: no pod ran enough execs for the statistics, and no
   * binary outside the baseline was run by one pod alone. True whenever unsure (pods on
   * several images). Most windows of a quiet container are like that, and comparing
   * them was a tenth of the detector's time.
   */
  mayDeviate(now: string, baselineContains: (binary: string) => boolean, t: Pick<CompareThresholds, "minGroupSize" | "minExecsForStatistics">): boolean {
    this.evict(now);
    if (this.#pods.size < t.minGroupSize) return false;
    let digest: string | undefined;
    let first = true;
    for (const activity of this.#pods.values()) {
      if (activity.total >= t.minExecsForStatistics) return true;
      if (!first && activity.imageDigest !== digest) return true;
      digest = activity.imageDigest;
      first = false;
    }
    for (const activity of this.#pods.values()) {
      for (const binary of activity.totals.keys()) {
        if (!baselineContains(binary) && this.podsRunning(binary) === 1) return true;
      }
    }
    return false;
  }

  /** The window ending at `now`, evicted first. */
  snapshot(now: string): WindowSnapshot {
    this.evict(now);
    const start = timeToMillis(now) - this.windowMs;
    const minute = (b: Bucket) => Math.floor((b.index * this.#bucketMs - start) / 60_000);
    const pods = [...this.#pods.keys()].sort().map((pod) => podExecs(pod, this.#pods.get(pod)!, Math.ceil(this.windowMs / 60_000), minute));
    return { time: now, windowMs: this.windowMs, pods };
  }

  #drop(reason: keyof WindowOverflow): false {
    this.overflow[reason] += 1;
    return false;
  }
}

/** Counts one exec of `binary` in bucket `index`, created in order (a late record within the window goes in its place). */
function countInBucket(buckets: Bucket[], index: number, binary: string): void {
  let i = buckets.length;
  while (i > 0 && buckets[i - 1]!.index > index) i--;
  const bucket = buckets[i - 1];
  if (bucket?.index !== index) {
    buckets.splice(i, 0, { index, binaries: [binary], counts: [1] });
    return;
  }
  const at = bucket.binaries.indexOf(binary);
  if (at >= 0) bucket.counts[at]! += 1;
  else {
    bucket.binaries.push(binary);
    bucket.counts.push(1);
  }
}

function podExecs(pod: string, activity: PodActivity, minutes: number, minuteOf: (b: Bucket) => number): PodExecs {
  // fromEntries defines own properties, so a binary named "__proto__" is kept (assigning would set the prototype).
  const execs: Record<string, number> = Object.fromEntries([...activity.totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const perMinute = new Array<number>(minutes).fill(0);
  for (const bucket of activity.buckets) {
    const i = Math.min(Math.max(minuteOf(bucket), 0), minutes - 1);
    for (const n of bucket.counts) perMinute[i]! += n;
  }
  const result: PodExecs = { pod, execs, total: activity.total, since: timeFromMillis(activity.sinceMs), perMinute };
  if (activity.imageDigest !== undefined) result.imageDigest = activity.imageDigest;
  if (activity.node !== undefined) result.node = activity.node;
  return result;
}
