import { DEFAULT_REDIS_PREFIX } from "./redis-config.ts";
import type { Cluster, Redis } from "ioredis";
import { timeToMillis } from "@outlier/contracts";
import { DEFAULT_POLICY } from "@outlier/baseline";
import { DEFAULT_SEEN_TTL_MS, type SeenSet } from "./seen-set.ts";

export interface RedisSeenSetOptions {
  prefix?: string;
  /** A kind's learning period from its first event (event time); the detector passes its baselines' learning window. */
  learningMs?: number;
  /** A learned key not seen again for this long is forgotten (Redis TTL, wall clock). */
  ttlMs?: number;
  /** Keys known to be learned, kept in memory so that a repeat costs no round trip. */
  maxCachedKeys?: number;
}

const DEFAULT_MAX_CACHED_KEYS = 100_000;

/**
 * The learned set in Redis, so that a restarted (or another) detector keeps what was
 * learned and when learning began, instead of starting a new learning period:
 *
 *   <p>seen:<kind>:{<key>}      "1" with a TTL    one learned key; the key is the hash tag, spreading keys over Cluster slots
 *   <p>seen-learning:{<kind>}   epoch ms          the kind's first event time (set once, NX)
 *
 * `seen` is one `SET … PX ttl GET`: atomic test-and-set across detectors, and each sighting
 * renews the TTL, so the set is bounded by what was seen within the TTL. Keys known to be
 * learned are cached (bounded, least recently seen dropped first) and only renewed in Redis
 * once half their TTL has passed: a repeat costs no round trip. Needs Redis ≥ 7.0 (SET NX GET).
 */
export class RedisSeenSet implements SeenSet {
  readonly stats = { roundTrips: 0 };
  readonly #client: Redis | Cluster;
  readonly #prefix: string;
  readonly #learningMs: number;
  readonly #ttlMs: number;
  readonly #maxCached: number;
  /** kind\0key → wall-clock ms of its last renewal in Redis; Map order is recency order. */
  readonly #cached = new Map<string, number>();
  readonly #learningStart = new Map<string, number>();

  constructor(client: Redis | Cluster, options: RedisSeenSetOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
    this.#learningMs = options.learningMs ?? DEFAULT_POLICY.learningWindowMs;
    this.#ttlMs = options.ttlMs ?? DEFAULT_SEEN_TTL_MS;
    this.#maxCached = options.maxCachedKeys ?? DEFAULT_MAX_CACHED_KEYS;
  }

  async seen(kind: string, key: string): Promise<boolean> {
    const entry = `${kind}\u0000${key}`;
    const renewedAt = this.#cached.get(entry);
    const now = Date.now();
    this.#cached.delete(entry); // re-inserted below: most recent last
    if (renewedAt !== undefined && now - renewedAt < this.#ttlMs / 2) {
      this.#cached.set(entry, renewedAt);
      return true;
    }
    this.stats.roundTrips++;
    const previous = await this.#client.set(`${this.#prefix}seen:${kind}:{${key}}`, "1", "PX", this.#ttlMs, "GET");
    this.#cached.set(entry, now);
    if (this.#cached.size > this.#maxCached) this.#cached.delete(this.#cached.keys().next().value!);
    return previous !== null;
  }

  async learning(kind: string, time: string): Promise<boolean> {
    const at = timeToMillis(time);
    let start = this.#learningStart.get(kind);
    if (start === undefined) {
      this.stats.roundTrips++;
      const earlier = await this.#client.set(`${this.#prefix}seen-learning:{${kind}}`, String(at), "NX", "GET");
      start = earlier === null ? at : Number(earlier);
      this.#learningStart.set(kind, start);
    }
    return at - start < this.#learningMs;
  }
}
