import { DEFAULT_POLICY, lock, newBaseline, unlock, type Baseline, type BaselineEntry, type BaselineState } from "@outlier/baseline";
import { displayText } from "@outlier/contracts";
import type { BaselineWrite, StoredBaseline } from "@outlier/store";
import { docId, type BaselineDoc, type EntryDoc } from "./baseline-yaml.ts";
import type { Change } from "./changes.ts";
import { workloadName } from "./select.ts";

export type EntryChange =
  | { op: "add"; binary: string; status: string }
  | { op: "status"; binary: string; from: string; to: string }
  | { op: "remove"; binary: string; status: string };

/** What importing one document changes on what is stored. */
export interface ImportPlan {
  baseline: string;
  create: boolean;
  state?: { from?: BaselineState; to: BaselineState };
  entries: EntryChange[];
}

/**
 * The document is the desired state of its baseline: entries it lists are added or
 * given its status; stored entries it does not list are removed. Evidence in the
 * file only seeds new entries — the detector's own evidence is never overwritten.
 */
export function planImport(doc: BaselineDoc, stored: StoredBaseline | undefined): ImportPlan {
  const plan: ImportPlan = { baseline: `${workloadName(doc.workload)} [${doc.workload.container}]`, create: !stored, entries: [] };
  const from = stored?.baseline.state;
  if (from !== doc.state) plan.state = from ? { from, to: doc.state } : { to: doc.state };
  const listed = new Set(doc.entries.map((e) => e.binary));
  for (const entry of doc.entries) {
    const current = stored?.entries.get(entry.binary);
    const to = statusLabel(entry);
    if (!current) plan.entries.push({ op: "add", binary: entry.binary, status: to });
    else if (statusLabel(current) !== to) plan.entries.push({ op: "status", binary: entry.binary, from: statusLabel(current), to });
  }
  for (const current of stored?.entries.values() ?? []) {
    if (!listed.has(current.binary)) plan.entries.push({ op: "remove", binary: current.binary, status: statusLabel(current) });
  }
  plan.entries.sort((a, b) => (a.binary < b.binary ? -1 : a.binary > b.binary ? 1 : 0));
  return plan;
}

export function isEmpty(plan: ImportPlan): boolean {
  return !plan.create && !plan.state && plan.entries.length === 0;
}

/** The plan as a write through the baseline model, stamped with wall-clock `time`. */
export function importChange(doc: BaselineDoc, stored: StoredBaseline | undefined, plan: ImportPlan, time: string): Change {
  const id = docId(doc);
  const byBinary = new Map(doc.entries.map((e) => [e.binary, e]));
  let baseline: Baseline = stored?.baseline ?? newBaseline(id, time, DEFAULT_POLICY);
  if (plan.state?.to === "locked") baseline = lock(baseline, time);
  if (plan.state?.to === "learning" && stored) baseline = unlock(baseline, time, DEFAULT_POLICY);
  const write: BaselineWrite = { id, upsert: [], remove: [] };
  const records: Change["records"] = plan.create ? [{ action: "create" }] : [];
  if (plan.state && stored) records.push({ action: plan.state.to === "locked" ? "lock" : "unlock" });
  for (const change of plan.entries) {
    const desired = byBinary.get(change.binary);
    if (change.op === "remove") {
      write.remove!.push(change.binary);
      records.push({ action: "remove-entry", binary: change.binary });
    } else if (desired) {
      write.upsert!.push(withStatus(stored?.entries.get(change.binary) ?? newEntry(desired, time), desired));
      records.push({ action: change.op === "add" ? "add-entry" : STATUS_ACTIONS[desired.status], binary: change.binary });
    }
  }
  const added = plan.entries.filter((c) => c.op === "add").length;
  const entryCount = baseline.entryCount + added - write.remove!.length;
  write.baseline = { ...baseline, entryCount: Math.max(0, entryCount), version: baseline.version + 1 };
  return { write, records };
}

const STATUS_ACTIONS: Record<EntryDoc["status"], string> = { approved: "approve", denied: "deny", pending: "mark-pending", learned: "mark-learned" };

function statusLabel(entry: Pick<BaselineEntry, "status" | "pendingReason">): string {
  return entry.status === "pending" && entry.pendingReason ? `pending (${entry.pendingReason})` : entry.status;
}

function withStatus(entry: BaselineEntry, desired: EntryDoc): BaselineEntry {
  const updated: BaselineEntry = { ...entry, status: desired.status };
  if (desired.status === "pending" && desired.pendingReason) updated.pendingReason = desired.pendingReason;
  else delete updated.pendingReason;
  return updated;
}

/** An entry known only from a file: no observation yet, so no count and no replicas. */
function newEntry(doc: EntryDoc, time: string): BaselineEntry {
  return { binary: doc.binary, status: doc.status, count: 0, firstSeen: time, lastSeen: time, parents: doc.parents, sampleArgs: doc.sampleArgs ?? [], users: doc.users, replicas: [] };
}

/** The plan as diff lines: + added, ~ changed, - removed. */
export function describePlan(plan: ImportPlan): string[] {
  // An imported file, or the baseline it came from, can hold any binary name.
  const lines = [displayText(plan.baseline)];
  if (plan.create) lines.push(`  + baseline (${plan.state?.to ?? "learning"})`);
  else if (plan.state) lines.push(`  ~ state: ${plan.state.from} → ${plan.state.to}`);
  for (const c of plan.entries) {
    if (c.op === "add") lines.push(`  + ${displayText(c.binary)}: ${c.status}`);
    else if (c.op === "status") lines.push(`  ~ ${displayText(c.binary)}: ${c.from} → ${c.to}`);
    else lines.push(`  - ${displayText(c.binary)}: ${c.status}`);
  }
  return lines;
}
