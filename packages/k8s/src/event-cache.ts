export type ReleaseReason = "retries_exhausted" | "overflow" | "closed";

export type CacheOutcome<R> =
  | { resolved: true; value: R; /** ticks it waited */ ticks: number }
  | { resolved: false; reason: ReleaseReason };

export interface EventCacheOptions<T, R> {
  /** Tries once more to resolve an item; undefined means "not yet". */
  tryResolve: (item: T) => R | undefined;
  /** How many ticks an item is retried before it is released unresolved. */
  retries: number;
  tickMs: number;
  /** Held items at most; when full, the oldest is released unresolved. */
  maxEntries: number;
}

interface Entry<T, R> {
  item: T;
  ticks: number;
  settle: (outcome: CacheOutcome<R>) => void;
}

/**
 * Holds items that cannot be resolved yet (an event whose pod the cache does not know
 * yet) and retries them on a tick, like Tetragon's pkg/eventcache. Every item is
 * released exactly once: resolved, or unresolved with a reason. The timer runs only
 * while something is held.
 */
export class EventCache<T, R> {
  private readonly options: EventCacheOptions<T, R>;
  /** Insertion order is age order: the first entry is the oldest. */
  private readonly entries = new Map<number, Entry<T, R>>();
  private nextId = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: EventCacheOptions<T, R>) {
    this.options = options;
  }

  get size(): number {
    return this.entries.size;
  }

  hold(item: T): Promise<CacheOutcome<R>> {
    const { promise, resolve } = Promise.withResolvers<CacheOutcome<R>>();
    if (this.entries.size >= this.options.maxEntries) this.releaseOldest();
    this.entries.set(this.nextId++, { item, ticks: 0, settle: resolve });
    this.timer ??= setInterval(() => this.tick(), this.options.tickMs);
    return promise;
  }

  tick(): void {
    for (const [id, entry] of this.entries) {
      entry.ticks += 1;
      const value = this.options.tryResolve(entry.item);
      if (value !== undefined) {
        this.settle(id, entry, { resolved: true, value, ticks: entry.ticks });
      } else if (entry.ticks >= this.options.retries) {
        this.settle(id, entry, { resolved: false, reason: "retries_exhausted" });
      }
    }
  }

  /** Releases everything held, unresolved (shutdown). */
  close(): void {
    for (const [id, entry] of this.entries) this.settle(id, entry, { resolved: false, reason: "closed" });
  }

  private releaseOldest(): void {
    const oldest = this.entries.entries().next();
    if (!oldest.done) this.settle(oldest.value[0], oldest.value[1], { resolved: false, reason: "overflow" });
  }

  private settle(id: number, entry: Entry<T, R>, outcome: CacheOutcome<R>): void {
    this.entries.delete(id);
    if (this.entries.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    entry.settle(outcome);
  }
}
