import pc from "picocolors";
import type { BaselineEntry, Decision } from "@outlier/baseline";
import { displayText } from "@outlier/contracts";
import type { StoredBaseline } from "@outlier/store";
import { changeResults, commit, decide, writeResults, type Author, type ChangeResult } from "./changes.ts";
import type { Stores } from "./connection.ts";
import { CliError, EXIT } from "./errors.ts";
import { isInteractive, peopleIo, type CliIo } from "./io.ts";
import { shortTime, type OutputFormat } from "./output.ts";
import { askLine, readKey } from "./prompt.ts";
import { loadAll, sortedEntries, statusText, toReview } from "./show.ts";
import { workloadName, type SelectOptions } from "./select.ts";

export interface ReviewOptions extends SelectOptions {
  approve?: string[];
  deny?: string[];
  approveAllPending?: boolean;
  output: OutputFormat;
}

const PENDING_REASONS: Record<string, string> = {
  "single-replica": "seen on one replica only while learning",
  "image-drift": "new in a new image, during its relearn window",
  "after-lock": "seen after the baseline was locked (unexpected)",
  risky: "looked like an intrusion while learning (writable path, fileless, tool started by the application, or root)",
};

const SINGLETON = "learned as a singleton task: it recurred on one replica at a time (a leader's or scheduler's job); approve to confirm";

/**
 * `baseline review`: decisions from the flags, else one pending entry at a time on the
 * terminal. With `--output json|yaml`, the terminal UI and progress lines go to stderr
 * and the decisions made are printed on stdout at the end.
 */
export async function runReview(stores: Stores, target: string, options: ReviewOptions, author: Author, io: CliIo): Promise<number> {
  const people = peopleIo(io, options.output);
  const stored = await loadAll(stores, target, options);
  const flagged = Boolean(options.approve?.length || options.deny?.length || options.approveAllPending);
  if (!flagged && !isInteractive(people)) {
    throw new CliError("not a terminal: decide with --approve BINARY..., --deny BINARY... or --approve-all-pending", EXIT.usage);
  }
  const results = flagged ? await decideFromFlags(stores, stored, options, author, people) : await reviewInteractively(stores, stored, author, people);
  writeResults(io, options.output, results);
  return 0;
}

/** The decisions the flags ask for; `io` is where people read progress. */
async function decideFromFlags(stores: Stores, stored: StoredBaseline[], options: ReviewOptions, author: Author, io: CliIo): Promise<ChangeResult[]> {
  const wanted: [Decision, string[]][] = [
    ["approve", options.approve ?? []],
    ["deny", options.deny ?? []],
  ];
  const known = new Set(stored.flatMap((s) => [...s.entries.keys()]));
  const unknown = wanted.flatMap(([, binaries]) => binaries).filter((b) => !known.has(b));
  if (unknown.length > 0) throw new CliError(`no entry ${unknown.join(", ")} in ${target(stored)}; see \`outlier baseline show\``);
  const results: ChangeResult[] = [];
  for (const s of stored) {
    const pending = options.approveAllPending ? sortedEntries(s).filter((e) => e.status === "pending").map((e) => e.binary) : [];
    for (const [decision, list] of wanted) {
      const binaries = [...new Set(decision === "approve" ? [...list, ...pending] : list)].filter((b) => s.entries.has(b));
      if (binaries.length === 0) continue;
      const change = decide(s, binaries, decision);
      await commit(stores.baselines, author, change);
      results.push(...changeResults(s, change, author));
      for (const b of binaries) io.stdout.write(`${decision === "approve" ? "approved" : "denied"} ${displayText(b)} in ${where(s)}\n`);
    }
  }
  if (results.length === 0) io.stdout.write(`nothing pending in ${target(stored)}\n`);
  return results;
}

/** One pending entry at a time on the terminal `io`; returns the decisions made (skips are not). */
async function reviewInteractively(stores: Stores, stored: StoredBaseline[], author: Author, io: CliIo): Promise<ChangeResult[]> {
  const results: ChangeResult[] = [];
  const queue = stored.flatMap((s) => sortedEntries(s).filter(toReview).map((entry) => ({ s, entry })));
  if (queue.length === 0) {
    io.stdout.write(`nothing pending in ${target(stored)}\n`);
    return results;
  }
  const tally = { approved: 0, denied: 0, skipped: 0 };
  for (const [i, { s, entry }] of queue.entries()) {
    io.stdout.write(evidence(entry, `[${i + 1}/${queue.length}] ${where(s)}`));
    io.stdout.write(`${pc.bold("[a]")}pprove  ${pc.bold("[d]")}eny  ${pc.bold("[s]")}kip  ${pc.bold("[q]")}uit > `);
    const key = await readKey(io, ["a", "d", "s", "q"], "q");
    if (key === "q") {
      io.stdout.write("quit\n");
      break;
    }
    if (key === "s") {
      io.stdout.write("skipped\n\n");
      tally.skipped++;
      continue;
    }
    const decision: Decision = key === "a" ? "approve" : "deny";
    // Reload: the detector may have updated the entry while the person was reading.
    const fresh = await stores.baselines.load(s.baseline.id);
    if (!fresh?.entries.has(entry.binary)) {
      io.stdout.write("no longer stored (removed meanwhile); skipped\n\n");
      tally.skipped++;
      continue;
    }
    // The review log keeps who and why: ask why unless --reason said it for the whole session.
    const why = author.reason ? author.reason : await askLine(io, `${decision === "approve" ? "approve" : "deny"}: why? (optional, Enter to skip) `);
    const decidedBy: Author = why ? { ...author, reason: why } : author;
    const change = decide(fresh, [entry.binary], decision);
    await commit(stores.baselines, decidedBy, change);
    results.push(...changeResults(fresh, change, decidedBy));
    io.stdout.write(`${decision === "approve" ? pc.green("approved") : pc.red("denied")}\n\n`);
    tally[decision === "approve" ? "approved" : "denied"]++;
  }
  io.stdout.write(`approved ${tally.approved}, denied ${tally.denied}, skipped ${tally.skipped}\n`);
  return results;
}

/** The entry as the reviewer sees it; every value was chosen by the workload (paths, arguments, users), so each is escaped. */
function evidence(entry: BaselineEntry, title: string): string {
  const list = (values: string[]) => values.map((v) => displayText(v)).join(", ") || "-";
  const why = entry.pendingReason ? PENDING_REASONS[entry.pendingReason] ?? entry.pendingReason : entry.singleton ? SINGLETON : undefined;
  const reason = why ? ` — ${why}` : "";
  const lines = [
    pc.dim(title),
    `  ${pc.bold(displayText(entry.binary))}  ${pc.yellow(displayText(statusText(entry)))}${reason}`,
    `  seen ${entry.count} time(s) on ${entry.replicas.length} replica(s): ${list(entry.replicas)}`,
    `  first ${shortTime(entry.firstSeen)}, last ${shortTime(entry.lastSeen)}`,
    `  parents: ${list(entry.parents)}`,
    `  users:   ${list(entry.users)}`,
    ...(entry.sampleArgs.length > 0 ? entry.sampleArgs.map((a) => `  args:    ${displayText(a)}`) : ["  args:    -"]),
  ];
  return `${lines.join("\n")}\n`;
}

function where(s: StoredBaseline): string {
  return displayText(`${workloadName(s.baseline.id)} container ${s.baseline.id.container}`);
}

function target(stored: StoredBaseline[]): string {
  return stored[0] ? displayText(workloadName(stored[0].baseline.id)) : "the workload";
}
