import { readdir } from "node:fs/promises";
import path from "node:path";
import { Command } from "commander";
import { displayText, SEVERITIES, type Finding } from "@outlier/contracts";
import { DEFAULT_POLICY, type Baseline } from "@outlier/baseline";
import type { Detector } from "@outlier/detector";
import { MemoryBaselineStore } from "@outlier/store";
import { clip, clockTime, colorSeverity, colorsFor, evidenceLines, workloadLabel, type Colors } from "../findings-view.ts";
import { commandHints, type CommandHints } from "../hints.ts";
import { isTty, write, type Io } from "../io.ts";
import { eventTime, readEvents, rejectedLine, type EventInput } from "../read-events.ts";
import { replayEvents } from "../replay-engine.ts";

/** examples/demo at the repository root, wherever the command is run from. */
export const DEMO_DIR = path.resolve(import.meta.dirname, "../../../../examples/demo");

/** The most severe findings get evidence lines, up to this many. */
const EVIDENCE_FINDINGS = 10;

export function demoCommand(): Command {
  return new Command("demo")
    .description("Replay the demo scenario (examples/demo) and show what Outlier finds in it")
    .addHelpText(
      "after",
      `
Replays examples/demo/*.jsonl (90 minutes of a three-node cluster: Tetragon, the
Kubernetes audit log, Falco) with the in-memory store, exactly as \`outlier replay\`
does, and prints a summary for people. docs/replay.md tells the story.

Example:
  $ scripts/dev start     (or pnpm start, with pnpm on PATH)
`,
    )
    .action(async () => {
      process.exitCode = await runDemo({ stdout: process.stdout, stderr: process.stderr });
    });
}

export async function runDemo(io: Io, demoDir: string = DEMO_DIR, hints: CommandHints = commandHints()): Promise<number> {
  const files = (await readdir(demoDir)).filter((f) => f.endsWith(".jsonl")).sort().map((f) => path.join(demoDir, f));
  const c = colorsFor(isTty(io.stdout));
  const store = new MemoryBaselineStore();
  const findings: Finding[] = [];
  let rejected = 0;
  const input = await readEvents(files, {
    cluster: "demo",
    onRejected: (r) => {
      rejected++;
      io.stderr.write(`${rejectedLine(r)}\n`);
    },
  });
  const detector = await replayEvents(input.events, { store, policy: DEFAULT_POLICY, onFindings: (batch) => void findings.push(...batch) });
  const baselines = await baselineRows(store);
  await write(io.stdout, [header(c, demoDir, files, input), baselinesSection(c, baselines), noiseSection(c, detector), findingsSection(c, findings), closing(c, hints)].join("\n"));
  return rejected > 0 ? 1 : 0;
}

function header(c: Colors, demoDir: string, files: string[], input: EventInput): string {
  const first = input.events[0];
  const last = input.events.at(-1);
  const span = first && last ? `${eventTime(first).slice(0, 10)} ${clockTime(eventTime(first))} to ${clockTime(eventTime(last))} UTC` : "no events";
  const sources = Object.entries(input.bySource).map(([source, n]) => `${source} ${n.toLocaleString("en-US")}`);
  return [
    c.bold("Outlier demo: 90 minutes of a three-node cluster, replayed"),
    "",
    "  Tetragon process events from three nodes, the Kubernetes audit log and Falco alerts,",
    "  merged in event-time order and judged by the same detector the services run.",
    "  Baselines learn for their first hour, then lock. After that: a rollout of checkout",
    "  (same image), a new frontend image, a kubectl exec by mallory@example.com, a",
    "  crypto-miner in one checkout replica, and mallory escalating through the API.",
    "",
    `  ${c.dim("input")}   ${files.length} files in ${path.relative(process.cwd(), demoDir) || "."}, ${span}`,
    `  ${c.dim("events")}  ${input.events.length.toLocaleString("en-US")}: ${sources.join(", ")}`,
    "",
  ].join("\n");
}

interface BaselineRow {
  baseline: Baseline;
  byStatus: Record<string, number>;
  /** Executables waiting for a person: not in the baseline, not denied. */
  pending: string[];
}

