import type { Redis } from "ioredis";
import type { RedisConnection } from "./redis-config.ts";
import { RedisDeliveredStore, type RedisDeliveredStoreOptions } from "./redis-delivered.ts";
import { RedisFindingLog, type RedisFindingLogOptions } from "./redis-finding-log.ts";
import { RedisSeenSet, type RedisSeenSetOptions } from "./redis-seen-set.ts";
import { connectRedis, RedisBaselineStore } from "./redis-store.ts";
import { RedisReplicaSnapshotStore, type ReplicaSnapshotOptions } from "./replica-snapshots.ts";
import { RedisLabelIndex } from "./workload-labels.ts";

/** What a store is given besides the client: everything but the prefix, which the connection supplies. */
type Without<T> = Omit<T, "prefix">;

/**
 * The one way the services and the CLI open Outlier's Redis: one client (ACL user, TLS
 * and CA as configured) and the key prefix, which every store made here carries: a store
 * built by hand on a bare client falls back to the default prefix, where a detector
 * configured with another one never looks.
 */
export class OutlierRedis {
  readonly client: Redis;
  readonly prefix: string;

  private constructor(client: Redis, prefix: string) {
    this.client = client;
    this.prefix = prefix;
  }

  /** Connects (fails fast with a clear message when Redis is unreachable or refuses the user). */
  static async open(conn: RedisConnection): Promise<OutlierRedis> {
    return new OutlierRedis(await connectRedis(conn.url, conn), conn.prefix);
  }

  baselines(): RedisBaselineStore {
    return new RedisBaselineStore(this.client, { prefix: this.prefix });
  }

  labels(): RedisLabelIndex {
    return new RedisLabelIndex(this.client, { prefix: this.prefix });
  }

  replicaSnapshots(options: ReplicaSnapshotOptions = {}): RedisReplicaSnapshotStore {
    return new RedisReplicaSnapshotStore(this.client, { ...options, prefix: this.prefix });
  }

  findingLog(options: Without<RedisFindingLogOptions> = {}): RedisFindingLog {
    return new RedisFindingLog(this.client, { ...options, prefix: this.prefix });
  }

  seen(options: Without<RedisSeenSetOptions> = {}): RedisSeenSet {
    return new RedisSeenSet(this.client, { ...options, prefix: this.prefix });
  }

  delivered(options: Without<RedisDeliveredStoreOptions> = {}): RedisDeliveredStore {
    return new RedisDeliveredStore(this.client, { ...options, prefix: this.prefix });
  }

  async close(): Promise<void> {
    await this.client.quit();
  }
}
