import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { createInterface } from "node:readline";
import { displayText, type AuditEvent, type RejectCode, type RuntimeEvent, type SkipCode } from "@outlier/contracts";
import { normalizeLine, type Normalized, type SourceFormat } from "@outlier/normalize";

/** One input line, numbered from 1 within its file. */
export interface InputLine {
  file: string;
  lineNo: number;
  line: string;
}

/** A line no normalizer accepted, for `FILE:LINE: code: message` reports. */
export interface RejectedLine {
  file: string;
  lineNo: number;
  code: RejectCode;
  message: string;
}

/** A line skipped on purpose, for `--verbose`. */
export type SkippedLine = Omit<RejectedLine, "code"> & { code: SkipCode };

/** Every normalized event of the input, in event-time order, and what the lines held. */
export interface EventInput {
  events: Normalized[];
  /** Events per source format: tetragon, falco, audit. */
  bySource: Partial<Record<SourceFormat, number>>;
  /** Lines skipped on purpose (empty lines, Falco internal messages). */
  skipped: number;
  rejected: number;
}

/** Replay sorts in memory; past this many events it stops and asks for smaller inputs. */
export const MAX_REPLAY_EVENTS = 2_000_000;

export class TooManyEventsError extends Error {
  constructor(limit: number) {
    super(`the input holds more than ${limit.toLocaleString("en-US")} events, the most replay sorts in memory; replay it in smaller time ranges`);
    this.name = "TooManyEventsError";
  }
}

/** The first file that cannot be read, or is not text, as a message; undefined when all can. */
export async function firstUnreadable(files: readonly string[]): Promise<string | undefined> {
  for (const file of files) {
    const name = displayText(file);
    const info = await stat(file).catch((e: NodeJS.ErrnoException) => e);
    if (info instanceof Error) return `cannot read ${name}: ${info.code === "ENOENT" ? "no such file" : displayText(info.message)}`;
    if (!info.isFile()) return `cannot read ${name}: not a file`;
    if (await looksBinary(file)) return `${name}: this does not look like JSON lines (NUL or control bytes in its first KiB); nothing read`;
  }
  return undefined;
}

/** How much of a file is sniffed before reading it line by line. */
const SNIFF_BYTES = 1024;

/**
 * A binary file (an executable, a gzip, a core dump) would otherwise be "normalized"
 * line by line into hundreds of rejections quoting control bytes. JSON forbids raw
 * control characters, so a NUL, or more than 1% of other control bytes (a stray one in
 * a text file is just a bad line), means it is not JSON lines.
 */
export async function looksBinary(file: string): Promise<boolean> {
  const handle = await open(file, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(SNIFF_BYTES), 0, SNIFF_BYTES, 0);
    const sample = buffer.subarray(0, bytesRead);
    if (sample.includes(0)) return true;
    const controls = sample.filter((b) => (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f).length;
    return controls > bytesRead / 100;
  } finally {
    await handle.close();
  }
}

/** `FILE:LINE: code: message` for stderr; the message may quote the line, which can hold anything. */
export function rejectedLine(r: RejectedLine | SkippedLine, prefix = ""): string {
  return `${displayText(r.file)}:${r.lineNo}: ${prefix}${r.code}: ${displayText(r.message)}`;
}

/** The lines of each file in turn (any line ending). */
export async function* readLines(files: readonly string[]): AsyncGenerator<InputLine> {
  for (const file of files) {
    let lineNo = 0;
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      lineNo++;
      yield { file, lineNo, line };
    }
  }
}

export interface ReadEventsOptions {
  cluster: string;
  /** Falco rules that feed process execs (see NormalizeOptions); absent: the normalizer's choice. */
  falcoExecRules?: readonly string[];
  maxEvents?: number;
  onRejected?: (rejected: RejectedLine) => void;
  /** A line skipped on purpose (empty, a Falco internal message), with why. */
  onSkipped?: (skipped: SkippedLine) => void;
  /** Called now and then while reading: lines and bytes read so far. */
  onProgress?: (read: { lines: number; events: number }) => void;
}

/** Lines between two progress calls. */
const PROGRESS_EVERY = 50_000;

/**
 * Normalizes every line (format detected per line) and sorts the events by event time
 * (`time`, or an audit event's `requestReceivedTimestamp`). The sort is stable, so
 * events of the same instant keep their file and line order. Throws TooManyEventsError
 * past `maxEvents`.
 */
export async function readEvents(files: readonly string[], options: ReadEventsOptions): Promise<EventInput> {
  const maxEvents = options.maxEvents ?? MAX_REPLAY_EVENTS;
  const input: EventInput = { events: [], bySource: {}, skipped: 0, rejected: 0 };
  let lines = 0;
  for await (const { file, lineNo, line } of readLines(files)) {
    if (++lines % PROGRESS_EVERY === 0) options.onProgress?.({ lines, events: input.events.length });
    const result = normalizeLine(line, { cluster: options.cluster, falcoExecRules: options.falcoExecRules });
    if (result.ok === false) {
      input.rejected++;
      options.onRejected?.({ file, lineNo, code: result.code, message: result.message });
    } else if (result.ok === "skipped") {
      input.skipped++;
      options.onSkipped?.({ file, lineNo, code: result.code, message: result.message });
    } else {
      if (input.events.length + result.events.length > maxEvents) throw new TooManyEventsError(maxEvents);
      input.events.push(...result.events);
      input.bySource[result.source] = (input.bySource[result.source] ?? 0) + result.events.length;
    }
  }
  // Normalized times have a fixed width (nine fractional digits, UTC): string order is time order.
  input.events.sort((a, b) => compare(eventTime(a), eventTime(b)));
  return input;
}

export function eventTime(event: RuntimeEvent | AuditEvent): string {
  return event.schema === "outlier.audit.v1" ? event.requestReceivedTimestamp : event.time;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
