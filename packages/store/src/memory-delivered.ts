import { DEFAULT_DELIVERED_TTL_MS, type DeliveredStore, type DeliveryRef } from "./delivered.ts";

export interface MemoryDeliveredStoreOptions {
  ttlMs?: number;
  now?: () => number;
}

/** In-process DeliveredStore for the embedded mode and tests; forgets marks after the TTL like Redis. */
export class MemoryDeliveredStore implements DeliveredStore {
  readonly #expires = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: MemoryDeliveredStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_DELIVERED_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  async delivered(refs: readonly DeliveryRef[]): Promise<boolean[]> {
    const now = this.#now();
    return refs.map((ref) => (this.#expires.get(keyOf(ref)) ?? -Infinity) > now);
  }

  async markDelivered(refs: readonly DeliveryRef[]): Promise<void> {
    const now = this.#now();
    for (const [key, at] of this.#expires) if (at <= now) this.#expires.delete(key);
    for (const ref of refs) this.#expires.set(keyOf(ref), now + this.#ttlMs);
  }

  async close(): Promise<void> {}
}

function keyOf(ref: DeliveryRef): string {
  return `${ref.destination}\u0000${ref.findingId}`;
}
