import type { Baseline, BaselineEntry, BaselinePolicy } from "./model.ts";
import { newBaseline } from "./observe.ts";

/** A person's decision on one entry, from the review CLI. */
export type Decision = "approve" | "deny" | "remove";

/** `entry` undefined means: delete the stored entry. */
export interface DecisionResult {
  baseline: Baseline;
  entry: BaselineEntry | undefined;
}

/** approve: part of the baseline; deny: forbidden, alerts every time; remove: forgotten. */
export function applyDecision(baseline: Baseline, entry: BaselineEntry, decision: Decision): DecisionResult {
  if (decision === "remove") {
    return { baseline: { ...baseline, entryCount: Math.max(0, baseline.entryCount - 1), version: baseline.version + 1 }, entry: undefined };
  }
  const decided: BaselineEntry = { ...entry, status: decision === "approve" ? "approved" : "denied" };
  delete decided.pendingReason;
  return { baseline, entry: decided };
}

export function lock(baseline: Baseline, time: string): Baseline {
  if (baseline.state === "locked") return baseline;
  return { ...baseline, state: "locked", lockedAt: time, version: baseline.version + 1 };
}

/** Back to learning from `time`, keeping the entries (pending ones can still be corroborated). */
export function unlock(baseline: Baseline, time: string, policy: BaselinePolicy): Baseline {
  const { lockedAt: _lockedAt, ...rest } = baseline;
  const { learningStartedAt, learningEndsAt } = newBaseline(baseline.id, time, policy);
  return { ...rest, state: "learning", learningStartedAt, learningEndsAt, relearn: [], version: baseline.version + 1 };
}

/** Starts over from `time`; the caller deletes every stored entry of the baseline. */
export function reset(baseline: Baseline, time: string, policy: BaselinePolicy): Baseline {
  return { ...newBaseline(baseline.id, time, policy), version: baseline.version + 1 };
}
