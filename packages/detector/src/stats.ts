/** Counters by name and label, for metrics and the replay summary. Bounded by the label sets used. */
export class DetectorStats {
  readonly #counts = new Map<string, Map<string, number>>();

  count(name: string, label = "", by = 1): void {
    let byLabel = this.#counts.get(name);
    if (!byLabel) this.#counts.set(name, (byLabel = new Map()));
    byLabel.set(label, (byLabel.get(label) ?? 0) + by);
  }

  get(name: string, label = ""): number {
    return this.#counts.get(name)?.get(label) ?? 0;
  }

  total(name: string): number {
    let sum = 0;
    for (const n of this.#counts.get(name)?.values() ?? []) sum += n;
    return sum;
  }

  /** `{ name: { label: count } }`, for JSON output. */
  toJSON(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [name, byLabel] of this.#counts) out[name] = Object.fromEntries(byLabel);
    return out;
  }
}
