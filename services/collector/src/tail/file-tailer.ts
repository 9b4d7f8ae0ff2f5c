import { open, readdir, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleepFor } from "node:timers/promises";
import type { Logger } from "pino";
import { LineSplitter, type Line } from "./line-splitter.ts";
import type { GapReason, TailMetrics } from "./metrics.ts";
import type { FilePosition, PositionStore } from "./position-store.ts";

export interface FileTailerOptions {
  path: string;
  positionStore: PositionStore;
  /** Handles one complete line. The line is done, and its position may be saved, once the promise resolves; a rejection is retried. */
  onLine: (line: string, lineNo: number) => Promise<unknown>;
  logger: Logger;
  metrics: TailMetrics;
  /** How often the file is checked for growth, truncation and rotation while idle. */
  pollIntervalMs?: number;
  /** Longer lines are cut to maxLineBytes + 1 bytes (see LineSplitter). */
  maxLineBytes?: number;
  /** Lines handed on whose promises have not resolved yet; when full, reading waits. */
  maxInFlight?: number;
  /** A rotated-away file's unterminated last line is handed on after this long without growth. */
  partialLineTimeoutMs?: number;
  /** The position is saved at most this often (and on stop). */
  saveIntervalMs?: number;
  /** On stop, how long to wait for lines in flight before saving the position. */
  drainTimeoutMs?: number;
  /** First pause before retrying a line whose handler rejected; doubles up to 30 s. */
  retryDelayMs?: number;
}

const TAIL_DEFAULTS = {
  pollIntervalMs: 250,
  maxLineBytes: 1024 * 1024,
  maxInFlight: 1000,
  partialLineTimeoutMs: 5000,
  saveIntervalMs: 1000,
  drainTimeoutMs: 5000,
  retryDelayMs: 1000,
};

const READ_CHUNK_BYTES = 64 * 1024;
const MAX_RETRY_DELAY_MS = 30_000;

interface OpenFile {
  handle: FileHandle;
  inode: string;
  /** Where the next read starts. */
  readPosition: number;
  /** Number of the last line handed on. */
  lineNo: number;
  /** When the file last grew: a rotated-away file's unterminated last line waits for this to age. */
  grewAt: number;
}

/** A line handed on whose promise the position waits for. */
interface InFlight {
  text: string;
  position: FilePosition;
  state: "pending" | "done" | "failed";
  settled: Promise<void>;
  error?: unknown;
  attempts: number;
}

/**
 * Follows one file by polling: complete lines only, in order, each handed to `onLine`.
 * The position saved is just after the last line whose promise resolved (with every
 * line before it), so after a crash reading resumes there: lines may be handed on
 * twice, never skipped. Follows rotation by rename (the old file is read to its end
 * first) and truncation (reading restarts at 0); possible losses are counted as gaps.
 */
export class FileTailer {
  private readonly path: string;
  private readonly options: FileTailerOptions & typeof TAIL_DEFAULTS;
  private readonly log: Logger;
  private readonly metrics: TailMetrics;
  private readonly labels: { path: string };
  private readonly splitter: LineSplitter;
  private readonly inFlight: InFlight[] = [];
  private readonly abort = new AbortController();
  private file: OpenFile | undefined;
  private acknowledged: FilePosition | undefined;
  private unsaved = false;
  private savedAt = 0;
  private waitingLogged = false;
  private loop: Promise<void> | undefined;

  constructor(options: FileTailerOptions) {
    this.options = { ...TAIL_DEFAULTS, ...withoutUndefined(options) };
    this.path = options.path;
    this.log = options.logger.child({ path: options.path });
    this.metrics = options.metrics;
    this.labels = { path: options.path };
    this.splitter = new LineSplitter(this.options.maxLineBytes);
  }

  /** Resumes from the saved position and starts following; resolves once following has begun. */
  async start(): Promise<void> {
    if (this.loop || this.stopped) throw new Error(`tailer of ${this.path} already started`);
    await this.resume();
    this.loop = this.run();
  }

