import { emitKeypressEvents } from "node:readline";
import { createInterface } from "node:readline/promises";
import { CliError, EXIT } from "./errors.ts";
import { isInteractive, type CliIo } from "./io.ts";

/**
 * Asks yes/no on the terminal; `--yes` answers for the person. Without a terminal and
 * without `--yes`, refuses (exit 2) rather than guess.
 */
export async function confirm(io: CliIo, question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!isInteractive(io)) throw new CliError(`${question} — stdin is not a terminal; pass --yes to confirm`, EXIT.usage);
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** One line typed on the terminal, trimmed ("" when the person just pressed Enter). */
export async function askLine(io: CliIo, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

interface Keypress {
  name?: string;
  ctrl?: boolean;
}

/** One key press among `keys` (lower case), without Enter; Ctrl-C and Ctrl-D answer `onInterrupt`. */
export async function readKey(io: CliIo, keys: readonly string[], onInterrupt: string): Promise<string> {
  const stdin = io.stdin;
  emitKeypressEvents(stdin);
  stdin.setRawMode?.(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve) => {
      const onKey = (text: string | undefined, key: Keypress | undefined) => {
        const pressed = key?.ctrl && (key.name === "c" || key.name === "d") ? onInterrupt : (text ?? "").toLowerCase();
        if (!keys.includes(pressed)) return;
        stdin.off("keypress", onKey);
        resolve(pressed);
      };
      stdin.on("keypress", onKey);
    });
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
  }
}
