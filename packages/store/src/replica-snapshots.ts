import type { Cluster, Redis } from "ioredis";
import { baselineKeyOf, type BaselineId } from "@outlier/baseline";
import type { ReplicaDeviation, WindowSnapshot } from "@outlier/replicas";
import { redisKeys, type RedisKeys } from "./redis-keys.ts";
import { subscribeTo } from "./redis-subscribe.ts";

/** The detector's last replica comparison of one baseline: the window it compared and what stood out. */
export type ReplicaSnapshot = WindowSnapshot & {
  deviations: ReplicaDeviation[];
  /** Event time of the comparison. */
  time: string;
  /** Wall-clock time (epoch ms) the store took it, set by `put`: tells a fresh answer to `request` from an older one. */
  writtenAt?: number;
};

/** A snapshot older than this is gone: a workload no longer compared shows nothing rather than stale data. */
export const REPLICA_SNAPSHOT_TTL_MS = 15 * 60_000;
/** The last window with a deviation is kept this long: a person looks at it after the finding, maybe days later. */
export const DEVIATION_SNAPSHOT_TTL_MS = 7 * 24 * 60 * 60_000;

/**
 * The last replica window per baseline, read by `outlier replicas`: the CLI asks the
 * running detectors for it (`request`), the one that holds the workload writes it (`put`);
 * detectors also write one when they report a deviation.
 */
export interface ReplicaSnapshotStore {
  put(id: BaselineId, snapshot: ReplicaSnapshot): Promise<void>;
  get(id: BaselineId): Promise<ReplicaSnapshot | undefined>;
  /** The last snapshot `put` with a deviation (kept DEVIATION_SNAPSHOT_TTL_MS), for `outlier replicas` after a finding. */
  lastDeviation(id: BaselineId): Promise<ReplicaSnapshot | undefined>;
  /** Asks every listening detector to write this baseline's window now; resolves to how many listen (0: none runs). */
  request(id: BaselineId): Promise<number>;
  /** A detector's side of `request`: called with the baseline key. Resolves to a function that stops listening. */
  listen(onRequest: (baselineKey: string) => void): Promise<() => Promise<void>>;
}

export interface ReplicaSnapshotOptions {
  ttlMs?: number;
  deviationTtlMs?: number;
}

export class MemoryReplicaSnapshotStore implements ReplicaSnapshotStore {
  readonly #snapshots = new Map<string, { expiresAt: number; snapshot: ReplicaSnapshot }>();
  readonly #deviations = new Map<string, { expiresAt: number; snapshot: ReplicaSnapshot }>();
  readonly #ttlMs: number;
  readonly #deviationTtlMs: number;
  readonly #now: () => number;

  /** `now` is the wall clock (epoch ms); tests pass their own. */
  constructor(opts: ReplicaSnapshotOptions & { now?: () => number } = {}) {
    this.#ttlMs = opts.ttlMs ?? REPLICA_SNAPSHOT_TTL_MS;
    this.#deviationTtlMs = opts.deviationTtlMs ?? DEVIATION_SNAPSHOT_TTL_MS;
    this.#now = opts.now ?? Date.now;
  }

  readonly #listeners = new Set<(baselineKey: string) => void>();

  async put(id: BaselineId, snapshot: ReplicaSnapshot): Promise<void> {
    const now = this.#now();
    const stored = { ...structuredClone(snapshot), writtenAt: now };
    this.#snapshots.set(baselineKeyOf(id), { expiresAt: now + this.#ttlMs, snapshot: stored });
    if (snapshot.deviations.length > 0) this.#deviations.set(baselineKeyOf(id), { expiresAt: now + this.#deviationTtlMs, snapshot: stored });
  }

  async request(id: BaselineId): Promise<number> {
    for (const listener of this.#listeners) listener(baselineKeyOf(id));
    return this.#listeners.size;
  }

  async listen(onRequest: (baselineKey: string) => void): Promise<() => Promise<void>> {
    const listener = (key: string) => onRequest(key);
    this.#listeners.add(listener);
    return async () => void this.#listeners.delete(listener);
  }

  async get(id: BaselineId): Promise<ReplicaSnapshot | undefined> {
    return this.#live(this.#snapshots, id);
  }

  async lastDeviation(id: BaselineId): Promise<ReplicaSnapshot | undefined> {
    return this.#live(this.#deviations, id);
  }

  #live(from: Map<string, { expiresAt: number; snapshot: ReplicaSnapshot }>, id: BaselineId): ReplicaSnapshot | undefined {
    const stored = from.get(baselineKeyOf(id));
    if (!stored || stored.expiresAt <= this.#now()) return undefined;
    return structuredClone(stored.snapshot);
  }
}

/** Snapshots as JSON strings with a Redis TTL, in the baseline's hash-tagged key space. */
export class RedisReplicaSnapshotStore implements ReplicaSnapshotStore {
  readonly #client: Redis | Cluster;
  readonly #keys: RedisKeys;
  readonly #ttlMs: number;
  readonly #deviationTtlMs: number;

  constructor(client: Redis | Cluster, opts: ReplicaSnapshotOptions & { prefix?: string } = {}) {
    this.#client = client;
    this.#keys = redisKeys(opts.prefix);
    this.#ttlMs = opts.ttlMs ?? REPLICA_SNAPSHOT_TTL_MS;
    this.#deviationTtlMs = opts.deviationTtlMs ?? DEVIATION_SNAPSHOT_TTL_MS;
  }

  async put(id: BaselineId, snapshot: ReplicaSnapshot): Promise<void> {
    const json = JSON.stringify({ ...snapshot, writtenAt: Date.now() });
    const writes = [this.#client.set(this.#keys.replicas(id), json, "PX", this.#ttlMs)];
    if (snapshot.deviations.length > 0) writes.push(this.#client.set(this.#keys.replicaDeviation(id), json, "PX", this.#deviationTtlMs));
    await Promise.all(writes);
  }

  async request(id: BaselineId): Promise<number> {
    return this.#client.publish(this.#keys.replicaRequests, baselineKeyOf(id));
  }

  async listen(onRequest: (baselineKey: string) => void): Promise<() => Promise<void>> {
    const sub = await subscribeTo(this.#client, this.#keys.replicaRequests, onRequest);
    return async () => void (await sub.quit());
  }

  async get(id: BaselineId): Promise<ReplicaSnapshot | undefined> {
    return this.#read(this.#keys.replicas(id));
  }

  async lastDeviation(id: BaselineId): Promise<ReplicaSnapshot | undefined> {
    return this.#read(this.#keys.replicaDeviation(id));
  }

  async #read(key: string): Promise<ReplicaSnapshot | undefined> {
    const json = await this.#client.get(key);
    return json === null ? undefined : (JSON.parse(json) as ReplicaSnapshot);
  }
}
