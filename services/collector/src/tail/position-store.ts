import { createHash } from "node:crypto";
import { mkdir, open, readFile, rename } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";

/** Where reading resumes: just after the last line known to be durable in Kafka. */
export interface FilePosition {
  /** The file's inode, as a decimal string (64-bit inodes exceed JavaScript numbers). */
  inode: string;
  /** Byte offset after that line's newline. */
  position: number;
  /** That line's number in its file (1-based), so locations stay right after a restart. */
  line: number;
}

export interface PositionStore {
  /** The saved position, or undefined when none was saved; rejects when the saved one cannot be read. */
  load(): Promise<FilePosition | undefined>;
  save(position: FilePosition): Promise<void>;
}

const FilePositionSchema = z.object({
  inode: z.string().regex(/^\d+$/),
  position: z.number().int().min(0),
  line: z.number().int().min(0),
});

/** The state file of one tailed path: readable name, plus a hash so two paths never share one. */
export function positionFileName(path: string): string {
  const hash = createHash("sha256").update(path).digest("hex").slice(0, 12);
  return `tail-${basename(path).replace(/[^\w.-]/g, "_")}-${hash}.json`;
}

/**
 * One small JSON file per tailed path in `stateDir`, replaced atomically (write a
 * temporary file, fsync it, rename it over the old one), so a crash leaves either the
 * old position or the new one, never a torn file.
 */
export function createFilePositionStore(stateDir: string, path: string): PositionStore {
  const file = join(stateDir, positionFileName(path));
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw err;
      }
      const parsed = FilePositionSchema.safeParse(parseJson(text));
      if (!parsed.success) throw new Error(`unreadable position file ${file}`);
      return parsed.data;
    },
    async save(position) {
      await mkdir(stateDir, { recursive: true });
      const temporary = `${file}.tmp`;
      const handle = await open(temporary, "w");
      try {
        await handle.writeFile(JSON.stringify({ path, ...position }));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
