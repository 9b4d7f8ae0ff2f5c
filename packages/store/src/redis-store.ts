import { readFileSync } from "node:fs";
import { Redis, type Cluster, type RedisOptions } from "ioredis";
import { baselineKeyOf, type Baseline, type BaselineEntry, type BaselineId } from "@outlier/baseline";
import { decisionChanges, withDecisions } from "./decisions.ts";
import { matches } from "./memory-store.ts";
import { redisKeys, type RedisKeys } from "./redis-keys.ts";
import { subscribeTo } from "./redis-subscribe.ts";
import type { BaselineFilter, BaselineStore, BaselineWrite, ReviewRecord, StoredBaseline } from "./store.ts";

const REVIEW_MAX_LEN = 1000;

export interface RedisStoreOptions {
  prefix?: string;
}

/** Counts store calls; each is one pipelined round trip on a standalone Redis. */
export interface StoreStats {
  roundTrips: number;
}

/**
 * Baselines in Redis. Commands issued together are sent as one pipeline by ioredis
 * auto-pipelining (per slot on Redis Cluster), so a load or a batch write costs one
 * round trip on a standalone server.
 */
export class RedisBaselineStore implements BaselineStore {
  readonly stats: StoreStats = { roundTrips: 0 };
  readonly #client: Redis | Cluster;
  readonly #keys: RedisKeys;
  readonly #subscribers: Redis[] = [];

  constructor(client: Redis | Cluster, opts: RedisStoreOptions = {}) {
    this.#client = client;
    this.#keys = redisKeys(opts.prefix);
  }

  async load(id: BaselineId): Promise<StoredBaseline | undefined> {
    this.stats.roundTrips++;
    const [meta, raw, decisions] = await Promise.all([
      this.#client.get(this.#keys.meta(id)),
      this.#client.hgetall(this.#keys.entries(id)),
      this.#client.hgetall(this.#keys.decisions(id)),
    ]);
    if (meta === null) return undefined;
    const entries = new Map<string, BaselineEntry>();
    for (const [binary, json] of Object.entries(raw)) entries.set(binary, JSON.parse(json) as BaselineEntry);
    return { baseline: JSON.parse(meta) as Baseline, entries: withDecisions(entries, new Map(Object.entries(decisions))) };
  }

  async write(writes: BaselineWrite[]): Promise<void> {
    if (writes.length === 0) return;
    this.stats.roundTrips++;
    const c = this.#client;
    const ops: Promise<unknown>[] = [];
    for (const w of writes) {
      const entriesKey = this.#keys.entries(w.id);
      if (w.clearEntries) ops.push(c.del(entriesKey, this.#keys.decisions(w.id)));
      if (w.baseline) {
        ops.push(c.set(this.#keys.meta(w.id), JSON.stringify(w.baseline)));
        ops.push(c.hset(this.#keys.index, baselineKeyOf(w.id), JSON.stringify(w.id)));
      }
      const upserts = (w.upsert ?? []).flatMap((e) => [e.binary, JSON.stringify(e)]);
      if (upserts.length > 0) ops.push(c.hset(entriesKey, ...upserts));
      if (w.remove?.length) ops.push(c.hdel(entriesKey, ...w.remove));
      const { set, forget } = decisionChanges(w);
      if (set.size > 0) ops.push(c.hset(this.#keys.decisions(w.id), Object.fromEntries(set)));
      if (forget.length > 0) ops.push(c.hdel(this.#keys.decisions(w.id), ...forget));
    }
    await Promise.all(ops);
  }

  async list(filter: BaselineFilter = {}): Promise<Baseline[]> {
    const index = await this.#client.hgetall(this.#keys.index);
    const ids = Object.values(index)
      .map((json) => JSON.parse(json) as BaselineId)
      .filter((id) => matches(id, filter));
    const metas = await Promise.all(ids.map((id) => this.#client.get(this.#keys.meta(id))));
    return metas
      .filter((m): m is string => m !== null)
      .map((m) => JSON.parse(m) as Baseline)
      .sort((a, b) => baselineKeyOf(a.id).localeCompare(baselineKeyOf(b.id)));
  }

  async appendReview(id: BaselineId, record: ReviewRecord): Promise<void> {
    await this.#client.xadd(this.#keys.review(id), "MAXLEN", "~", REVIEW_MAX_LEN, "*", "record", JSON.stringify(record));
  }

  async history(id: BaselineId, limit = 100): Promise<ReviewRecord[]> {
    const rows = await this.#client.xrevrange(this.#keys.review(id), "+", "-", "COUNT", limit);
    return rows.map(([, fields]) => JSON.parse(fields[1] ?? "{}") as ReviewRecord).reverse();
  }

  async publishChange(id: BaselineId): Promise<void> {
    await this.#client.publish(this.#keys.changes, baselineKeyOf(id));
  }

  async subscribe(onChange: (baselineKey: string) => void): Promise<() => Promise<void>> {
    const sub = await subscribeTo(this.#client, this.#keys.changes, onChange);
    this.#subscribers.push(sub);
    return async () => {
      this.#subscribers.splice(this.#subscribers.indexOf(sub), 1);
      await sub.quit();
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.#subscribers.splice(0).map((s) => s.quit()));
    await this.#client.quit();
  }
}

export interface RedisConnectOptions {
  username?: string;
  password?: string;
  tls?: boolean;
  caFile?: string;
}

/** A client with auto-pipelining on; fails fast with a clear error when Redis is unreachable. */
export async function connectRedis(url: string, opts: RedisConnectOptions = {}): Promise<Redis> {
  const options: RedisOptions = {
    enableAutoPipelining: true,
    lazyConnect: true,
    maxRetriesPerRequest: 3,
    connectTimeout: 5000,
  };
  if (opts.username) options.username = opts.username;
  if (opts.password) options.password = opts.password;
  if (opts.tls || opts.caFile || url.startsWith("rediss://")) {
    options.tls = opts.caFile ? { ca: readFileSync(opts.caFile) } : {};
  }
  const client = new Redis(url, options);
  // The socket error (ECONNREFUSED, ENOTFOUND, a TLS failure) says more than connect()'s rejection.
  let socketError: Error | undefined;
  const onError = (e: Error) => (socketError ??= e);
  client.on("error", onError);
  try {
    await client.connect();
  } catch (e) {
    client.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${(socketError ?? (e as Error)).message}`, { cause: e });
  } finally {
    client.off("error", onError);
  }
  return client;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "<invalid url>";
  }
}
