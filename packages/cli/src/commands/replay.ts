import { readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { displayLines, displayText, parsePositiveDuration, terminalJson, type Finding } from "@outlier/contracts";
import { DEFAULT_POLICY, type BaselinePolicy } from "@outlier/baseline";
import type { Detector } from "@outlier/detector";
import { destinationsFor, loadRoutes, type RoutingConfig } from "@outlier/routing";
import {
  DEFAULT_REDIS_PREFIX,
  MemoryBaselineStore,
  type BaselineStore,
  type FindingLog,
  type RedisLabelIndex,
  type RedisReplicaSnapshotStore,
  type RedisSeenSet,
} from "@outlier/store";
import { bySeverity, clip, colorSeverity, colorsFor, countBySeverity, workloadLabel } from "../findings-view.ts";
import { isTty, write, type Io } from "../io.ts";
import { drawTable, type Cell } from "../review/output.ts";
import { Progress } from "../progress.ts";
import { USAGE_ERROR } from "../program.ts";
import { addRedisAccessOptions, openRedis, type StoreOptions } from "../review/connection.ts";
import { eventTime, firstUnreadable, MAX_REPLAY_EVENTS, readEvents, rejectedLine, TooManyEventsError, type EventInput } from "../read-events.ts";
import { replayEvents } from "../replay-engine.ts";

export interface ReplayCommandOptions extends Partial<Omit<StoreOptions, "redis">> {
  learningWindow?: string;
  /** List the lines skipped on purpose on stderr, as FILE:LINE: code: message. */
  verbose?: boolean;
  output: "jsonl" | "table";
  redis?: string;
  routes?: string;
  cluster: string;
  /** Falco rules whose alerts feed process execs instead of passing through; absent: the normalizer's choice. */
  falcoExecRule?: string[];
}

/** A finding as replay prints it: with its destinations when a routing file was given. */
export type RoutedFinding = Finding & { destinations?: string[] };

/** Table mode holds rows in memory; past this many it shows the most severe ones and says so. */
const TABLE_ROW_LIMIT = 1000;

const HELP = `
Runs the detector over recorded events, in one process: Tetragon JSON export, Falco
JSON alerts and Kubernetes audit log lines, in any mix (the format is detected line by
line). Events from all files are merged in event-time order (sorted in memory, up to
${MAX_REPLAY_EVENTS.toLocaleString("en-US")} events), judged in batches of 1,000, and the input is ended as a live
detector never is: open exec sessions close and replicas are compared once more.

Output (stdout):
  jsonl   one Finding v1 JSON object per line, and nothing else
  table   time, severity, type, namespace/workload, pod, summary
Progress (on a terminal) and a summary go to stderr. Rejected lines are reported on
stderr as FILE:LINE: code: message and counted; they never stop the replay.

Falco alerts of rules that report a process being spawned feed the baselines as process
execs, like Tetragon's; they are not passed through as falco.* findings (that doubled
every process). By default those are execve alerts and rules named or tagged for shells
and spawned processes; --falco-exec-rule NAME (repeatable) names them exactly instead.
Every other rule's alert passes through as a falco.<rule> finding.

Baselines live in memory and are gone at exit, unless --redis names a Redis server:
then they are loaded from and left in Redis, for the review CLI to show, with what the
stateful audit rules learned (e.g. who reads secrets). Those rules learn for the same
--learning-window as the baselines. --redis-user, --redis-password-file (or
REDIS_PASSWORD), --redis-tls, --redis-ca and --prefix work as in the review commands.

Exit codes:
  0  replayed; every line became events or was skipped on purpose
  1  replayed, but at least one input line was rejected
  2  usage error: unknown option, missing file, bad --learning-window, a routing file
     with errors (each printed as FILE:LINE:COL), unreachable Redis, too many events

Examples:
  $ outlier replay --output table examples/demo/*.jsonl
  $ outlier replay --learning-window 30m tetragon.jsonl audit.log > findings.jsonl
  $ outlier replay --routes examples/routes.yaml --output jsonl examples/demo/*.jsonl
  $ outlier replay --redis redis://127.0.0.1:6379 --cluster prod-eu /var/log/tetragon/*.log
  $ outlier replay --falco-exec-rule "Outlier process spawned" falco-events.json audit.log
`;

export function replayCommand(): Command {
  const command = new Command("replay")
    .description("Run detection over Tetragon, Falco and Kubernetes audit files, in event-time order")
    .argument("<files...>", "files with one JSON object per line")
    .option("--learning-window <duration>", "how long a new baseline learns before it locks, e.g. 30m, 1h, 2h30m (default 1h)")
    .addOption(new Option("-o, --output <format>", "output format").choices(["jsonl", "table"]).default("jsonl"))
    .option("--redis <url>", "keep baselines in this Redis (redis:// or rediss://) instead of memory")
    .option("--routes <file>", "routing file: add each finding's destinations (Slack channels, SIEM sinks)")
    .option("--cluster <name>", "cluster name for events that carry none", "default")
    .option("-v, --verbose", "also list the lines skipped on purpose (empty lines, Falco's own messages)")
    .option("--falco-exec-rule <name>", "a Falco rule whose alerts feed process execs (repeatable; default: execve, shell and spawn rules)", collect);
  return addRedisAccessOptions(command)
    .addHelpText("after", HELP)
    .action(async (files: string[], options: ReplayCommandOptions) => {
      process.exitCode = await runReplay(files, options, { stdout: process.stdout, stderr: process.stderr });
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Replays the files; returns the exit code. */
export async function runReplay(files: string[], options: ReplayCommandOptions, io: Io): Promise<number> {
  const setup = await prepare(files, options);
  if (typeof setup === "string") {
    io.stderr.write(`outlier replay: ${displayLines(setup)}\n`);
    return USAGE_ERROR;
  }
  const { policy, routes, store, reviewStores, findingLog, seen } = setup;
  try {
    const reading = new Progress(io);
    const input = await readEvents(files, {
      cluster: options.cluster,
      falcoExecRules: options.falcoExecRule,
      onRejected: (r) => (reading.clear(), io.stderr.write(`${rejectedLine(r)}\n`)),
      onSkipped: options.verbose ? (r) => (reading.clear(), io.stderr.write(`${rejectedLine(r, "skipped: ")}\n`)) : undefined,
      onProgress: ({ lines, events }) => reading.show(() => `reading: ${count(lines)} lines (${reading.rate(lines)}), ${count(events)} events`),
    });
    reading.clear();
    const detecting = new Progress(io);
    let found = 0;
    const output = options.output === "jsonl" ? jsonlOutput(io) : tableOutput(io, options.routes !== undefined);
    const detector = await replayEvents(input.events, {
      store,
      reviewStores,
      seen,
      policy,
      onFindings: async (findings) => {
        found += findings.length;
        await findingLog?.append(findings);
        await output.add(findings.map((f) => (routes ? { ...f, destinations: destinationsFor(routes, f) } : f)));
      },
      onProgress: (done, total) => detecting.show(() => `detecting: ${count(done)}/${count(total)} events (${detecting.rate(done)}), ${count(found)} findings so far`),
    });
    detecting.clear();
    await output.end();
    io.stderr.write(replaySummary(files, input, detector, output.findings, options.verbose === true));
    return input.rejected > 0 ? 1 : 0;
  } catch (e) {
    if (!(e instanceof TooManyEventsError)) throw e;
    io.stderr.write(`outlier replay: ${displayLines(e.message)}\n`);
    return USAGE_ERROR;
  } finally {
    await store.close();
  }
}

interface ReplaySetup {
  policy: BaselinePolicy;
  routes?: RoutingConfig;
  store: BaselineStore;
  /** With `--redis`, what the review CLI reads besides baselines: labels, replica windows, findings. */
  reviewStores?: { labels: RedisLabelIndex; replicaSnapshots: RedisReplicaSnapshotStore };
  findingLog?: FindingLog;
  seen?: RedisSeenSet;
}

/** Everything that can fail before reading: options, files, routing file, Redis. A string is the usage error. */
async function prepare(files: string[], options: ReplayCommandOptions): Promise<ReplaySetup | string> {
  const policy = policyOf(options.learningWindow);
  if (!policy) return `invalid --learning-window "${options.learningWindow}": use a duration such as 30m, 1h or 2h30m`;
  const unreadable = await firstUnreadable(files);
  if (unreadable) return unreadable;
  let routes: RoutingConfig | undefined;
  if (options.routes !== undefined) {
    const loaded = await loadRoutesFile(options.routes);
    if (typeof loaded === "string") return loaded;
    routes = loaded;
  }
  if (options.redis === undefined) return { policy, routes, store: new MemoryBaselineStore() };
  try {
    const redis = await openRedis({ ...options, redis: options.redis, prefix: options.prefix ?? DEFAULT_REDIS_PREFIX });
    const reviewStores = { labels: redis.labels(), replicaSnapshots: redis.replicaSnapshots() };
    const seen = redis.seen({ learningMs: policy.learningWindowMs });
    return { policy, routes, store: redis.baselines(), reviewStores, findingLog: redis.findingLog(), seen };
  } catch (e) {
    return `${(e as Error).message} (check --redis, or leave it out to keep baselines in memory)`;
  }
}

function policyOf(learningWindow: string | undefined): BaselinePolicy | undefined {
  if (learningWindow === undefined) return DEFAULT_POLICY;
  const learningWindowMs = parsePositiveDuration(learningWindow);
  return learningWindowMs === undefined ? undefined : { ...DEFAULT_POLICY, learningWindowMs };
}

/** The parsed routing file, or a message: unreadable, or its problems one per line as FILE:LINE:COL. */
export async function loadRoutesFile(file: string): Promise<RoutingConfig | string> {
  const text = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => e);
  if (text instanceof Error) return `cannot read routing file ${file}: ${text.code === "ENOENT" ? "no such file" : text.message}`;
  try {
    // Nothing is sent here: a receiver without a secret location is routed and reported, not refused.
    return loadRoutes(text, { fileName: file, secrets: "optional" });
  } catch (e) {
    return (e as Error).message;
  }
}

interface FindingOutput {
  readonly findings: RoutedFinding[];
  add(findings: RoutedFinding[]): Promise<void>;
  end(): Promise<void>;
}

/** Each finding printed as soon as the detector gives it. */
function jsonlOutput(io: Io): FindingOutput {
  const findings: RoutedFinding[] = [];
  return {
    findings,
    async add(batch) {
      findings.push(...batch);
      if (batch.length > 0) await write(io.stdout, batch.map((f) => `${terminalJson(JSON.stringify(f))}\n`).join(""));
    },
    async end() {},
  };
}

/** One table at the end, most severe first. */
function tableOutput(io: Io, withDestinations: boolean): FindingOutput {
  const findings: RoutedFinding[] = [];
  return {
    findings,
    async add(batch) {
      findings.push(...batch);
    },
    async end() {
      await write(io.stdout, renderTable(findings, withDestinations, isTty(io.stdout)));
    },
  };
}

function renderTable(findings: RoutedFinding[], withDestinations: boolean, tty: boolean): string {
  if (findings.length === 0) return "no findings\n";
  const c = colorsFor(tty);
  const head = ["time", "severity", "type", "namespace/workload", "pod", "summary", ...(withDestinations ? ["destinations"] : [])];
  const shown = (bySeverity(findings) as RoutedFinding[]).slice(0, TABLE_ROW_LIMIT);
  const rows = shown.map((f) => {
    // drawTable escapes plain cells; the severity is ours, coloured, and destinations are one per line on purpose.
    const row: Cell[] = [f.time.slice(0, 19).replace("T", " "), { styled: colorSeverity(c, f.severity) }, clip(f.type, 40), workloadLabel(f), f.pod ?? "-", clip(f.summary, 60)];
    if (withDestinations) row.push({ styled: (f.destinations ?? []).map((d) => displayText(d)).join("\n") || "-" });
    return row;
  });
  const note = findings.length > shown.length ? `(showing the ${shown.length} most severe of ${findings.length} findings; use --output jsonl for all)\n` : "";
  return `${drawTable(head, rows)}${note}`;
}

function replaySummary(files: string[], input: EventInput, detector: Detector, findings: Finding[], verbose: boolean): string {
  const first = input.events[0];
  const last = input.events.at(-1);
  const sources = Object.entries(input.bySource).map(([source, n]) => `${source} ${n.toLocaleString("en-US")}`);
  const span = first && last ? ` from ${displayText(eventTime(first))} to ${displayText(eventTime(last))}` : "";
  const noise = Object.entries(detector.stats.toJSON()["noise"] ?? {}).map(([kind, n]) => `    ${String(n).padStart(7)}  ${NOISE_WORDS[kind] ?? kind}`);
  const skipped = input.skipped > 0 ? ` (empty lines, Falco's own messages${verbose ? "" : "; --verbose lists them"})` : "";
  const rejected = input.rejected > 0 ? " (listed above as FILE:LINE: code: message)" : "";
  return [
    "summary:",
    `  events: ${input.events.length.toLocaleString("en-US")} from ${files.length} file(s)${sources.length > 0 ? ` (${sources.join(", ")})` : ""}${span}`,
    `  findings: ${findings.length}${findings.length > 0 ? ` (${countBySeverity(findings)})` : ""}; repeats rolled up into them: ${detector.stats.total("repeats_rolled_up")}`,
    `  processes not judged against a baseline:${noise.length > 0 ? "" : " none"}`,
    ...noise,
    `  lines skipped on purpose: ${input.skipped}${skipped}`,
    `  lines rejected: ${input.rejected}${rejected}`,
    "",
  ].join("\n");
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** The detector's noise counters, in words. */
const NOISE_WORDS: Record<string, string> = {
  "exec-probe": "exec probes (liveness, readiness, startup)",
  "exec-session": "processes of kubectl exec sessions (reported once, as the session)",
  "pod-spec-command": "the container's own command or lifecycle hooks",
  deferred: "held until a late kubectl exec audit event could arrive (then judged, or claimed by the session)",
  "no-workload": "processes on the node itself or in a pod of no known workload",
};
