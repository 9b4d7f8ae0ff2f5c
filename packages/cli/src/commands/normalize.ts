import type { Writable } from "node:stream";
import { Command, Option } from "commander";
import { displayText, terminalJson } from "@outlier/contracts";
import { normalizeLine, SOURCE_FORMATS, type Normalized, type SourceFormat } from "@outlier/normalize";
import { write } from "../io.ts";
import { USAGE_ERROR } from "../program.ts";
import { firstUnreadable, readLines, rejectedLine } from "../read-events.ts";
import { drawTable } from "../review/output.ts";

export interface NormalizeCommandOptions {
  source?: SourceFormat;
  output: "jsonl" | "table";
  cluster: string;
}

export interface Io {
  stdout: Writable;
  stderr: Writable;
}

/** Table mode holds rows in memory; past this many it shows the first ones and says so. */
const TABLE_ROW_LIMIT = 1000;
const CELL_WIDTH = 60;

const HELP = `
Formats (detected line by line unless --source is given):
  tetragon  Tetragon JSON export: process_exec, process_exit, process_kprobe, ...
  falco     Falco JSON alerts (json_output: file output or http_output bodies)
  audit     Kubernetes audit events, audit.k8s.io v1/v1beta1: Event lines or EventList bodies

Output: one normalized event per line (outlier.runtime.v1 / outlier.audit.v1 JSON)
or a table. Rejected lines go to stderr as FILE:LINE: code: message, followed by
counts per event type and per skip/reject reason.

Exit codes:
  0  every line became events or was skipped on purpose (empty line, Falco internal message)
  1  at least one line was rejected
  2  usage error (unknown option, missing or unreadable file)

Example:
  $ outlier normalize --output table examples/sample-events.jsonl
  $ outlier normalize --source falco --cluster prod /var/log/falco/events.json > events.jsonl
`;

export function normalizeCommand(): Command {
  return new Command("normalize")
    .description("Normalize Tetragon, Falco and Kubernetes audit JSON lines into Outlier v1 events")
    .argument("<files...>", "files with one JSON object per line")
    .addOption(new Option("--source <format>", "input format (default: detect per line)").choices(SOURCE_FORMATS))
    .addOption(new Option("-o, --output <format>", "output format").choices(["jsonl", "table"]).default("jsonl"))
    .option("--cluster <name>", "cluster name for events that carry none", "default")
    .addHelpText("after", HELP)
    .action(async (files: string[], options: NormalizeCommandOptions) => {
      process.exitCode = await runNormalize(files, options, { stdout: process.stdout, stderr: process.stderr });
    });
}

/** Normalizes every line of every file; returns the exit code. */
export async function runNormalize(files: string[], options: NormalizeCommandOptions, io: Io): Promise<number> {
  const unreadable = await firstUnreadable(files);
  if (unreadable) {
    io.stderr.write(`outlier normalize: ${unreadable}\n`);
    return USAGE_ERROR;
  }
  const counts = new Counts();
  const rows: string[][] = [];
  let events = 0;
  for await (const { file, lineNo, line } of readLines(files)) {
    const result = normalizeLine(line, { source: options.source, cluster: options.cluster });
    if (result.ok === false) {
      counts.add(`rejected ${result.code}`);
      io.stderr.write(`${rejectedLine({ file, lineNo, code: result.code, message: result.message })}\n`);
    } else if (result.ok === "skipped") {
      counts.add(`skipped ${result.code}`);
    } else {
      for (const event of result.events) {
        events++;
        counts.add(`event ${eventType(event)}`);
        if (options.output === "jsonl") await write(io.stdout, `${terminalJson(JSON.stringify(event))}\n`);
        else if (rows.length < TABLE_ROW_LIMIT) rows.push(tableRow(event));
      }
    }
  }
  if (options.output === "table") await write(io.stdout, renderTable(rows, events));
  io.stderr.write(counts.summary());
  return counts.has("rejected") ? 1 : 0;
}

function eventType(event: Normalized): string {
  return event.schema === "outlier.audit.v1" ? "audit" : event.type;
}

function tableRow(event: Normalized): string[] {
  if (event.schema === "outlier.audit.v1") {
    const ref = event.objectRef;
    const resource = [ref?.resource, ref?.subresource].filter(Boolean).join("/") || (event.requestURI ?? "");
    const pod = ref?.resource === "pods" ? (ref.name ?? "") : "";
    return [event.requestReceivedTimestamp, "audit", "audit", ref?.namespace ?? "", pod, `${event.user.username} ${event.verb} ${resource}`];
  }
  const workload = event.workload ? `${event.pod?.namespace ?? "-"}/${event.workload.kind}/${event.workload.name}` : "";
  const what = event.rule ? event.rule.name : [event.process?.binary, event.process?.args].filter(Boolean).join(" ");
  return [event.time, event.source, event.type, workload, event.pod?.name ?? "", what];
}

function renderTable(rows: string[][], total: number): string {
  const table = drawTable(["time", "source", "type", "namespace/workload", "pod", "process or rule"], rows.map((row) => row.map(clip)));
  const note = total > rows.length ? `(showing the first ${rows.length} of ${total} events; use --output jsonl for all)\n` : "";
  return `${table}${note}`;
}

/** drawTable escapes the cell; clipping first keeps a long argument list to one table line. */
function clip(cell: string): string {
  return displayText(cell.replace(/\s+/g, " "), CELL_WIDTH);
}

/** How many lines ended how: "event process_exec", "skipped falco_internal", "rejected malformed_json". */
class Counts {
  private readonly byKey = new Map<string, number>();

  add(key: string): void {
    this.byKey.set(key, (this.byKey.get(key) ?? 0) + 1);
  }

  has(prefix: string): boolean {
    return [...this.byKey.keys()].some((k) => k.startsWith(`${prefix} `));
  }

  summary(): string {
    const lines = [...this.byKey.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `  ${key}: ${n}`);
    return `summary:\n${lines.length > 0 ? lines.join("\n") : "  no input"}\n`;
  }
}
