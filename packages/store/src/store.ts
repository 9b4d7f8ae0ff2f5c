import type { Baseline, BaselineEntry, BaselineId } from "@outlier/baseline";

/** Changes to one baseline, written together. */
export interface BaselineWrite {
  id: BaselineId;
  baseline?: Baseline;
  upsert?: BaselineEntry[];
  remove?: string[];
  /** Delete every entry first (reset), and every decision. */
  clearEntries?: boolean;
  /**
   * A person's review (the CLI): the approved and denied entries it writes are kept as
   * decisions that win over any later detector write of the same entry, until a person
   * changes them again.
   */
  byPerson?: boolean;
}

export interface StoredBaseline {
  baseline: Baseline;
  entries: Map<string, BaselineEntry>;
}

/** Who changed a baseline, what, when and why: the review log. */
export interface ReviewRecord {
  time: string; // wall clock, RFC 3339
  actor: string;
  action: string; // approve, deny, remove-entry, lock, unlock, reset, import
  binary?: string;
  reason?: string;
}

export interface BaselineFilter {
  cluster?: string;
  namespace?: string;
}

/**
 * Where baselines live. The Redis implementation serves production and the CLI; the
 * in-memory one serves `replay` and tests. Both pass the same contract tests.
 */
export interface BaselineStore {
  /** The baseline and all its entries (one round trip on Redis), or undefined. */
  load(id: BaselineId): Promise<StoredBaseline | undefined>;
  /** All writes in one pipeline. */
  write(writes: BaselineWrite[]): Promise<void>;
  list(filter?: BaselineFilter): Promise<Baseline[]>;
  appendReview(id: BaselineId, record: ReviewRecord): Promise<void>;
  history(id: BaselineId, limit?: number): Promise<ReviewRecord[]>;
  /** Tells every detector that a person changed this baseline. */
  publishChange(id: BaselineId): Promise<void>;
  /** Calls `onChange` with the baseline key of each published change; returns an unsubscribe. */
  subscribe(onChange: (baselineKey: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
