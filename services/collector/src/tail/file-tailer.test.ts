import { appendFile, copyFile, mkdtemp, open, rename, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileTailer, type FileTailerOptions } from "./file-tailer.ts";
import { tailMetrics, type TailMetrics } from "./metrics.ts";
import { createFilePositionStore } from "./position-store.ts";

const logger = pino({ level: "silent" });

/** Lines of varying length, with multi-byte characters that chunks will split. */
const line = (n: number) => JSON.stringify({ n, pad: "é".repeat(n % 7), text: "x".repeat(n % 13) });
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => line(from + i));
const asText = (ls: string[]) => ls.map((l) => `${l}\n`).join("");
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `text` through `write` in chunks of 1–40 bytes, sometimes pausing, so lines arrive in pieces. */
async function writeInChunks(write: (bytes: Buffer) => Promise<unknown>, text: string, next: () => number): Promise<void> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + Math.floor(next() * 40);
    await write(bytes.subarray(i, i + size));
    i += size;
    if (next() < 0.2) await sleep(1);
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

async function valueOf(metric: TailMetrics[keyof TailMetrics], labels: Record<string, string>): Promise<number> {
  const { values } = await metric.get();
  const matches = (metricLabels: Record<string, string | number | undefined>) => Object.entries(labels).every(([k, value]) => metricLabels[k] === value);
  return values.filter((v) => matches(v.labels)).reduce((sum, v) => sum + v.value, 0);
}

