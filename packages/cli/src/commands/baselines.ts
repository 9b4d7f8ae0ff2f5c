import { Command, Option } from "commander";
import type { Baseline } from "@outlier/baseline";
import { addStoreOptions, STORE_HELP, withStores, type StoreOptions, type Stores } from "../review/connection.ts";
import { processIo, type CliIo } from "../review/io.ts";
import { drawTable, outputOption, render, shortTime, type OutputFormat } from "../review/output.ts";
import { runCommand } from "../review/run.ts";
import { selectBaselines, workloadName, type SelectOptions } from "../review/select.ts";

export interface BaselinesOptions extends StoreOptions, SelectOptions {
  state?: "learning" | "locked";
  pending?: boolean;
  output: OutputFormat;
}

/** One row of `outlier baselines`. */
export interface BaselineRow {
  cluster: string;
  workload: string;
  container: string;
  state: string;
  entries: number;
  pending: number;
  learningEndsAt?: string;
  lockedAt?: string;
  lastChange?: { time: string; actor: string; action: string };
}

const HELP = `
One row per baseline (one per workload container): its state, entries, entries
waiting for review (pending), when learning ends or since when it is locked, and
the last change a person made (from the review log).

Selecting:
  -n NAMESPACE             only this namespace
  -l SELECTOR              workload labels: key=value and key!=value, comma-separated (all must hold)
  --state learning|locked  only baselines in this state
  --pending                only baselines with entries waiting for review
${STORE_HELP}

Exit codes: 0 listed (possibly nothing), 1 failed, 2 usage error or Redis unreachable

Examples:
  $ outlier baselines
  $ outlier baselines -n shop --pending
  $ outlier baselines -l app=checkout,tier!=db --output json
`;

export function baselinesCommand(): Command {
  return addStoreOptions(
    new Command("baselines")
      .description("List baselines with their state and what waits for review")
      .option("-n, --namespace <namespace>", "only this namespace")
      .option("-l, --selector <selector>", "workload label selector (key=value,key!=value)")
      .option("-c, --container <name>", "only this container")
      .option("--cluster <name>", "only this cluster")
      .addOption(new Option("--state <state>", "only this state").choices(["learning", "locked"]))
      .option("--pending", "only baselines with pending entries")
      .addOption(outputOption()),
  )
    .addHelpText("after", HELP)
    .action(async (options: BaselinesOptions) => {
      const io = processIo();
      await runCommand("baselines", io, () => withStores(options, (stores) => runBaselines(stores, options, io)));
    });
}

export async function runBaselines(stores: Stores, options: BaselinesOptions, io: CliIo): Promise<number> {
  const selected = (await selectBaselines(stores, options)).filter((b) => !options.state || b.state === options.state);
  const rows = (await Promise.all(selected.map((b) => baselineRow(stores, b)))).filter((r) => !options.pending || r.pending > 0);
  io.stdout.write(render(options.output, rows, () => table(rows)));
  return 0;
}

async function baselineRow(stores: Stores, baseline: Baseline): Promise<BaselineRow> {
  const [stored, [last]] = await Promise.all([stores.baselines.load(baseline.id), stores.baselines.history(baseline.id, 1)]);
  const entries = [...(stored?.entries.values() ?? [])];
  const row: BaselineRow = {
    cluster: baseline.id.cluster,
    workload: workloadName(baseline.id),
    container: baseline.id.container,
    state: baseline.state,
    entries: entries.length,
    pending: entries.filter((e) => e.status === "pending").length,
  };
  if (baseline.state === "learning") row.learningEndsAt = baseline.learningEndsAt;
  if (baseline.lockedAt) row.lockedAt = baseline.lockedAt;
  if (last) row.lastChange = { time: last.time, actor: last.actor, action: last.action };
  return row;
}

function table(rows: BaselineRow[]): string {
  if (rows.length === 0) return "no baselines match\n";
  return drawTable(
    ["workload", "container", "state", "entries", "pending", "learning ends / locked since", "last change"],
    rows.map((r) => [
      r.workload,
      r.container,
      r.state,
      String(r.entries),
      String(r.pending),
      shortTime(r.state === "learning" ? r.learningEndsAt : r.lockedAt),
      r.lastChange ? `${shortTime(r.lastChange.time)} ${r.lastChange.actor} ${r.lastChange.action}` : "",
    ]),
  );
}