  /** Stops reading, waits up to drainTimeoutMs for lines in flight, saves the position and closes the file. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.abort.abort();
    await this.loop;
    await this.drain();
    await this.saveIfDue(true);
    await this.file?.handle.close();
    this.file = undefined;
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  // --- start-up -------------------------------------------------------------

  private async resume(): Promise<void> {
    const saved = await this.options.positionStore.load().catch((err: unknown) => {
      this.log.warn({ err }, "saved position unreadable; reading the file from its start");
      return undefined;
    });
    if (!saved) return;
    const current = await openFile(this.path);
    if (current?.inode === saved.inode) {
      if (current.size >= saved.position) return this.use(current, saved);
      this.metrics.truncations.inc(this.labels);
      this.log.warn({ saved: saved.position, size: current.size }, "file shorter than the saved position (truncated while stopped); reading it from its start");
      this.use(current);
      await this.settleFinished();
      return this.saveIfDue(true);
    }
    // The file read before the restart was rotated away: finish it first if it is still next to the path.
    const rotated = await openRotated(this.path, saved.inode);
    if (rotated) {
      await current?.handle.close();
      this.log.info({ rotatedTo: rotated.path }, "finishing the file rotated away while stopped");
      return this.use(rotated, saved);
    }
    this.gap("rotated_unread", { savedPosition: saved.position });
    if (current) this.use(current);
  }

  /** Reads `opened` from a saved position, or from its start. */
  private use(opened: OpenedFile, from?: FilePosition): void {
    const position = from?.position ?? 0;
    this.file = { handle: opened.handle, inode: opened.inode, readPosition: position, lineNo: from?.line ?? 0, grewAt: Date.now() };
    this.splitter.reset(position);
    if (from) this.acknowledged = from;
    // Once the lines before it are done, the saved position moves to this file, so a restart neither looks for the old one nor counts it lost.
    else this.inFlight.push({ text: "", position: { inode: opened.inode, position: 0, line: 0 }, state: "done", settled: Promise.resolve(), attempts: 0 });
  }

