import { Command } from "commander";
import { parsePositiveDuration } from "@outlier/contracts";
import type { FindingQuery } from "@outlier/store";
import { addStoreOptions, STORE_HELP, withStores, type StoreOptions, type Stores } from "../review/connection.ts";
import { CliError, EXIT } from "../review/errors.ts";
import { processIo, type CliIo } from "../review/io.ts";
import { drawTable, outputOption, render, shortTime, type OutputFormat } from "../review/output.ts";
import { runCommand } from "../review/run.ts";

type FindingsOptions = StoreOptions & { since: string; namespace?: string; type?: string; limit: number; output: OutputFormat };

const SUMMARY_WIDTH = 80;
/** How much earlier than its finding's event time a finding may have been recorded (node vs detector clocks). */
const CLOCK_SKEW_MS = 5 * 60_000;

const HELP = `
The findings the detectors recorded recently, newest first (one row per finding id).
  --since 1h      that happened in the last 1h, by the finding's own (event) time
                  (also 30m, 2h30m, 45s, 30d); findings of a replay of older files
                  carry their events' times: widen --since to see them
  -n NAMESPACE    about workloads in this namespace
  --type TYPE     a type (process.unexpected) or a family (audit: every audit.<rule>)
${STORE_HELP}

Exit codes: 0 listed (possibly nothing), 1 failed, 2 usage error or Redis unreachable

Examples:
  $ outlier findings --since 1h
  $ outlier findings -n shop --type process.unexpected --output json
`;

export function findingsCommand(): Command {
  return addStoreOptions(
    new Command("findings")
      .description("List recent findings")
      .option("--since <duration>", "how far back, by the finding's event time", "1h")
      .option("-n, --namespace <namespace>", "only this namespace")
      .option("--type <type>", "only this finding type or family")
      .option("--limit <n>", "most findings shown", (v) => Number.parseInt(v, 10), 100)
      .addOption(outputOption()),
  )
    .addHelpText("after", HELP)
    .action(async (options: FindingsOptions) => {
      const io = processIo();
      await runCommand("findings", io, () => withStores(options, (stores) => runFindings(stores, options, io)));
    });
}

export async function runFindings(stores: Stores, options: FindingsOptions, io: CliIo): Promise<number> {
  const sinceMs = parsePositiveDuration(options.since);
  if (sinceMs === undefined) throw new CliError(`--since "${options.since}" is not a duration: use e.g. 1h, 30m, 2h30m`, EXIT.usage);
  if (!Number.isInteger(options.limit) || options.limit < 1) throw new CliError("--limit must be a positive integer", EXIT.usage);
  const from = Date.now() - sinceMs;
  // A finding is recorded after its event happened (give or take clock skew): older records cannot match.
  const query: FindingQuery = { since: from - CLOCK_SKEW_MS, happenedSince: from, limit: options.limit };
  if (options.namespace) query.namespace = options.namespace;
  if (options.type) query.type = options.type;
  const findings = await stores.findings.recent(query);
  const none = async () => {
    const older = await stores.findings.recent({ ...query, happenedSince: undefined, limit: 1 });
    const hint = older.length > 0 ? ` (findings about older events were recorded in that time, e.g. by a replay: widen --since)` : "";
    return `no findings that happened in the last ${options.since}${hint}\n`;
  };
  const empty = findings.length === 0 ? await none() : "";
  io.stdout.write(
    render(options.output, findings, () =>
      findings.length === 0
        ? empty
        : drawTable(
            ["time", "severity", "type", "workload", "pod", "summary"],
            findings.map((f) => [
              shortTime(f.time),
              f.severity,
              f.type,
              f.workload ? `${f.workload.namespace}/${f.workload.kind}/${f.workload.name}` : "",
              f.pod ?? "",
              f.summary.length > SUMMARY_WIDTH ? `${f.summary.slice(0, SUMMARY_WIDTH - 1)}…` : f.summary,
            ]),
          ),
    ),
  );
  return 0;
}
