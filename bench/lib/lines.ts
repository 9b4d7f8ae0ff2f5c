import { open } from "node:fs/promises";

const CHUNK_BYTES = 1024 * 1024;

/**
 * The complete lines of a file, a chunk's worth at a time: one await per megabyte, not
 * per line, so the reader costs the same in every benchmark pass that uses it.
 */
export async function* readLineBatches(path: string): AsyncGenerator<string[]> {
  const file = await open(path, "r");
  try {
    let rest = Buffer.alloc(0);
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const data = rest.length > 0 ? Buffer.concat([rest, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const lastNewline = data.lastIndexOf(10);
      if (lastNewline === -1) {
        rest = Buffer.from(data);
        continue;
      }
      yield data.toString("utf8", 0, lastNewline).split("\n");
      rest = Buffer.from(data.subarray(lastNewline + 1));
    }
    if (rest.length > 0) yield [rest.toString("utf8")];
  } finally {
    await file.close();
  }
}
