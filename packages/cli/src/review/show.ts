import type { BaselineEntry } from "@outlier/baseline";
import { displayText } from "@outlier/contracts";
import type { StoredBaseline } from "@outlier/store";
import type { Stores } from "./connection.ts";
import type { CliIo } from "./io.ts";
import { drawTable, render, shortTime, type OutputFormat } from "./output.ts";
import { resolveTarget, workloadName, type SelectOptions } from "./select.ts";

const CELL_WIDTH = 48;

/** `baseline show`: every entry of the workload's baselines with its evidence. */
export async function runShow(stores: Stores, target: string, options: SelectOptions & { output: OutputFormat }, io: CliIo): Promise<number> {
  const stored = await loadAll(stores, target, options);
  const data = stored.map((s) => ({ baseline: s.baseline, entries: sortedEntries(s) }));
  io.stdout.write(render(options.output, data, () => stored.map(showTable).join("\n")));
  return 0;
}

/** The workload's baselines with their entries, in container order. */
export async function loadAll(stores: Stores, target: string, options: SelectOptions): Promise<StoredBaseline[]> {
  const baselines = await resolveTarget(stores, target, options);
  const loaded = await Promise.all(baselines.map((b) => stores.baselines.load(b.id)));
  return loaded.filter((s): s is StoredBaseline => s !== undefined);
}

export function sortedEntries(stored: StoredBaseline): BaselineEntry[] {
  return [...stored.entries.values()].sort((a, b) => (a.binary < b.binary ? -1 : a.binary > b.binary ? 1 : 0));
}

export function statusText(entry: BaselineEntry): string {
  if (entry.pendingReason) return `${entry.status} (${entry.pendingReason})`;
  return entry.singleton && entry.status === "learned" ? "learned (singleton)" : entry.status;
}

/** What `baseline review` asks a person about: pending entries, and singleton tasks learned without one. */
export function toReview(entry: BaselineEntry): boolean {
  return entry.status === "pending" || (entry.status === "learned" && entry.singleton === true);
}

function showTable(stored: StoredBaseline): string {
  const b = stored.baseline;
  const since = b.state === "locked" ? `locked since ${shortTime(b.lockedAt)}` : `learning until ${shortTime(b.learningEndsAt)}`;
  const header = `${displayText(workloadName(b.id))} container ${displayText(b.id.container)} (cluster ${displayText(b.id.cluster)}): ${since}, ${stored.entries.size} entries\n`;
  const rows = sortedEntries(stored).map((e) => [
    e.binary,
    statusText(e),
    String(e.count),
    String(e.replicas.length),
    shortTime(e.firstSeen),
    shortTime(e.lastSeen),
    clip(e.parents.join(", ")),
    clip(e.sampleArgs.join(" | ")),
  ]);
  return header + drawTable(["binary", "status", "count", "replicas", "first seen", "last seen", "parents", "sample args"], rows);
}

function clip(text: string): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > CELL_WIDTH ? `${oneLine.slice(0, CELL_WIDTH - 1)}…` : oneLine;
}