async function baselineRows(store: MemoryBaselineStore): Promise<BaselineRow[]> {
  const rows: BaselineRow[] = [];
  for (const baseline of await store.list()) {
    const byStatus: Record<string, number> = {};
    const pending: string[] = [];
    for (const entry of (await store.load(baseline.id))?.entries.values() ?? []) {
      byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
      if (entry.status === "pending") pending.push(entry.binary);
    }
    rows.push({ baseline, byStatus, pending: pending.sort() });
  }
  return rows;
}

function baselinesSection(c: Colors, rows: BaselineRow[]): string {
  const names = rows.map(({ baseline: { id } }) => displayText(`${id.namespace}/${id.kind}/${id.name} (${id.container})`));
  const width = Math.max(0, ...names.map((n) => n.length));
  const lines = rows.map(({ baseline, byStatus, pending }, i) => {
    const state = baseline.state === "locked" ? c.green("locked  ") : c.yellow("learning");
    // Counted as findings count them ("with 6 entries"): every executable recorded, then by status.
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const entries = `${total} entries: ${Object.entries(byStatus)
      .map(([status, n]) => `${n} ${status}`)
      .join(", ")}`;
    const when = baseline.lockedAt ? ` at ${clockTime(baseline.lockedAt)}` : ` until ${clockTime(baseline.learningEndsAt)}`;
    const review = pending.length > 0 ? c.yellow(` (to review: ${clip(pending.join(", "), 60)})`) : "";
    return `  ${names[i]!.padEnd(width)}  ${state}${c.dim(when)}  ${entries}${review}`;
  });
  return [c.bold(`Baselines learned: ${rows.length}`) + c.dim(" (one per workload container; entries are executables)"), ...lines, ""].join("\n");
}

function noiseSection(c: Colors, detector: Detector): string {
  const stats = detector.stats;
  return [
    c.bold("Noise kept out of baselines and alerts"),
    `  exec probes (liveness/readiness)     ${stats.get("noise", "exec-probe")}`,
    `  processes of kubectl exec sessions   ${stats.get("noise", "exec-session")}  ${c.dim("(reported once, as the session)")}`,
    `  repeats rolled up into a finding     ${stats.total("repeats_rolled_up")}`,
    "",
  ].join("\n");
}

function findingsSection(c: Colors, findings: Finding[]): string {
  const lines = [c.bold(`Findings: ${findings.length}`)];
  let withEvidence = 0;
  for (const severity of [...SEVERITIES].reverse()) {
    const group = findings.filter((f) => f.severity === severity).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    if (group.length === 0) continue;
    lines.push(`  ${colorSeverity(c, severity, severity.toUpperCase())}`);
    for (const f of group) {
      lines.push(`    ${c.dim(clockTime(f.time))}  ${displayText(f.type)}  ${workloadLabel(f)}  ${displayText(f.pod ?? "-")}`);
      lines.push(`              ${clip(f.summary, 110)}`);
      if (withEvidence < EVIDENCE_FINDINGS) {
        withEvidence++;
        for (const line of evidenceLines(f)) lines.push(c.dim(`              · ${clip(line, 108)}`));
      }
    }
  }
  return [...lines, ""].join("\n");
}

/** The next commands to try, as the person can paste them from where they are (`nextCommands`). */
function closing(c: Colors, hints: CommandHints): string {
  return [c.bold("Next"), ...nextCommands(hints).flatMap(({ command, what }) => [`  ${c.cyan(command)}`, `      ${what}`]), `  ${hints.path("docs/replay.md")} tells the story minute by minute.`, ""].join("\n");
}

export function nextCommands(hints: CommandHints): { command: string; what: string }[] {
  const demo = `${hints.path("examples/demo")}/*.jsonl`;
  const routes = hints.path("examples/routes.yaml");
  return [
    { command: `${hints.outlier} replay -o jsonl ${demo}`, what: "every finding as Finding v1 JSON, one per line" },
    { command: `${hints.outlier} replay -o table --routes ${routes} ${demo}`, what: "where each finding would be sent (Slack channels, SIEM sinks)" },
    { command: `${hints.outlier} replay --redis redis://127.0.0.1:6379 ${demo}`, what: "leaves the learned baselines in Redis, where the services keep theirs" },
  ];
}
