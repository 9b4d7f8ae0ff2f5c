import { timeToMillis } from "@outlier/contracts";
import type { RuleContext } from "./rule.ts";

export interface MemorySeenSetOptions {
  /** Most keys kept over all kinds; the least recently seen is forgotten first. */
  maxKeys?: number;
  /**
   * How long, from the first event of a kind, that kind is still learning (event time):
   * the detector passes its baselines' learning window. 0 turns learning off: the first
   * key ever seen already raises a finding.
   */
  learningMs?: number;
}

export const DEFAULT_SEEN_MAX_KEYS = 100_000;
export const DEFAULT_LEARNING_MS = 24 * 60 * 60 * 1000;

/**
 * The in-memory learned set behind stateful rules (and the reference for RedisSeenSet in
 * @outlier/store, which keeps it across restarts; both pass the same contract tests).
 * Bounded: past `maxKeys` the least recently seen key is forgotten, so a forgotten
 * principal can raise one more "new" finding, never an unbounded memory.
 */
export class MemorySeenSet implements Pick<RuleContext, "seen" | "learning"> {
  readonly #keys = new Map<string, true>();
  readonly #learningStart = new Map<string, number>();
  readonly #maxKeys: number;
  readonly #learningMs: number;

  constructor(options: MemorySeenSetOptions = {}) {
    this.#maxKeys = options.maxKeys ?? DEFAULT_SEEN_MAX_KEYS;
    this.#learningMs = options.learningMs ?? DEFAULT_LEARNING_MS;
  }

  get size(): number {
    return this.#keys.size;
  }

  async seen(kind: string, key: string): Promise<boolean> {
    const entry = `${kind}\u0000${key}`;
    const known = this.#keys.delete(entry); // re-inserted below: Map order is recency order
    this.#keys.set(entry, true);
    if (this.#keys.size > this.#maxKeys) {
      const oldest = this.#keys.keys().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
    }
    return known;
  }

  async learning(kind: string, time: string): Promise<boolean> {
    const at = timeToMillis(time);
    const start = this.#learningStart.get(kind) ?? at;
    if (!this.#learningStart.has(kind)) this.#learningStart.set(kind, at);
    return at - start < this.#learningMs;
  }
}
