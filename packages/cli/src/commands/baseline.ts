import { Command } from "commander";
import type { StateAction } from "../review/changes.ts";
import { addStoreOptions, STORE_HELP, withStores, type StoreOptions, type Stores } from "../review/connection.ts";
import { runExport, runImport } from "../review/export-import.ts";
import { runHistory } from "../review/history.ts";
import { processIo } from "../review/io.ts";
import { actorName, outputOption, type OutputFormat } from "../review/output.ts";
import { runReview, type ReviewOptions } from "../review/review-entries.ts";
import { runCommand } from "../review/run.ts";
import type { SelectOptions } from "../review/select.ts";
import { runShow } from "../review/show.ts";
import { runRemoveEntry, runStateChange } from "../review/state.ts";
import { USAGE_ERROR } from "../program.ts";

type Options = StoreOptions & SelectOptions & { output: OutputFormat; as?: string; reason?: string; yes?: boolean };

const WORKLOAD = "NAMESPACE/KIND/NAME, or NAMESPACE/NAME when the kind is unambiguous";

const CHANGES_OUTPUT = `
--output table (default) prints one line per change as it is made. --output json|yaml
prints, at the end, the changes made as a list of { workload, container, action,
binary (entry actions), before, after, actor, reason }: before/after are the entry's
status (null when not stored) or, for lock/unlock/reset, the baseline's state. Lines
for people, confirmation prompts and the interactive review then go to stderr, so
that stdout holds only the data.`;

const EXIT_CODES = `
Exit codes: 0 done, 1 unknown workload or entry / invalid file, 2 usage error,
Redis unreachable, or a confirmation needed without a terminal (pass --yes)`;

const HELP = `
Review one workload's baselines (one per container) and keep them as code.
Every change is written to the review log (who: the OS user or --as; why: --reason),
shown by \`baseline history\`, and published so running detectors apply it at once.
${STORE_HELP}
${EXIT_CODES}

Examples:
  $ outlier baseline show shop/Deployment/checkout
  $ outlier baseline review shop/checkout                    # one pending entry at a time
  $ outlier baseline review shop/checkout --approve /usr/bin/nc --reason "health probe"
  $ outlier baseline lock -n shop --yes
  $ outlier baseline export -n shop > shop-baselines.yaml
  $ outlier baseline import -f shop-baselines.yaml --dry-run
`;

const REVIEW_HELP = `
On a terminal: shows each pending entry (unexpected after the lock, new in an image,
or seen on one replica only) with its evidence and waits for a key:
  a approve (part of the baseline)   d deny (alert every time it runs)
  s skip (decide later)              q quit
Without a terminal, decide with --approve, --deny or --approve-all-pending.
${CHANGES_OUTPUT}
${EXIT_CODES}

Examples:
  $ outlier baseline review shop/Deployment/checkout
  $ outlier baseline review shop/checkout -c app --approve /usr/bin/nc /bin/sleep --deny /usr/bin/curl
  $ outlier baseline review shop/checkout --approve-all-pending --as ana --reason "release 1.4"
  $ outlier baseline review shop/checkout -o json > decisions.json   # keys on the terminal, decisions in the file
`;

const STATE_HELP: Record<StateAction, string> = {
  lock: "Lock: from now on an executable outside the baseline raises process.unexpected.",
  unlock: "Unlock: learn again for one learning window (entries kept); the detector locks it again when the window ends.",
  reset: "Reset: forget every entry and learn from scratch. Always asks for confirmation.",
};

const REMOVE_ENTRY_HELP = `
The entries are deleted from every selected container that has them; an executable
no container has fails the command (exit 1) before anything is written.
${CHANGES_OUTPUT}
${EXIT_CODES}

Examples:
  $ outlier baseline remove-entry shop/checkout /usr/bin/curl --reason "removed from the image"
  $ outlier baseline remove-entry shop/checkout -c app /usr/bin/nc /bin/nc -o yaml
`;

const EXPORT_HELP = `
Prints one YAML document per baseline (all baselines unless a workload, -n or -l
selects), sorted, so that a Git diff shows exactly what changed. --output json prints
the same documents, in the same order, as one JSON array. Exported: the workload,
the state, and per executable its status and evidence (parents, users). Sample
arguments only with --with-args: they hold whatever ran while learning, an
attacker's command line and secrets included, and the file is meant for Git. Not
exported, because they change constantly: counts, first/last seen, replica names,
image digests and lock times.

Examples:
  $ outlier baseline export -n shop > shop-baselines.yaml
  $ outlier baseline export shop/checkout -o json | jq '.[].entries[] | select(.status == "pending")'
`;

const IMPORT_HELP = `
Makes each baseline in the file match it and prints the diff (+ added, ~ changed,
- removed). A file's document is the desired state of its baseline: listed entries
get the listed status, stored entries it does not list are removed, and the state
is locked or unlocked to match. Evidence from the file only seeds new entries.
Baselines not in the file are left alone. --dry-run prints the diff and writes nothing.
${EXIT_CODES}

Example:
  $ outlier baseline import -f shop-baselines.yaml --dry-run
  $ outlier baseline import -f shop-baselines.yaml --reason "PR #42"
`;