  // --- the loop -------------------------------------------------------------

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const progressed = await this.step();
        failures = 0;
        if (!progressed) await this.sleep(this.options.pollIntervalMs);
      } catch (err) {
        failures += 1;
        this.log.error({ err }, "tailing failed; retrying");
        await this.sleep(Math.min(this.options.pollIntervalMs * 2 ** failures, MAX_RETRY_DELAY_MS));
      }
    }
  }

  /** One look at the file; true when something changed, so the next look comes at once. */
  private async step(): Promise<boolean> {
    const file = this.file ?? (await this.openPath());
    if (!file) return false;
    const size = (await file.handle.stat()).size;
    this.metrics.lagBytes.set(this.labels, Math.max(0, size - file.readPosition));
    if (size < file.readPosition) {
      await this.truncated(file, false);
      return true;
    }
    if (size > file.readPosition) {
      await this.readToEnd(file, size);
      return true;
    }
    await this.settleFinished();
    await this.saveIfDue();
    return this.followRotation(file);
  }

  private async openPath(): Promise<OpenFile | undefined> {
    const opened = await openFile(this.path);
    if (!opened) {
      if (!this.waitingLogged) this.log.info("waiting for the file to appear");
      this.waitingLogged = true;
      return undefined;
    }
    this.waitingLogged = false;
    this.use(opened);
    return this.file;
  }

  /** Reads until the file ends; reaching its end before `size` means it shrank under us. */
  private async readToEnd(file: OpenFile, size: number): Promise<void> {
    while (!this.stopped) {
      const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
      const { bytesRead } = await file.handle.read(buffer, 0, buffer.length, file.readPosition);
      if (bytesRead === 0) break;
      file.readPosition += bytesRead;
      file.grewAt = Date.now();
      this.metrics.bytesRead.inc(this.labels, bytesRead);
      for (const line of this.splitter.push(buffer.subarray(0, bytesRead))) {
        await this.dispatch(file, line);
        if (this.stopped) return;
      }
    }
    if (!this.stopped && file.readPosition < size) await this.truncated(file, true);
  }

  private async truncated(file: OpenFile, shrankWhileReading: boolean): Promise<void> {
    this.metrics.truncations.inc(this.labels);
    const halfLine = this.splitter.pendingBytes;
    if (shrankWhileReading || halfLine > 0) this.gap("truncated_unread", { readPosition: file.readPosition, halfLineBytes: halfLine });
    else this.log.info({ readPosition: file.readPosition }, "file truncated after it was read; reading it from its start");
    // Old and new content share the inode: the saved position must be back at 0 before any
    // line of the new content is acknowledged, or a restart could resume inside the new content.
    await this.settleAll();
    if (this.stopped) return;
    file.readPosition = 0;
    file.lineNo = 0;
    file.grewAt = Date.now();
    this.splitter.reset(0);
    this.acknowledge({ inode: file.inode, position: 0, line: 0 });
    await this.saveIfDue(true);
  }

  /** At the end of the open file: when another file has taken the path, finish this one and move to it. */
  private async followRotation(file: OpenFile): Promise<boolean> {
    const atPath = await statFile(this.path);
    if (!atPath || atPath.inode === file.inode) return false;
    if (this.splitter.pendingBytes > 0) {
      // The writer may still complete the last line of the old file; wait a while for it.
      if (Date.now() - file.grewAt < this.options.partialLineTimeoutMs) return false;
      this.log.info({ bytes: this.splitter.pendingBytes }, "handing on the unterminated last line of the rotated file");
      await this.dispatch(file, this.splitter.flush()!);
      if (this.stopped) return false;
    }
    await file.handle.close();
    this.file = undefined;
    this.metrics.rotations.inc(this.labels);
    this.log.info({ lines: file.lineNo }, "file rotated; following the new one");
    return true;
  }

  // --- lines in flight --------------------------------------------------------

  /** Hands a line on, first waiting while maxInFlight lines are unfinished (backpressure). */
  private async dispatch(file: OpenFile, line: Line): Promise<void> {
    while (this.inFlight.length >= this.options.maxInFlight && !this.stopped) await this.settleHead();
    if (this.stopped) return; // never handed on, never acknowledged: read again after a restart
    file.lineNo += 1;
    this.metrics.linesRead.inc(this.labels);
    if (line.cut) {
      this.metrics.linesCut.inc(this.labels);
      this.log.warn({ line: file.lineNo, bytes: line.bytes, maxLineBytes: this.options.maxLineBytes }, "line over the size limit; handed on cut, to be dead-lettered");
    }
    const entry: InFlight = {
      text: line.text,
      position: { inode: file.inode, position: line.end, line: file.lineNo },
      state: "pending",
      settled: Promise.resolve(),
      attempts: 0,
    };
    this.send(entry);
    this.inFlight.push(entry);
  }

  private send(entry: InFlight): void {
    entry.state = "pending";
    entry.attempts += 1;
    entry.settled = Promise.resolve()
      .then(() => this.options.onLine(entry.text, entry.position.line))
      .then(
        () => {
          entry.state = "done";
        },
        (err: unknown) => {
          entry.state = "failed";
          entry.error = err;
        },
      );
  }

  /** Waits for the oldest line: acknowledges it when done, retries it after a pause when it failed. */
  private async settleHead(): Promise<void> {
    const head = this.inFlight[0];
    if (!head) return;
    await this.untilStopped(head.settled);
    if (head.state === "done") {
      this.inFlight.shift();
      this.acknowledge(head.position);
      await this.saveIfDue();
    } else if (head.state === "failed" && !this.stopped) {
      const delay = Math.min(this.options.retryDelayMs * 2 ** (head.attempts - 1), MAX_RETRY_DELAY_MS);
      this.metrics.retries.inc(this.labels);
      this.log.warn({ err: head.error, line: head.position.line, retryInMs: delay }, "line not ingested; retrying it");
      await this.sleep(delay);
      if (!this.stopped) this.send(head);
    }
  }

  /** Settles the oldest lines that have finished, without waiting for unfinished ones. */
  private async settleFinished(): Promise<void> {
    while (!this.stopped && this.inFlight[0] !== undefined && this.inFlight[0].state !== "pending") await this.settleHead();
  }

  private async settleAll(): Promise<void> {
    while (!this.stopped && this.inFlight.length > 0) await this.settleHead();
  }

  /** On stop: acknowledges lines that finish in time, in order; the rest are read again after a restart. */
  private async drain(): Promise<void> {
    const deadline = Date.now() + this.options.drainTimeoutMs;
    for (const entry of this.inFlight) {
      if (entry.state === "pending") await settledWithin(entry.settled, deadline - Date.now());
      if (entry.state !== "done") break;
      this.acknowledge(entry.position);
    }
    const unfinished = this.inFlight.filter((entry) => entry.state !== "done").length;
    if (unfinished > 0) this.log.info({ unfinished }, "stopped with lines unfinished; they are read again after a restart");
    this.inFlight.length = 0;
  }

  private acknowledge(position: FilePosition): void {
    this.acknowledged = position;
    this.unsaved = true;
  }

  private async saveIfDue(force = false): Promise<void> {
    if (!this.unsaved || !this.acknowledged) return;
    if (!force && Date.now() - this.savedAt < this.options.saveIntervalMs) return;
    this.unsaved = false;
    this.savedAt = Date.now();
    try {
      await this.options.positionStore.save(this.acknowledged);
    } catch (err) {
      this.unsaved = true;
      this.log.warn({ err }, "could not save the read position; retrying later");
    }
  }

  private gap(reason: GapReason, details: Record<string, number>): void {
    this.metrics.gaps.inc({ ...this.labels, reason });
    this.log.warn({ reason, ...details }, "lines may have been lost");
  }

  /** Waits for `settled`, or less if stopped. (Not Promise.race with one long-lived promise: that keeps a reaction per call.) */
  private untilStopped(settled: Promise<void>): Promise<void> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = () => resolve();
      signal.addEventListener("abort", onAbort, { once: true });
      void settled.then(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  private async sleep(ms: number): Promise<void> {
    await sleepFor(ms, undefined, { signal: this.abort.signal }).catch(() => undefined);
  }
}

