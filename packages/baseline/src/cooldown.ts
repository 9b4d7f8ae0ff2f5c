import { timeToMillis, type Finding } from "@outlier/contracts";

export interface CooldownOptions {
  /** Event-time span during which repeats of one dedupKey are counted, not sent. */
  cooldownMs?: number;
  /** Most dedupKeys remembered; the least recently seen is forgotten first. */
  maxKeys?: number;
}

/** The repeats that were held back: "N times across M replicas since T". */
export interface Rollup {
  count: number;
  replicas: number;
  since: string;
}

interface Tracked {
  sentAt: number;
  sentTime: string;
  suppressed: number;
  replicas: Set<string>;
}

const MAX_REPLICAS = 64;

/**
 * Rolls up repeated findings. The first occurrence of a dedupKey passes; repeats within
 * the cooldown are counted; the first occurrence after it passes with a roll-up of the
 * repeats. Repeats still held when a key is never seen again are not reported.
 */
export class Cooldown {
  readonly #cooldownMs: number;
  readonly #maxKeys: number;
  readonly #keys = new Map<string, Tracked>();

  constructor(options: CooldownOptions = {}) {
    this.#cooldownMs = options.cooldownMs ?? 10 * 60_000;
    this.#maxKeys = options.maxKeys ?? 10_000;
  }

  /** The finding to send (possibly with a roll-up), or undefined when it is a repeat. */
  admit(finding: Finding): Finding | undefined {
    const now = timeToMillis(finding.time);
    const tracked = this.#keys.get(finding.dedupKey);
    this.#keys.delete(finding.dedupKey); // re-inserted below: Map order is recency order
    if (tracked && now - tracked.sentAt < this.#cooldownMs) {
      tracked.suppressed += 1;
      if (finding.pod && tracked.replicas.size < MAX_REPLICAS) tracked.replicas.add(finding.pod);
      this.#remember(finding.dedupKey, tracked);
      return undefined;
    }
    this.#remember(finding.dedupKey, { sentAt: now, sentTime: finding.time, suppressed: 0, replicas: new Set() });
    if (!tracked || tracked.suppressed === 0) return finding;
    if (finding.pod) tracked.replicas.add(finding.pod);
    const rollup: Rollup = { count: tracked.suppressed + 1, replicas: tracked.replicas.size, since: tracked.sentTime };
    return { ...finding, summary: `${finding.summary} (${rollupText(rollup)})`, evidence: { ...finding.evidence, rollup } };
  }

  get size(): number {
    return this.#keys.size;
  }

  #remember(key: string, tracked: Tracked): void {
    this.#keys.set(key, tracked);
    if (this.#keys.size > this.#maxKeys) {
      const oldest = this.#keys.keys().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
  }
}

export function rollupText(r: Rollup): string {
  return `${r.count} times across ${r.replicas} replicas since ${r.since}`;
}
