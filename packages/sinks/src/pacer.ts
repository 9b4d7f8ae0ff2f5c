import { setTimeout as sleep } from "node:timers/promises";

const PRUNE_ABOVE = 1_000;

/**
 * At most one send per `intervalMs` per key (Slack: one message per second per
 * channel). Callers queue for their slot in arrival order; nothing is dropped.
 */
export class Pacer {
  readonly #intervalMs: number;
  readonly #now: () => number;
  /** key → the earliest time the next send may start. */
  readonly #next = new Map<string, number>();

  constructor(intervalMs: number, now: () => number = Date.now) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Resolves when it is this caller's turn for `key`. */
  async wait(key: string, signal?: AbortSignal): Promise<void> {
    const now = this.#now();
    if (this.#next.size > PRUNE_ABOVE) this.#prune(now);
    const at = Math.max(now, this.#next.get(key) ?? 0);
    this.#next.set(key, at + this.#intervalMs);
    if (at > now) await sleep(at - now, undefined, { signal });
  }

  /** The service asked us to wait (429 Retry-After): nobody sends to `key` before then. */
  holdUntil(key: string, until: number): void {
    this.#next.set(key, Math.max(this.#next.get(key) ?? 0, until));
  }

  #prune(now: number): void {
    for (const [key, at] of this.#next) if (at <= now) this.#next.delete(key);
  }
}
