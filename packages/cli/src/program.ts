import { Command } from "commander";
import pkg from "../package.json" with { type: "json" };
import { demoCommand } from "./commands/demo.ts";
import { normalizeCommand } from "./commands/normalize.ts";
import { replayCommand } from "./commands/replay.ts";
import { routesCommand } from "./commands/routes.ts";
import { baselinesCommand } from "./commands/baselines.ts";
import { baselineCommand } from "./commands/baseline.ts";
import { replicasCommand } from "./commands/replicas.ts";
import { findingsCommand } from "./commands/findings.ts";

/** Exit code for usage errors (unknown option, missing argument or file). */
export const USAGE_ERROR = 2;

/** The `outlier` program: one subcommand per file under commands/, registered here. */
export function buildProgram(): Command {
  const program = new Command("outlier")
    .description("Runtime-behaviour anomaly detection for Kubernetes workloads")
    .version(pkg.version)
    .showHelpAfterError();
  program.addCommand(normalizeCommand());
  program.addCommand(replayCommand());
  program.addCommand(demoCommand());
  program.addCommand(routesCommand());
  program.addCommand(baselinesCommand());
  program.addCommand(baselineCommand());
  program.addCommand(replicasCommand());
  program.addCommand(findingsCommand());
  // Commander exits 1 on usage errors; 1 means "rejected input" for our commands.
  for (const command of [program, ...program.commands]) {
    command.exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : USAGE_ERROR));
  }
  return program;
}
