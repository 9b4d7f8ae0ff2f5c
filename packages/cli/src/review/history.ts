import { displayText } from "@outlier/contracts";
import type { ReviewRecord } from "@outlier/store";
import type { Stores } from "./connection.ts";
import type { CliIo } from "./io.ts";
import { drawTable, render, shortTime, type OutputFormat } from "./output.ts";
import { resolveTarget, workloadName, type SelectOptions } from "./select.ts";

/** `baseline history`: the review log of the workload's baselines, oldest first. */
export async function runHistory(stores: Stores, target: string, options: SelectOptions & { output: OutputFormat; limit: number }, io: CliIo): Promise<number> {
  const baselines = await resolveTarget(stores, target, options);
  const logs = await Promise.all(baselines.map((b) => stores.baselines.history(b.id, options.limit)));
  const rows: (ReviewRecord & { workload: string; container: string })[] = logs
    .flatMap((log, i) => log.map((r) => ({ workload: workloadName(baselines[i]!.id), container: baselines[i]!.id.container, ...r })))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  io.stdout.write(
    render(options.output, rows, () =>
      rows.length === 0
        ? `no review records for ${displayText(target)}\n`
        : drawTable(["time", "container", "who", "action", "binary", "why"], rows.map((r) => [shortTime(r.time), r.container, r.actor, r.action, r.binary ?? "", r.reason ?? ""])),
    ),
  );
  return 0;
}
