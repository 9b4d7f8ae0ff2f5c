import { EventEmitter } from "node:events";
import { baselineKeyOf, type Baseline, type BaselineEntry, type BaselineId } from "@outlier/baseline";
import { decisionChanges, withDecisions } from "./decisions.ts";
import type { BaselineFilter, BaselineStore, BaselineWrite, ReviewRecord, StoredBaseline } from "./store.ts";

const MAX_REVIEW = 1000;

/** In-process store for replay and tests; values are copied in and out like a real store. */
export class MemoryBaselineStore implements BaselineStore {
  readonly #baselines = new Map<string, Baseline>();
  readonly #entries = new Map<string, Map<string, BaselineEntry>>();
  readonly #decisions = new Map<string, Map<string, string>>();
  readonly #reviews = new Map<string, ReviewRecord[]>();
  readonly #changes = new EventEmitter();

  async load(id: BaselineId): Promise<StoredBaseline | undefined> {
    const key = baselineKeyOf(id);
    const baseline = this.#baselines.get(key);
    if (!baseline) return undefined;
    const entries = new Map([...(this.#entries.get(key) ?? [])].map(([b, e]) => [b, structuredClone(e)]));
    return { baseline: structuredClone(baseline), entries: withDecisions(entries, this.#decisions.get(key) ?? new Map()) };
  }

  async write(writes: BaselineWrite[]): Promise<void> {
    for (const w of writes) {
      const key = baselineKeyOf(w.id);
      if (w.baseline) this.#baselines.set(key, structuredClone(w.baseline));
      let entries = this.#entries.get(key);
      if (!entries || w.clearEntries) this.#entries.set(key, (entries = new Map()));
      for (const e of w.upsert ?? []) entries.set(e.binary, structuredClone(e));
      for (const b of w.remove ?? []) entries.delete(b);
      let decisions = this.#decisions.get(key);
      if (!decisions || w.clearEntries) this.#decisions.set(key, (decisions = new Map()));
      const { set, forget } = decisionChanges(w);
      for (const [binary, status] of set) decisions.set(binary, status);
      for (const binary of forget) decisions.delete(binary);
    }
  }

  async list(filter: BaselineFilter = {}): Promise<Baseline[]> {
    return [...this.#baselines.values()]
      .filter((b) => matches(b.id, filter))
      .map((b) => structuredClone(b))
      .sort((a, b) => baselineKeyOf(a.id).localeCompare(baselineKeyOf(b.id)));
  }

  async appendReview(id: BaselineId, record: ReviewRecord): Promise<void> {
    const key = baselineKeyOf(id);
    const log = this.#reviews.get(key) ?? [];
    log.push({ ...record });
    this.#reviews.set(key, log.slice(-MAX_REVIEW));
  }

  async history(id: BaselineId, limit = 100): Promise<ReviewRecord[]> {
    return (this.#reviews.get(baselineKeyOf(id)) ?? []).slice(-limit);
  }

  async publishChange(id: BaselineId): Promise<void> {
    this.#changes.emit("change", baselineKeyOf(id));
  }

  async subscribe(onChange: (baselineKey: string) => void): Promise<() => Promise<void>> {
    this.#changes.on("change", onChange);
    return async () => void this.#changes.off("change", onChange);
  }

  async close(): Promise<void> {
    this.#changes.removeAllListeners();
  }
}

export function matches(id: BaselineId, filter: BaselineFilter): boolean {
  return (!filter.cluster || id.cluster === filter.cluster) && (!filter.namespace || id.namespace === filter.namespace);
}
