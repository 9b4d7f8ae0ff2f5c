/** Exit codes of the review commands (the same as every `outlier` command). */
export const EXIT = {
  ok: 0,
  /** What was asked for does not exist or was refused (unknown workload or entry, invalid file). */
  failed: 1,
  /** Usage or environment: bad option, unreachable Redis, a confirmation needed but no terminal. */
  usage: 2,
} as const;

/** An error whose message is meant for the person at the terminal, with the exit code to use. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = EXIT.failed) {
    super(message);
    this.exitCode = exitCode;
  }
}
