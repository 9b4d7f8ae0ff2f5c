import { setTimeout as sleep } from "node:timers/promises";
import { Command } from "commander";
import type { BaselineId } from "@outlier/baseline";
import type { ReplicaSnapshot, ReplicaSnapshotStore } from "@outlier/store";
import pc from "picocolors";
import { addStoreOptions, STORE_HELP, withStores, type StoreOptions, type Stores } from "../review/connection.ts";
import { CliError } from "../review/errors.ts";
import { processIo, type CliIo } from "../review/io.ts";
import { displayText } from "@outlier/contracts";
import { drawTable, outputOption, render, shortTime, styled, type Cell, type OutputFormat } from "../review/output.ts";
import { replicaMatrix, type ReplicaMatrix } from "../review/replica-matrix.ts";
import { runCommand } from "../review/run.ts";
import { resolveTarget, workloadName, type SelectOptions } from "../review/select.ts";

type ReplicasOptions = StoreOptions & SelectOptions & { output: OutputFormat; now?: boolean };

const HELP = `
A replica window of a workload container: by default the last one in which the
detector found a deviation (kept 7 days), else the current one; --now always shows the
current one. The header says which. One row per executable,
one column per replica (pod), with exec counts; an executable run by one replica only
is highlighted. Below, each replica's deviation scores against its peers on the same
image — modified z-scores of its binary set (Jaccard distance) and of its exec rate —
and the reasons when the detector flagged it (colour on a terminal).
The command asks the running detectors for the window now (the one that holds the
workload answers within a moment); without an answer it shows the last one stored:
detectors store one when they report a replica deviation, a replay at its end. Stored
windows expire after 15 minutes.
${STORE_HELP}

Exit codes: 0 shown, 1 unknown workload or no recent window, 2 usage error or Redis unreachable

Example:
  $ outlier replicas shop/Deployment/checkout -c app
`;

export function replicasCommand(): Command {
  return addStoreOptions(
    new Command("replicas")
      .description("Show the replica × executable matrix of a workload's last window with deviation scores")
      .argument("<workload>", "NAMESPACE/KIND/NAME, or NAMESPACE/NAME when the kind is unambiguous")
      .option("-c, --container <name>", "only this container")
      .option("--cluster <name>", "the cluster, when a name exists in several")
      .option("--now", "the current window, even when an earlier one had a deviation")
      .addOption(outputOption()),
  )
    .addHelpText("after", HELP)
    .action(async (target: string, options: ReplicasOptions) => {
      const io = processIo();
      await runCommand("replicas", io, () => withStores(options, (stores) => runReplicas(stores, target, options, io)));
    });
}

export async function runReplicas(stores: Stores, target: string, options: ReplicasOptions, io: CliIo): Promise<number> {
  const baselines = await resolveTarget(stores, target, options);
  const snapshots = await Promise.all(baselines.map((b) => chosenSnapshot(stores.snapshots, b.id, options.now === true)));
  const shown = baselines.flatMap((b, i) => {
    const chosen = snapshots[i];
    return chosen ? [{ workload: workloadName(b.id), container: b.id.container, which: chosen.which, ...replicaMatrix(chosen.snapshot) }] : [];
  });
  if (shown.length === 0) {
    throw new CliError(`no recent replica window for ${target}: no running detector answered for it, and none stored one in the last 15 minutes`);
  }
  const colour = pc.createColors(io.stdout.isTTY === true && !process.env.NO_COLOR);
  io.stdout.write(render(options.output, shown, () => shown.map((m) => matrixTable(m, colour)).join("\n")));
  return 0;
}

type Which = "last-deviation" | "current";

/** The last window with a deviation unless `now`, else the current one. */
async function chosenSnapshot(store: ReplicaSnapshotStore, id: BaselineId, now: boolean): Promise<{ which: Which; snapshot: ReplicaSnapshot } | undefined> {
  const deviation = now ? undefined : await store.lastDeviation(id);
  if (deviation) return { which: "last-deviation", snapshot: deviation };
  const current = await currentSnapshot(store, id);
  return current && { which: "current", snapshot: current };
}

const WHICH_WORDS: Record<Which, string> = {
  "last-deviation": "the last window with a deviation (--now for the current one)",
  current: "the current window",
};

/** How long to wait for a detector to answer a request for a window. */
const ANSWER_WAIT_MS = 2_000;

/** Asks the running detectors for the window now and waits a moment for the answer; else the last one stored. */
async function currentSnapshot(store: ReplicaSnapshotStore, id: BaselineId): Promise<ReplicaSnapshot | undefined> {
  const askedAt = Date.now();
  const listening = await store.request(id);
  for (let waited = 0; listening > 0 && waited < ANSWER_WAIT_MS; waited += 50) {
    const snapshot = await store.get(id);
    if (snapshot?.writtenAt !== undefined && snapshot.writtenAt >= askedAt) return snapshot;
    await sleep(50);
  }
  return store.get(id);
}

function matrixTable(m: ReplicaMatrix & { workload: string; container: string; which: Which }, c: ReturnType<typeof pc.createColors>): string {
  const header = `${displayText(m.workload)} container ${displayText(m.container)}: ${WHICH_WORDS[m.which]}, ${m.windowMs / 60_000} min ending ${shortTime(m.time)}\n`;
  const head = ["executable", ...m.replicas.map((r) => (r.flagged.length > 0 ? styled(c.red, r.pod) : r.pod))];
  const rows = m.binaries.map((binary): Cell[] => {
    const runners = m.replicas.filter((r) => (r.execs[binary] ?? 0) > 0).length;
    const cells = m.replicas.map((r) => {
      const n = r.execs[binary] ?? 0;
      if (n === 0) return styled(c.dim, "·");
      return runners === 1 && m.replicas.length > 1 ? styled(c.yellow, String(n)) : String(n);
    });
    return [binary, ...cells];
  });
  const score = (pick: "binarySet" | "execRate") => m.replicas.map((r) => (r.score ? r.score[pick].toFixed(1) : "-"));
  rows.push(["z binary set", ...score("binarySet")], ["z exec rate", ...score("execRate")]);
  rows.push(["flagged", ...m.replicas.map((r) => (r.flagged.length > 0 ? styled(c.red, r.flagged.join(", ")) : styled(c.green, "no")))]);
  return header + drawTable(head, rows);
}
