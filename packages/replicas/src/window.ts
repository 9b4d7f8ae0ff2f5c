import { timeToMillis } from "@outlier/contracts";

export interface ReplicaWindowOptions {
  /** Sliding event-time window. */
  windowMs?: number;
  /** Counts are kept per bucket of this size, so memory does not grow with the exec rate. */
  bucketMs?: number;
  maxPods?: number;
  maxBinariesPerPod?: number;
}

/** What one pod ran in the window. */
export interface PodExecs {
  pod: string;
  imageDigest?: string;
  node?: string;
  /** Exec count per binary, keys sorted. */
  execs: Record<string, number>;
  total: number;
}

export interface WindowSnapshot {
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
  imageDigest: string | undefined;
  node: string | undefined;
  /** binary → bucket index → exec count */
  binaries: Map<string, Map<number, number>>;
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
  readonly #pods = new Map<string, PodActivity>();
  #watermark = Number.NEGATIVE_INFINITY;
  /** Buckets before this one are already evicted: eviction runs once per bucket, not per call. */
  #evictedBefore = Number.NEGATIVE_INFINITY;
  readonly overflow: WindowOverflow = { pods: 0, binaries: 0, late: 0 };

  constructor(options: ReplicaWindowOptions = {}) {
    this.windowMs = options.windowMs ?? 5 * 60_000;
    this.#bucketMs = options.bucketMs ?? 10_000;
    this.#maxPods = options.maxPods ?? 256;
    this.#maxBinaries = options.maxBinariesPerPod ?? 256;
  }

  /** False when the record was dropped (late or over a limit). */
  record(pod: string, imageDigest: string | undefined, binary: string, time: string, node?: string): boolean {
    const ms = timeToMillis(time);
    if (ms <= this.#watermark - this.windowMs) return this.#drop("late");
    this.#watermark = Math.max(this.#watermark, ms);
    let activity = this.#pods.get(pod);
    if (activity?.imageDigest !== imageDigest) activity = undefined;
    if (!activity && !this.#pods.has(pod) && this.#pods.size >= this.#maxPods) return this.#drop("pods");
    activity ??= { imageDigest, node, binaries: new Map() };
    this.#pods.set(pod, activity);
    let buckets = activity.binaries.get(binary);
    if (!buckets) {
      if (activity.binaries.size >= this.#maxBinaries) return this.#drop("binaries");
      buckets = new Map();
      activity.binaries.set(binary, buckets);
    }
    const bucket = Math.floor(ms / this.#bucketMs);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    return true;
  }

  /** Forgets buckets that ended before `now - windowMs`, then empty binaries and pods. */
  evict(now: string): void {
    const oldest = Math.floor((timeToMillis(now) - this.windowMs) / this.#bucketMs);
    if (oldest <= this.#evictedBefore) return;
    this.#evictedBefore = oldest;
    for (const [pod, activity] of this.#pods) {
      for (const [binary, buckets] of activity.binaries) {
        for (const bucket of buckets.keys()) if (bucket < oldest) buckets.delete(bucket);
        if (buckets.size === 0) activity.binaries.delete(binary);
      }
      if (activity.binaries.size === 0) this.#pods.delete(pod);
    }
  }

  /** Pods that ran anything in the window ending at `now`. */
  livePods(now: string): number {
    this.evict(now);
    return this.#pods.size;
  }

  /** Pods (on `imageDigest`, when given) that ran `binary` in the window. */
  podsRunning(binary: string, imageDigest?: string): number {
    let count = 0;
    for (const activity of this.#pods.values()) {
      if (imageDigest !== undefined && activity.imageDigest !== imageDigest) continue;
      if (activity.binaries.has(binary)) count += 1;
    }
    return count;
  }

  /** The window ending at `now`, evicted first. */
  snapshot(now: string): WindowSnapshot {
    this.evict(now);
    const pods = [...this.#pods.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([pod, activity]) => podExecs(pod, activity));
    return { windowMs: this.windowMs, pods };
  }

  #drop(reason: keyof WindowOverflow): false {
    this.overflow[reason] += 1;
    return false;
  }
}

function podExecs(pod: string, activity: PodActivity): PodExecs {
  const execs: Record<string, number> = {};
  let total = 0;
  for (const binary of [...activity.binaries.keys()].sort()) {
    let count = 0;
    for (const n of activity.binaries.get(binary)?.values() ?? []) count += n;
    execs[binary] = count;
    total += count;
  }
  const result: PodExecs = { pod, execs, total };
  if (activity.imageDigest !== undefined) result.imageDigest = activity.imageDigest;
  if (activity.node !== undefined) result.node = activity.node;
  return result;
}
