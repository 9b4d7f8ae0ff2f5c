import type { Readable, Writable } from "node:stream";
import type { OutputFormat } from "./output.ts";

/** Where a command reads and writes; the real process streams outside tests. */
export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** Both ends on a terminal: prompts and colour make sense. */
export function isInteractive(io: CliIo): boolean {
  return io.stdin.isTTY === true && io.stdout.isTTY === true;
}

/**
 * Where people read progress and answer prompts: stdout, or stderr when stdout
 * carries JSON or YAML for a script (`-o json > decisions.json` still prompts).
 */
export function peopleIo(io: CliIo, format: OutputFormat): CliIo {
  return format === "table" ? io : { ...io, stdout: io.stderr };
}
