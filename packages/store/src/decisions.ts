import type { BaselineEntry, EntryStatus } from "@outlier/baseline";
import type { BaselineWrite } from "./store.ts";

/** A person's approve or deny of an executable, kept apart from the entry the detector rewrites. */
export type DecisionStatus = Extract<EntryStatus, "approved" | "denied">;

/** What a person's write does to the decisions: statuses to set, executables to forget. */
export function decisionChanges(write: BaselineWrite): { set: Map<string, DecisionStatus>; forget: string[] } {
  const set = new Map<string, DecisionStatus>();
  if (!write.byPerson) return { set, forget: [] };
  const forget = [...(write.remove ?? [])];
  for (const entry of write.upsert ?? []) {
    if (entry.status === "approved" || entry.status === "denied") set.set(entry.binary, entry.status);
    else forget.push(entry.binary);
  }
  return { set, forget };
}

/**
 * Entries with a person's decisions applied: a detector that judged a batch before it saw
 * the decision may have written the entry back with its old status since, and the
 * decision must win.
 */
export function withDecisions(entries: Map<string, BaselineEntry>, decisions: Map<string, string>): Map<string, BaselineEntry> {
  for (const [binary, status] of decisions) {
    const entry = entries.get(binary);
    if (!entry || entry.status === status || (status !== "approved" && status !== "denied")) continue;
    const decided: BaselineEntry = { ...entry, status };
    delete decided.pendingReason;
    entries.set(binary, decided);
  }
  return entries;
}
