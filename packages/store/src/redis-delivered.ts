import { DEFAULT_REDIS_PREFIX } from "./redis-config.ts";
import type { Cluster, Redis } from "ioredis";
import { DEFAULT_DELIVERED_TTL_MS, type DeliveredStore, type DeliveryRef } from "./delivered.ts";

export interface RedisDeliveredStoreOptions {
  prefix?: string;
  ttlMs?: number;
}

/**
 * Delivery marks in Redis: `<p>delivered:{<destination>}:<findingId>` = "1" with a TTL.
 * The destination is the key's hash tag, so one destination's marks share a Redis Cluster
 * slot and are read with one MGET. The commands of a call are sent together by ioredis
 * auto-pipelining: one round trip on a standalone server (one per slot on a cluster).
 */
export class RedisDeliveredStore implements DeliveredStore {
  readonly stats = { roundTrips: 0 };
  readonly #client: Redis | Cluster;
  readonly #prefix: string;
  readonly #ttlMs: number;

  constructor(client: Redis | Cluster, options: RedisDeliveredStoreOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#ttlMs = options.ttlMs ?? DEFAULT_DELIVERED_TTL_MS;
  }

  async delivered(refs: readonly DeliveryRef[]): Promise<boolean[]> {
    if (refs.length === 0) return [];
    this.stats.roundTrips++;
    const byDestination = new Map<string, number[]>();
    refs.forEach((ref, i) => byDestination.set(ref.destination, [...(byDestination.get(ref.destination) ?? []), i]));
    const result = refs.map(() => false);
    await Promise.all(
      [...byDestination].map(async ([destination, indexes]) => {
        const values = await this.#client.mget(indexes.map((i) => this.#key(destination, refs[i]!.findingId)));
        indexes.forEach((refIndex, i) => (result[refIndex] = values[i] !== null));
      }),
    );
    return result;
  }

  async markDelivered(refs: readonly DeliveryRef[]): Promise<void> {
    if (refs.length === 0) return;
    this.stats.roundTrips++;
    await Promise.all(refs.map((ref) => this.#client.set(this.#key(ref.destination, ref.findingId), "1", "PX", this.#ttlMs)));
  }

  /** The client is the caller's: it may be shared with other stores. */
  async close(): Promise<void> {}

  #key(destination: string, findingId: string): string {
    return `${this.#prefix}delivered:{${destination}}:${findingId}`;
  }
}
