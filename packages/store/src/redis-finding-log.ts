import type { Cluster, Redis } from "ioredis";
import type { Finding } from "@outlier/contracts";
import { DEFAULT_RECENT_LIMIT, FINDING_LOG_MAX_LEN, matchesFinding, type FindingLog, type FindingQuery } from "./finding-log.ts";
import { redisKeys } from "./redis-keys.ts";
import type { StoreStats } from "./redis-store.ts";

export interface RedisFindingLogOptions {
  prefix?: string;
  maxLen?: number;
}

/** Stream entries read per XREVRANGE while filtering. */
const PAGE = 500;

/**
 * The finding log as a capped Redis stream (`<prefix>findings`, one entry per finding,
 * XADD MAXLEN ~). Entry ids are the server's clock, so `since` is a range bound, not a
 * scan; the other filters are applied while reading newest first.
 */
export class RedisFindingLog implements FindingLog {
  readonly stats: StoreStats = { roundTrips: 0 };
  readonly #client: Redis | Cluster;
  readonly #key: string;
  readonly #maxLen: number;

  constructor(client: Redis | Cluster, opts: RedisFindingLogOptions = {}) {
    this.#client = client;
    this.#key = redisKeys(opts.prefix).findings;
    this.#maxLen = opts.maxLen ?? FINDING_LOG_MAX_LEN;
  }

  /** One pipelined round trip (auto-pipelining) for the whole batch. */
  async append(findings: readonly Finding[]): Promise<void> {
    if (findings.length === 0) return;
    this.stats.roundTrips++;
    await Promise.all(findings.map((f) => this.#client.xadd(this.#key, "MAXLEN", "~", this.#maxLen, "*", "finding", JSON.stringify(f))));
  }

  async recent(query: FindingQuery = {}): Promise<Finding[]> {
    const limit = query.limit ?? DEFAULT_RECENT_LIMIT;
    const min = query.since === undefined ? "-" : String(Math.max(0, Math.floor(query.since)));
    const ids = new Set<string>();
    const out: Finding[] = [];
    let max = "+";
    while (out.length < limit) {
      const rows = await this.#client.xrevrange(this.#key, max, min, "COUNT", PAGE);
      for (const [, fields] of rows) {
        const finding = JSON.parse(fields[1] ?? "{}") as Finding;
        if (ids.has(finding.id) || !matchesFinding(finding, query)) continue;
        ids.add(finding.id);
        out.push(finding);
        if (out.length === limit) break;
      }
      const last = rows[rows.length - 1];
      if (rows.length < PAGE || !last) break;
      max = `(${last[0]}`;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#client.quit();
  }
}