describe("FileTailer", () => {
  let dir: string;
  let path: string;
  let stateDir: string;
  let metrics: TailMetrics;
  let received: { text: string; lineNo: number }[];
  let tailers: FileTailer[];

  const record = async (text: string, lineNo: number) => {
    received.push({ text, lineNo });
  };
  const texts = () => received.map((r) => r.text);

  async function startTailer(options: Partial<FileTailerOptions> = {}): Promise<FileTailer> {
    const tailer = new FileTailer({
      path,
      positionStore: createFilePositionStore(stateDir, path),
      onLine: record,
      logger,
      metrics,
      pollIntervalMs: 5,
      ...options,
    });
    tailers.push(tailer);
    await tailer.start();
    return tailer;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "outlier-tail-"));
    path = join(dir, "events.log");
    stateDir = join(dir, "state");
    metrics = tailMetrics(new Registry());
    received = [];
    tailers = [];
  });
  afterEach(async () => {
    for (const tailer of tailers) await tailer.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("hands on every line once, in order, while the file appears and grows in random chunks", async () => {
    const expected = lines(1, 400);
    await startTailer();
    await writeInChunks((bytes) => appendFile(path, bytes), asText(expected), random(7));
    await waitFor(() => received.length >= expected.length, "400 lines");

    expect(texts()).toEqual(expected);
    expect(received.map((r) => r.lineNo)).toEqual(range(1, 400));
    expect(await valueOf(metrics.linesRead, { path })).toBe(400);
    expect(await valueOf(metrics.bytesRead, { path })).toBe((await stat(path)).size);
    await waitFor(async () => (await valueOf(metrics.lagBytes, { path })) === 0, "no lag");
  });

  it("does not hand on a line without its newline until it is completed", async () => {
    await writeFile(path, "first\nsecond-ha");
    await startTailer();
    await waitFor(() => received.length === 1, "the first line");
    await sleep(100); // twenty polls at the unterminated line
    expect(texts()).toEqual(["first"]);

    await appendFile(path, "lf\n");
    await waitFor(() => received.length === 2, "the completed line");
    expect(texts()).toEqual(["first", "second-half"]);
  });

  it("follows a rotation by rename: reads the old file to its end, then the new one from its start", async () => {
    const expected = lines(1, 300);
    const next = random(11);
    await startTailer();
    let writer = await open(path, "a");
    await writeInChunks((bytes) => writer.write(bytes), asText(expected.slice(0, 150)), next);
    await rename(path, `${path}.1`);
    // Like a real writer, it still appends to the renamed file until it reopens the path.
    await writeInChunks((bytes) => writer.write(bytes), asText(expected.slice(150, 160)), next);
    await writer.close();
    writer = await open(path, "a");
    await writeInChunks((bytes) => writer.write(bytes), asText(expected.slice(160)), next);
    await writer.close();
    await waitFor(() => received.length >= expected.length, "300 lines");

    expect(texts()).toEqual(expected);
    expect(received[160]!.lineNo).toBe(1);
    expect(await valueOf(metrics.rotations, { path })).toBe(1);
    expect(await valueOf(metrics.gaps, { path })).toBe(0);
  });

  it("hands on the unterminated last line of a rotated-away file once it stopped growing", async () => {
    await writeFile(path, "a\nlast-without-newline");
    await startTailer({ partialLineTimeoutMs: 50 });
    await waitFor(() => received.length === 1, "the first line");
    await rename(path, `${path}.1`);
    await writeFile(path, "new-1\nnew-2\n");
    await waitFor(() => received.length === 4, "the new file's lines");

    expect(texts()).toEqual(["a", "last-without-newline", "new-1", "new-2"]);
  });

  it("follows copytruncate without losing or repeating a line once the reader had caught up", async () => {
    const expected = lines(1, 300);
    await writeFile(path, asText(expected.slice(0, 100)));
    await startTailer();
    await waitFor(() => received.length === 100, "the first 100 lines");

    await copyFile(path, `${path}.1`);
    await truncate(path, 0);
    // Fewer bytes than before the truncation, so the shrink is visible whenever the reader looks.
    await appendFile(path, asText(expected.slice(100, 150)));
    await waitFor(() => received.length === 150, "the lines after the truncation");
    await writeInChunks((bytes) => appendFile(path, bytes), asText(expected.slice(150)), random(3));
    await waitFor(() => received.length >= 300, "300 lines");

    expect(texts()).toEqual(expected);
    expect(received[100]!.lineNo).toBe(1);
    expect(await valueOf(metrics.truncations, { path })).toBe(1);
    expect(await valueOf(metrics.gaps, { path })).toBe(0);
  });

  it("stops handing on lines while maxInFlight of them are unfinished (backpressure)", async () => {
    await writeFile(path, asText(lines(1, 100)));
    let release = () => {};
    const ingestBlocked = new Promise<void>((resolve) => (release = resolve));
    await startTailer({ maxInFlight: 10, onLine: (text, lineNo) => record(text, lineNo).then(() => ingestBlocked) });
    await waitFor(() => received.length === 10, "the window to fill");
    await sleep(50); // ten polls with the window full
    expect(received.length).toBe(10);

    release();
    await waitFor(() => received.length >= 100, "the rest");
    expect(texts()).toEqual(lines(1, 100));
  });

  it("counts a gap when the file is truncated while some of it is still unread", async () => {
    // 128-byte lines fill reads exactly, so no half line hides the unread rest: the shrink itself must be noticed.
    const old = Array.from({ length: 3000 }, (_, i) => `old-${i + 1}`.padEnd(127, "."));
    await writeFile(path, asText(old)); // 384 kB: several reads
    let release = () => {};
    const ingestBlocked = new Promise<void>((resolve) => (release = resolve));
    await startTailer({ maxInFlight: 10, onLine: (text, lineNo) => record(text, lineNo).then(() => ingestBlocked) });
    await waitFor(() => received.length === 10, "the window to fill");

    await truncate(path, 0);
    await appendFile(path, "after-1\nafter-2\n");
    release();
    await waitFor(() => received.at(-1)?.text === "after-2", "the lines after the truncation");

    const before = texts().slice(0, -2);
    expect(before.length).toBeLessThan(old.length);
    expect(before).toEqual(old.slice(0, before.length));
    expect(await valueOf(metrics.gaps, { path, reason: "truncated_unread" })).toBe(1);
    expect(await valueOf(metrics.truncations, { path })).toBe(1);
  });

  it("resumes after a restart at the line after the last one acknowledged", async () => {
    await writeFile(path, asText(lines(1, 50)));
    const first = await startTailer();
    await waitFor(() => received.length === 50, "50 lines");
    await first.stop();

    await appendFile(path, asText(lines(51, 80)));
    received = [];
    await startTailer();
    await waitFor(() => received.length >= 30, "the 30 new lines");
    expect(texts()).toEqual(lines(51, 80));
    expect(received.map((r) => r.lineNo)).toEqual(range(51, 80));
  });

  it("reads again after a restart the lines whose ingest had not finished when it stopped", async () => {
    await writeFile(path, asText(lines(1, 50)));
    const neverDone = new Promise<void>(() => {});
    const first = await startTailer({ drainTimeoutMs: 20, onLine: (text, lineNo) => (lineNo <= 30 ? record(text, lineNo) : neverDone) });
    await waitFor(() => received.length === 30, "30 lines acknowledged");
    await sleep(50); // lines 31–50 are handed on and stay unfinished
    await first.stop();

    received = [];
    await startTailer();
    await waitFor(() => received.length >= 20, "the unfinished lines again");
    expect(texts()).toEqual(lines(31, 50));
    expect(received.map((r) => r.lineNo)).toEqual(range(31, 50));
  });

  it("retries a line whose ingest failed, and saves positions only past lines that succeeded", async () => {
    await writeFile(path, asText(lines(1, 5)));
    let failures = 0;
    const first = await startTailer({
      retryDelayMs: 10,
      onLine: async (text, lineNo) => {
        if (lineNo === 2 && failures++ === 0) throw new Error("broker unavailable");
        await record(text, lineNo);
      },
    });
    await waitFor(() => received.length === 5, "5 lines");
    await sleep(20);
    await first.stop();
    expect(texts().sort()).toEqual(lines(1, 5).sort());
    expect(await valueOf(metrics.retries, { path })).toBe(1);

    received = [];
    await appendFile(path, asText(lines(6, 6)));
    await startTailer();
    await waitFor(() => received.length >= 1, "the new line");
    expect(texts()).toEqual(lines(6, 6));
  });

  it("finishes a file rotated away while stopped before reading the new one", async () => {
    await writeFile(path, asText(lines(1, 20)));
    const first = await startTailer();
    await waitFor(() => received.length === 20, "20 lines");
    await first.stop();

    await appendFile(path, asText(lines(21, 25)));
    await rename(path, `${path}.1`);
    await writeFile(path, asText(lines(26, 30)));
    received = [];
    await startTailer();
    await waitFor(() => received.length >= 10, "the rest of both files");
    expect(texts()).toEqual(lines(21, 30));
    expect(await valueOf(metrics.gaps, { path })).toBe(0);
  });

  it("counts a gap when the file read before a restart is gone", async () => {
    await writeFile(path, asText(lines(1, 20)));
    const first = await startTailer();
    await waitFor(() => received.length === 20, "20 lines");
    await first.stop();

    // The new file exists before the old one is removed, so it cannot reuse its inode.
    await writeFile(`${path}.new`, asText(lines(26, 30)));
    await rm(path);
    await rename(`${path}.new`, path);
    received = [];
    await startTailer();
    await waitFor(() => received.length >= 5, "the new file");
    expect(texts()).toEqual(lines(26, 30));
    expect(await valueOf(metrics.gaps, { path, reason: "rotated_unread" })).toBe(1);
  });

  it("cuts a line over the size limit so ingest dead-letters it, and moves past it", async () => {
    await writeFile(path, `${"x".repeat(5000)}\nnext\n`);
    const first = await startTailer({ maxLineBytes: 100 });
    await waitFor(() => received.length === 2, "2 lines");
    expect(received).toEqual([
      { text: "x".repeat(101), lineNo: 1 },
      { text: "next", lineNo: 2 },
    ]);
    expect(await valueOf(metrics.linesCut, { path })).toBe(1);
    await first.stop();

    received = [];
    await appendFile(path, "after\n");
    await startTailer({ maxLineBytes: 100 });
    await waitFor(() => received.length >= 1, "the appended line");
    expect(received).toEqual([{ text: "after", lineNo: 3 }]);
  });
});
