import { readFile } from "node:fs/promises";
import { Command } from "commander";
import { displayLines, FindingSchema, type Finding } from "@outlier/contracts";
import { explainRoute } from "@outlier/routing";
import { write, type Io } from "../io.ts";
import { USAGE_ERROR } from "../program.ts";
import { loadRoutesFile } from "./replay.ts";

/** Used when no finding file is given: a critical miner in a payments-team Deployment. */
export const SAMPLE_FINDING: Finding = {
  schema: "outlier.finding.v1",
  id: "sample-finding",
  type: "process.unexpected",
  severity: "critical",
  time: "2026-03-02T10:20:30.120000000Z",
  cluster: "demo",
  summary: "Unexpected process /tmp/xmrig in Deployment shop/checkout container checkout",
  workload: { kind: "Deployment", name: "checkout", namespace: "shop", labels: { app: "checkout", team: "payments" }, annotations: {} },
  pod: "checkout-6647crvnt7-s6hx4",
  container: "checkout",
  process: { binary: "/tmp/xmrig", args: "-o pool.supportxmr.com:3333", ancestors: ["/bin/sh"] },
  evidence: {},
  dedupKey: "process.unexpected|demo/shop/Deployment/checkout|checkout|/tmp/xmrig",
};

const HELP = `
Prints, for each finding, its routing labels, every route node tried (each matcher
with the value it saw), the receivers reached and their destinations. The routing
file is validated first; its problems are printed as FILE:LINE:COL: key: message.

FINDING_FILE holds one Finding v1 JSON object, or one per line (what
\`outlier replay --output jsonl\` prints). Without it, a built-in sample finding is used
(a critical process.unexpected in shop/checkout, team=payments).

Exit codes: 0 routed; 2 usage error (routing file or finding file missing or invalid).

Examples:
  $ outlier routes test --routes examples/routes.yaml
  $ outlier replay --output jsonl examples/demo/*.jsonl > findings.jsonl
  $ outlier routes test --routes examples/routes.yaml findings.jsonl
`;

export interface RoutesTestOptions {
  routes: string;
}

export function routesCommand(): Command {
  const test = new Command("test")
    .description("Show which receivers a finding reaches, and why")
    .argument("[finding-file]", "a Finding v1 JSON object, or JSON lines of findings")
    .requiredOption("--routes <file>", "the routing file (YAML)")
    .addHelpText("after", HELP)
    .action(async (findingFile: string | undefined, options: RoutesTestOptions) => {
      process.exitCode = await runRoutesTest(findingFile, options, { stdout: process.stdout, stderr: process.stderr });
    })
    // Subcommands of a subcommand are not reached by the program's exit override.
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : USAGE_ERROR));
  return new Command("routes").description("Work with routing files").addCommand(test);
}

/** Explains the routing of each finding; returns the exit code. */
export async function runRoutesTest(findingFile: string | undefined, options: RoutesTestOptions, io: Io): Promise<number> {
  const config = await loadRoutesFile(options.routes);
  if (typeof config === "string") {
    io.stderr.write(`outlier routes test: ${displayLines(config)}\n`);
    return USAGE_ERROR;
  }
  const findings = findingFile === undefined ? [SAMPLE_FINDING] : await readFindings(findingFile);
  if (typeof findings === "string") {
    io.stderr.write(`outlier routes test: ${displayLines(findings)}\n`);
    return USAGE_ERROR;
  }
  if (findingFile === undefined) await write(io.stdout, "(no finding file given: routing a built-in sample finding; pass FINDING_FILE to route your own)\n\n");
  // Labels and names come from the findings: whatever the explanation quotes stays text.
  await write(io.stdout, `${findings.map((f) => displayLines(explainRoute(config, f))).join("\n\n")}\n`);
  if (config.withoutSecrets.size > 0) {
    await write(io.stdout, `\nnot checked: ${[...config.withoutSecrets].join(", ")} name no secret location; the alerter refuses the file until they do\n`);
  }
  return 0;
}

/** The findings in a file (one JSON object, or JSON lines), or a message saying what is wrong. */
async function readFindings(file: string): Promise<Finding[] | string> {
  const text = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => e);
  if (text instanceof Error) return `cannot read ${file}: ${text.code === "ENOENT" ? "no such file" : text.message}`;
  const documents = parseDocuments(text);
  if (documents.length === 0) return `${file}: no finding in the file`;
  const findings: Finding[] = [];
  for (const { line, value } of documents) {
    if (typeof value === "string") return `${file}:${line}: not JSON: ${value}`;
    const parsed = FindingSchema.safeParse(value.json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return `${file}:${line}: not a Finding v1: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`;
    }
    findings.push(parsed.data);
  }
  return findings;
}

/** The whole file as one JSON document when it is one, else each non-empty line; a string value is a parse error. */
function parseDocuments(text: string): { line: number; value: { json: unknown } | string }[] {
  const whole = parse(text);
  if (typeof whole !== "string") return [{ line: 1, value: whole }];
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ line: i + 1, text: line }))
    .filter(({ text: t }) => t.trim() !== "")
    .map(({ line, text: t }) => ({ line, value: parse(t) }));
}

function parse(text: string): { json: unknown } | string {
  try {
    return { json: JSON.parse(text) };
  } catch (e) {
    return (e as Error).message;
  }
}
