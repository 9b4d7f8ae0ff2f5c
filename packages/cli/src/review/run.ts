import { displayLines } from "@outlier/contracts";
import { CliError, EXIT } from "./errors.ts";
import type { CliIo } from "./io.ts";

/** Runs a command body and turns its outcome into the exit code; errors become one line on stderr. */
export async function runCommand(name: string, io: CliIo, body: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await body()) ?? EXIT.ok;
  } catch (e) {
    const code = e instanceof CliError ? e.exitCode : EXIT.failed;
    // Messages quote targets, binaries and Redis answers: newlines kept, other control characters shown.
    io.stderr.write(`outlier ${name}: ${displayLines((e as Error).message)}\n`);
    process.exitCode = code;
  }
}
