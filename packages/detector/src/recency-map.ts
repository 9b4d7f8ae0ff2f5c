interface Slot<V> {
  value: V;
  /** The insertion clock when the entry last moved to the back. */
  stamp: number;
}

/**
 * A Map bounded to `max` entries that drops the least recently used first. Recency is
 * approximate: a hit moves an entry to the back only once it has fallen into the older
 * half, so most hits cost one lookup instead of a delete and a re-insert (the detector
 * touches several of these maps on every event). An entry used at least once every
 * `max / 2` insertions is never dropped.
 */
export class RecencyMap<V> {
  readonly #max: number;
  readonly #slots = new Map<string, Slot<V>>();
  #clock = 0;

  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#slots.size;
  }

  get(key: string): V | undefined {
    const slot = this.#slots.get(key);
    if (!slot) return undefined;
    if (this.#clock - slot.stamp > this.#max / 2) {
      this.#slots.delete(key);
      slot.stamp = ++this.#clock;
      this.#slots.set(key, slot);
    }
    return slot.value;
  }

  set(key: string, value: V): void {
    this.#slots.delete(key);
    this.#slots.set(key, { value, stamp: ++this.#clock });
    while (this.#slots.size > this.#max) {
      const oldest = this.#slots.keys().next().value;
      if (oldest === undefined) return;
      this.#slots.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#slots.delete(key);
  }

  *entries(): IterableIterator<[string, V]> {
    for (const [key, slot] of this.#slots) yield [key, slot.value];
  }
}
