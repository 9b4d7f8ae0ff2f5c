import type { Cluster, Redis } from "ioredis";
import { baselineKeyOf, type BaselineId } from "@outlier/baseline";
import type { ReplicaDeviation, WindowSnapshot } from "@outlier/replicas";
import { redisKeys, type RedisKeys } from "./redis-keys.ts";

/** The detector's last replica comparison of one baseline: the window it compared and what stood out. */
export type ReplicaSnapshot = WindowSnapshot & {
  deviations: ReplicaDeviation[];
  /** Event time of the comparison. */
  time: string;
};

/** A snapshot older than this is gone: a workload no longer compared shows nothing rather than stale data. */
export const REPLICA_SNAPSHOT_TTL_MS = 15 * 60_000;

/** The last replica window per baseline, written by the detector at each comparison, read by `outlier replicas`. */
export interface ReplicaSnapshotStore {
  put(id: BaselineId, snapshot: ReplicaSnapshot): Promise<void>;
  get(id: BaselineId): Promise<ReplicaSnapshot | undefined>;
}

export interface ReplicaSnapshotOptions {
  ttlMs?: number;
}

export class MemoryReplicaSnapshotStore implements ReplicaSnapshotStore {
  readonly #snapshots = new Map<string, { expiresAt: number; snapshot: ReplicaSnapshot }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  /** `now` is the wall clock (epoch ms); tests pass their own. */
  constructor(opts: ReplicaSnapshotOptions & { now?: () => number } = {}) {
    this.#ttlMs = opts.ttlMs ?? REPLICA_SNAPSHOT_TTL_MS;
    this.#now = opts.now ?? Date.now;
  }

  async put(id: BaselineId, snapshot: ReplicaSnapshot): Promise<void> {
    this.#snapshots.set(baselineKeyOf(id), { expiresAt: this.#now() + this.#ttlMs, snapshot: structuredClone(snapshot) });
  }

  async get(id: BaselineId): Promise<ReplicaSnapshot | undefined> {
    const stored = this.#snapshots.get(baselineKeyOf(id));
    if (!stored || stored.expiresAt <= this.#now()) return undefined;
    return structuredClone(stored.snapshot);
  }
}

/** Snapshots as JSON strings with a Redis TTL, in the baseline's hash-tagged key space. */
export class RedisReplicaSnapshotStore implements ReplicaSnapshotStore {
  readonly #client: Redis | Cluster;
  readonly #keys: RedisKeys;
  readonly #ttlMs: number;

  constructor(client: Redis | Cluster, opts: ReplicaSnapshotOptions & { prefix?: string } = {}) {
    this.#client = client;
    this.#keys = redisKeys(opts.prefix);
    this.#ttlMs = opts.ttlMs ?? REPLICA_SNAPSHOT_TTL_MS;
  }

  async put(id: BaselineId, snapshot: ReplicaSnapshot): Promise<void> {
    await this.#client.set(this.#keys.replicas(id), JSON.stringify(snapshot), "PX", this.#ttlMs);
  }

  async get(id: BaselineId): Promise<ReplicaSnapshot | undefined> {
    const json = await this.#client.get(this.#keys.replicas(id));
    return json === null ? undefined : (JSON.parse(json) as ReplicaSnapshot);
  }
}
