import type { Finding } from "@outlier/contracts";
import { DEFAULT_RECENT_LIMIT, FINDING_LOG_MAX_LEN, matchesFinding, type FindingLog, type FindingQuery } from "./finding-log.ts";

export interface MemoryFindingLogOptions {
  maxLen?: number;
  /** Wall clock (epoch ms); tests pass their own. */
  now?: () => number;
}

interface Recorded {
  at: number;
  finding: Finding;
}

/** In-process finding log for replay and tests; trims exactly at maxLen. */
export class MemoryFindingLog implements FindingLog {
  readonly #rows: Recorded[] = [];
  readonly #maxLen: number;
  readonly #now: () => number;

  constructor(opts: MemoryFindingLogOptions = {}) {
    this.#maxLen = opts.maxLen ?? FINDING_LOG_MAX_LEN;
    this.#now = opts.now ?? Date.now;
  }

  async append(findings: readonly Finding[]): Promise<void> {
    const at = this.#now();
    for (const finding of findings) this.#rows.push({ at, finding: structuredClone(finding) });
    if (this.#rows.length > this.#maxLen) this.#rows.splice(0, this.#rows.length - this.#maxLen);
  }

  async recent(query: FindingQuery = {}): Promise<Finding[]> {
    const limit = query.limit ?? DEFAULT_RECENT_LIMIT;
    const ids = new Set<string>();
    const out: Finding[] = [];
    for (let i = this.#rows.length - 1; i >= 0 && out.length < limit; i--) {
      const { at, finding } = this.#rows[i]!;
      if (query.since !== undefined && at < query.since) break;
      if (ids.has(finding.id) || !matchesFinding(finding, query)) continue;
      ids.add(finding.id);
      out.push(structuredClone(finding));
    }
    return out;
  }

  async close(): Promise<void> {}
}
