import { once } from "node:events";
import type { Writable } from "node:stream";

/** Where a command writes: process.stdout/stderr, or memory streams in tests. */
export interface Io {
  stdout: Writable;
  stderr: Writable;
}

/** Writes and waits for the stream to drain when its buffer is full, so big outputs stay bounded. */
export async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, "drain");
}

export function isTty(stream: Writable): boolean {
  return (stream as Partial<NodeJS.WriteStream>).isTTY === true;
}