interface OpenedFile {
  handle: FileHandle;
  inode: string;
  size: number;
}

async function statFile(path: string): Promise<{ inode: string; size: number } | undefined> {
  try {
    const stats = await stat(path, { bigint: true });
    return { inode: stats.ino.toString(), size: Number(stats.size) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** Opens `path` and identifies what was opened (not what was at the path a moment before). */
async function openFile(path: string): Promise<OpenedFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const stats = await handle.stat({ bigint: true });
  return { handle, inode: stats.ino.toString(), size: Number(stats.size) };
}

/** The file with `inode` among the rotated siblings of `path` (path.1, path-20240101, …), opened. */
async function openRotated(path: string, inode: string): Promise<(OpenedFile & { path: string }) | undefined> {
  const directory = dirname(path);
  const name = basename(path);
  const siblings = await readdir(directory).catch(() => [] as string[]);
  for (const sibling of siblings) {
    if (sibling === name || !sibling.startsWith(name)) continue;
    const candidate = join(directory, sibling);
    if ((await statFile(candidate).catch(() => undefined))?.inode !== inode) continue;
    const opened = await openFile(candidate);
    if (opened?.inode === inode) return { ...opened, path: candidate };
    await opened?.handle.close();
  }
  return undefined;
}

/** Waits for `settled` at most `ms`, leaving no timer behind. */
async function settledWithin(settled: Promise<void>, ms: number): Promise<void> {
  if (ms <= 0) return;
  const timer = new AbortController();
  await Promise.race([settled, sleepFor(ms, undefined, { signal: timer.signal }).catch(() => undefined)]);
  timer.abort();
}

function withoutUndefined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}
