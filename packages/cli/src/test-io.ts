import { Writable } from "node:stream";
import type { Io } from "./io.ts";

/** An Io that keeps what a command writes, for in-process command tests. */
export function memoryIo(): Io & { out(): string; err(): string } {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        into.push(chunk.toString("utf8"));
        done();
      },
    });
  return { stdout: sink(out), stderr: sink(err), out: () => out.join(""), err: () => err.join("") };
}
