import { displayText } from "@outlier/contracts";
import type { StoredBaseline } from "@outlier/store";
import { changeResults, changeState, commit, decide, writeResults, type Author, type ChangeResult, type StateAction } from "./changes.ts";
import type { Stores } from "./connection.ts";
import { CliError } from "./errors.ts";
import { peopleIo, type CliIo } from "./io.ts";
import { wallClock, type OutputFormat } from "./output.ts";
import { confirm } from "./prompt.ts";
import { loadAll } from "./show.ts";
import { resolveSelection, workloadName, type SelectOptions } from "./select.ts";

const DONE: Record<StateAction, string> = { lock: "locked", unlock: "unlocked (learning again)", reset: "reset (learning from scratch, entries deleted)" };
const ALREADY: Record<StateAction, string> = { lock: "already locked", unlock: "already learning", reset: "" };

/**
 * `baseline lock|unlock|reset`, on one workload or in bulk (-n / -l). A bulk change,
 * and every reset, asks for confirmation first; `--yes` answers it. With `--output
 * json|yaml`, prints the changes made (a baseline already in that state is not one).
 */
export async function runStateChange(
  stores: Stores,
  action: StateAction,
  target: string | undefined,
  options: SelectOptions & { yes?: boolean; output: OutputFormat },
  author: Author,
  io: CliIo,
): Promise<number> {
  const people = peopleIo(io, options.output);
  const { baselines, bulk } = await resolveSelection(stores, target, options, true);
  const results: ChangeResult[] = [];
  if (bulk || action === "reset") {
    const names = baselines.map((b) => `  ${displayText(`${workloadName(b.id)} [${b.id.container}]`)}`).join("\n");
    people.stdout.write(`${action} ${baselines.length} baseline(s):\n${names}\n`);
    if (!(await confirm(people, `${action} ${baselines.length} baseline(s)?`, options.yes === true))) {
      people.stdout.write("nothing changed\n");
      writeResults(io, options.output, results);
      return 0;
    }
  }
  const time = wallClock();
  for (const baseline of baselines) {
    const change = changeState(baseline, action, time);
    const name = displayText(`${workloadName(baseline.id)} [${baseline.id.container}]`);
    if (!change) {
      people.stdout.write(`${name}: ${ALREADY[action]}\n`);
      continue;
    }
    await commit(stores.baselines, author, change);
    results.push(...changeResults({ baseline }, change, author));
    people.stdout.write(`${name}: ${DONE[action]}\n`);
  }
  writeResults(io, options.output, results);
  return 0;
}

/** `baseline remove-entry`: forgets executables, so their next run is judged afresh. */
export async function runRemoveEntry(
  stores: Stores,
  target: string,
  binaries: string[],
  options: SelectOptions & { output: OutputFormat },
  author: Author,
  io: CliIo,
): Promise<number> {
  const people = peopleIo(io, options.output);
  const stored = await loadAll(stores, target, options);
  const missing = binaries.filter((b) => !stored.some((s) => s.entries.has(b)));
  if (missing.length > 0) throw new CliError(`no entry ${missing.join(", ")} in ${target}`);
  const results: ChangeResult[] = [];
  for (const s of stored) {
    const present = binaries.filter((b) => s.entries.has(b));
    if (present.length === 0) continue;
    const change = decide(s, present, "remove");
    await commit(stores.baselines, author, change);
    results.push(...changeResults(s, change, author));
    for (const b of present) people.stdout.write(`removed ${displayText(b)} from ${where(s)}\n`);
  }
  writeResults(io, options.output, results);
  return 0;
}

function where(s: StoredBaseline): string {
  return displayText(`${workloadName(s.baseline.id)} [${s.baseline.id.container}]`);
}