export function baselineCommand(): Command {
  const baseline = new Command("baseline")
    .description("Show, review, lock, export and import the baselines of a workload")
    .addHelpText("after", HELP);
  const show = reading("show", "Show a workload's baseline entries with status and evidence")
    .argument("<workload>", WORKLOAD)
    .action((target: string, o: Options) => withIo("baseline show", o, (stores, io) => runShow(stores, target, o, io)));
  const review = changing("review", "Approve or deny pending entries, interactively or with flags")
    .argument("<workload>", WORKLOAD)
    .option("--approve <binaries...>", "approve these executables")
    .option("--deny <binaries...>", "deny these executables")
    .option("--approve-all-pending", "approve every pending entry")
    .addHelpText("after", REVIEW_HELP)
    .action((target: string, o: Options & ReviewOptions) =>
      withIo("baseline review", o, (stores, io) => runReview(stores, target, o, author(o), io)),
    );
  const states = (["lock", "unlock", "reset"] as const).map((action) =>
    bulk(changing(action, STATE_HELP[action].split(":")[0]! + " baselines: one workload, or in bulk with -n / -l"))
      .argument("[workload]", WORKLOAD)
      .option("-y, --yes", "do not ask for confirmation")
      .addHelpText("after", stateHelp(action))
      .action((target: string | undefined, o: Options) =>
        withIo(`baseline ${action}`, o, (stores, io) => runStateChange(stores, action, target, o, author(o), io)),
      ),
  );
  const removeEntry = changing("remove-entry", "Forget executables, so that their next run is judged afresh")
    .argument("<workload>", WORKLOAD)
    .argument("<binaries...>", "executables to forget")
    .addHelpText("after", REMOVE_ENTRY_HELP)
    .action((target: string, binaries: string[], o: Options) =>
      withIo("baseline remove-entry", o, (stores, io) => runRemoveEntry(stores, target, binaries, o, author(o), io)),
    );
  const history = reading("history", "Show the review log: who changed what, when and why")
    .argument("<workload>", WORKLOAD)
    .option("--limit <n>", "latest records per container", (v) => Number.parseInt(v, 10), 100)
    .action((target: string, o: Options & { limit: number }) => withIo("baseline history", o, (stores, io) => runHistory(stores, target, o, io)));
  const exporter = bulk(addStoreOptions(new Command("export").description("Print baselines as YAML, one document per baseline (or as JSON)")))
    .option("-c, --container <name>", "only this container")
    .option("--cluster <name>", "only this cluster")
    .addOption(outputOption(["yaml", "json"]))
    .option("--with-args", "also export each entry's sample arguments (may hold secrets)")
    .argument("[workload]", WORKLOAD)
    .addHelpText("after", EXPORT_HELP)
    .action((target: string | undefined, o: Options) => withIo("baseline export", o, (stores, io) => runExport(stores, target, o, io)));
  const importer = changing("import", "Make stored baselines match a YAML file, showing the diff")
    .requiredOption("-f, --file <file>", "YAML file from `baseline export`")
    .option("--dry-run", "show the diff, write nothing")
    .addHelpText("after", IMPORT_HELP)
    .action((o: Options & { file: string; dryRun?: boolean }) => withIo("baseline import", o, (stores, io) => runImport(stores, o, author(o), io)));
  for (const sub of [show, review, ...states, removeEntry, history, exporter, importer]) {
    // program.ts sets exit codes on top-level commands only; these are one level down.
    baseline.addCommand(sub.showHelpAfterError().exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : USAGE_ERROR)));
  }
  return baseline;
}

/** A command that reads one workload: -c, --cluster, --output and the Redis options. */
function reading(name: string, description: string): Command {
  return addStoreOptions(new Command(name).description(description))
    .option("-c, --container <name>", "only this container")
    .option("--cluster <name>", "the cluster, when a name exists in several")
    .addOption(outputOption());
}

/** A command that changes baselines: it also records who (--as) and why (--reason). */
function changing(name: string, description: string): Command {
  return addStoreOptions(new Command(name).description(description))
    .option("-c, --container <name>", "only this container")
    .option("--cluster <name>", "the cluster, when a name exists in several")
    .option("--as <name>", "who makes the change, for the review log (default: the OS user)")
    .option("--reason <text>", "why, for the review log")
    .addOption(outputOption());
}

function stateHelp(action: StateAction): string {
  const unchanged = { lock: "\nA baseline already locked is not a change: not listed by --output json|yaml.", unlock: "\nA baseline already learning is not a change: not listed by --output json|yaml.", reset: "" }[action];
  return `
${STATE_HELP[action]}
A bulk change (-n / -l) asks for confirmation unless --yes.${unchanged}
${CHANGES_OUTPUT}
${EXIT_CODES}

Examples:
  $ outlier baseline ${action} shop/Deployment/checkout
  $ outlier baseline ${action} -l team=payments --yes --reason "quarterly review"
  $ outlier baseline ${action} -n shop --yes -o json
`;
}

function bulk(command: Command): Command {
  return command.option("-n, --namespace <namespace>", "every baseline in this namespace").option("-l, --selector <selector>", "workload label selector (key=value,key!=value)");
}

function author(o: Options): { actor: string; reason?: string } {
  return o.reason ? { actor: actorName(o.as), reason: o.reason } : { actor: actorName(o.as) };
}

async function withIo(name: string, options: StoreOptions, body: (stores: Stores, io: ReturnType<typeof processIo>) => Promise<number>): Promise<void> {
  const io = processIo();
  await runCommand(name, io, () => withStores(options, (stores) => body(stores, io)));
}
