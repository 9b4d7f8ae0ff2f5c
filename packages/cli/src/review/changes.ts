import { applyDecision, DEFAULT_POLICY, lock, reset, unlock, type Baseline, type BaselineEntry, type BaselineId, type Decision } from "@outlier/baseline";
import type { BaselineStore, BaselineWrite, StoredBaseline } from "@outlier/store";
import type { CliIo } from "./io.ts";
import { render, wallClock, type OutputFormat } from "./output.ts";
import { workloadName } from "./select.ts";

/** What a person changed on one baseline: the write and the review records that explain it. */
export interface Change {
  write: BaselineWrite;
  records: { action: string; binary?: string }[];
}

/** Who changes and why, for the review log. */
export interface Author {
  actor: string;
  reason?: string;
}

/**
 * Writes the change, records it in the review log, then tells running detectors,
 * which reload the baseline before their next event of it.
 */
export async function commit(store: BaselineStore, author: Author, change: Change): Promise<void> {
  const id = change.write.id;
  await store.write([{ ...change.write, byPerson: true }]);
  for (const record of change.records) {
    const entry = { time: wallClock(), actor: author.actor, ...record };
    await store.appendReview(id, author.reason ? { ...entry, reason: author.reason } : entry);
  }
  await store.publishChange(id);
}

/**
 * One change as `--output json|yaml` prints it, the same shape from review, lock,
 * unlock, reset and remove-entry: one per review-log record. `before`/`after` are the
 * entry's status for an entry action (null: not stored), else the baseline's state.
 */
export interface ChangeResult {
  workload: string;
  container: string;
  action: string;
  binary?: string;
  before: string | null;
  after: string | null;
  actor: string;
  reason?: string;
}

/** What `change` does to `previous` (its entries are needed for entry actions only). */
export function changeResults(previous: { baseline: Baseline; entries?: ReadonlyMap<string, BaselineEntry> }, change: Change, author: Author): ChangeResult[] {
  const { id, state } = previous.baseline;
  const after = change.write.baseline?.state ?? state;
  return change.records.map(({ action, binary }) => {
    const result: ChangeResult = { workload: workloadName(id), container: id.container, action, before: state, after, actor: author.actor };
    if (binary) {
      result.binary = binary;
      result.before = previous.entries?.get(binary)?.status ?? null;
      result.after = change.write.upsert?.find((e) => e.binary === binary)?.status ?? null;
    }
    if (author.reason) result.reason = author.reason;
    return result;
  });
}

/** The changes as JSON or YAML on stdout; for `table` nothing more: people read them line by line as they happened. */
export function writeResults(io: CliIo, format: OutputFormat, results: ChangeResult[]): void {
  if (format !== "table") io.stdout.write(render(format, results, () => ""));
}

const ACTIONS: Record<Decision, string> = { approve: "approve", deny: "deny", remove: "remove-entry" };

/** The decision on each of `binaries` (all present in `stored`), through the baseline model. */
export function decide(stored: StoredBaseline, binaries: readonly string[], decision: Decision): Change {
  let baseline = stored.baseline;
  const upsert = [];
  const remove = [];
  for (const binary of binaries) {
    const result = applyDecision(baseline, stored.entries.get(binary)!, decision);
    baseline = result.baseline;
    if (result.entry) upsert.push(result.entry);
    else remove.push(binary);
  }
  const write: BaselineWrite = { id: stored.baseline.id, upsert, remove };
  if (baseline !== stored.baseline) write.baseline = baseline;
  return { write, records: binaries.map((binary) => ({ action: ACTIONS[decision], binary })) };
}

export type StateAction = "lock" | "unlock" | "reset";

/** Lock, unlock or reset at wall-clock `time`; undefined when there is nothing to do. */
export function changeState(baseline: Baseline, action: StateAction, time: string): Change | undefined {
  const id: BaselineId = baseline.id;
  if (action === "lock") {
    return baseline.state === "locked" ? undefined : { write: { id, baseline: lock(baseline, time) }, records: [{ action }] };
  }
  if (action === "unlock") {
    return baseline.state === "learning" ? undefined : { write: { id, baseline: unlock(baseline, time, DEFAULT_POLICY) }, records: [{ action }] };
  }
  return { write: { id, baseline: reset(baseline, time, DEFAULT_POLICY), clearEntries: true }, records: [{ action }] };
}
