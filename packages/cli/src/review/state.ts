import type { StoredBaseline } from "@outlier/store";
import { changeState, commit, decide, type Author, type StateAction } from "./changes.ts";
import type { Stores } from "./connection.ts";
import { CliError } from "./errors.ts";
import type { CliIo } from "./io.ts";
import { wallClock } from "./output.ts";
import { confirm } from "./prompt.ts";
import { loadAll } from "./show.ts";
import { resolveSelection, workloadName, type SelectOptions } from "./select.ts";

const DONE: Record<StateAction, string> = { lock: "locked", unlock: "unlocked (learning again)", reset: "reset (learning from scratch, entries deleted)" };
const ALREADY: Record<StateAction, string> = { lock: "already locked", unlock: "already learning", reset: "" };

/**
 * `baseline lock|unlock|reset`, on one workload or in bulk (-n / -l). A bulk change,
 * and every reset, asks for confirmation first; `--yes` answers it.
 */
export async function runStateChange(
  stores: Stores,
  action: StateAction,
  target: string | undefined,
  options: SelectOptions & { yes?: boolean },
  author: Author,
  io: CliIo,
): Promise<number> {
  const { baselines, bulk } = await resolveSelection(stores, target, options, true);
  if (bulk || action === "reset") {
    const names = baselines.map((b) => `  ${workloadName(b.id)} [${b.id.container}]`).join("\n");
    io.stdout.write(`${action} ${baselines.length} baseline(s):\n${names}\n`);
    if (!(await confirm(io, `${action} ${baselines.length} baseline(s)?`, options.yes === true))) {
      io.stdout.write("nothing changed\n");
      return 0;
    }
  }
  const time = wallClock();
  for (const baseline of baselines) {
    const change = changeState(baseline, action, time);
    const name = `${workloadName(baseline.id)} [${baseline.id.container}]`;
    if (!change) {
      io.stdout.write(`${name}: ${ALREADY[action]}\n`);
      continue;
    }
    await commit(stores.baselines, author, change);
    io.stdout.write(`${name}: ${DONE[action]}\n`);
  }
  return 0;
}

/** `baseline remove-entry`: forgets executables, so their next run is judged afresh. */
export async function runRemoveEntry(stores: Stores, target: string, binaries: string[], options: SelectOptions, author: Author, io: CliIo): Promise<number> {
  const stored = await loadAll(stores, target, options);
  const missing = binaries.filter((b) => !stored.some((s) => s.entries.has(b)));
  if (missing.length > 0) throw new CliError(`no entry ${missing.join(", ")} in ${target}`);
  for (const s of stored) {
    const present = binaries.filter((b) => s.entries.has(b));
    if (present.length === 0) continue;
    await commit(stores.baselines, author, decide(s, present, "remove"));
    for (const b of present) io.stdout.write(`removed ${b} from ${where(s)}\n`);
  }
  return 0;
}

function where(s: StoredBaseline): string {
  return `${workloadName(s.baseline.id)} [${s.baseline.id.container}]`;
}
