import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { BatchingProducer, BufferFullError, RecordsDroppedError } from "./batching-producer.ts";
import type { OutRecord, Producer } from "./types.ts";

/** An inner producer that records batches and fails or blocks on demand, like Kafka going away. */
class FlakyProducer implements Producer {
  readonly batches: string[][] = [];
  failuresLeft = 0;
  closed = false;
  /** Refuse batches whose values add up to more characters than this, as Kafka refuses one over message.max.bytes. */
  tooLargeOver = Number.POSITIVE_INFINITY;
  #gate: Promise<void> | undefined;
  #open: (() => void) | undefined;

  block(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  unblock(): void {
    this.#open?.();
    this.#gate = undefined;
  }

  async send(records: OutRecord[]): Promise<void> {
    await this.#gate;
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      throw new Error("broker unavailable");
    }
    if (records.reduce((sum, r) => sum + r.value.length, 0) > this.tooLargeOver) {
      // Shaped like KafkaJS's: its retrier wraps the broker's protocol error.
      throw new Error("retries exhausted", { cause: Object.assign(new Error("message too large"), { type: "MESSAGE_TOO_LARGE" }) });
    }
    this.batches.push(records.map((r) => r.value));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

const records = (from: number, count: number): OutRecord[] =>
  Array.from({ length: count }, (_, i) => ({ topic: "t", key: "k", value: String(from + i) }));

describe("BatchingProducer", () => {
  it("sends a full batch at once and the remainder after lingerMs, keeping the order", async () => {
    const inner = new FlakyProducer();
    const producer = new BatchingProducer(inner, { batchSize: 4, lingerMs: 200 });
    const done = [producer.send(records(0, 3)), producer.send(records(3, 3)), producer.send(records(6, 3))];
    await sleep(50);
    expect(inner.batches).toEqual([["0", "1", "2", "3"], ["4", "5", "6", "7"]]);

    await Promise.all(done);
    expect(inner.batches).toEqual([["0", "1", "2", "3"], ["4", "5", "6", "7"], ["8"]]);
    expect(producer.counters).toEqual({ buffered: 0, sent: 9, retries: 0, dropped: 0, tooLarge: 0 });
  });

  it("retries a failing batch with growing backoff and resolves once it is durable", async () => {
    const inner = new FlakyProducer();
    inner.failuresLeft = 3;
    const delays: number[] = [];
    const producer = new BatchingProducer(inner, {
      lingerMs: 0,
      retry: { initialMs: 10, maxMs: 25 },
      random: () => 1,
      onRetry: (_error, _attempt, delayMs) => delays.push(delayMs),
    });

    await producer.send(records(0, 2));

    expect(inner.batches).toEqual([["0", "1"]]);
    expect(delays).toEqual([10, 20, 25]);
    expect(producer.counters).toMatchObject({ sent: 2, retries: 3, dropped: 0 });
  });

  it("applies jitter within [half, full] of the backoff ceiling", async () => {
    const inner = new FlakyProducer();
    inner.failuresLeft = 2;
    const delays: number[] = [];
    const producer = new BatchingProducer(inner, {
      lingerMs: 0,
      retry: { initialMs: 40 },
      random: () => 0,
      onRetry: (_e, _a, delayMs) => delays.push(delayMs),
    });
    await producer.send(records(0, 1));
    expect(delays).toEqual([20, 40]);
  });

  it("makes send() wait for space when the buffer is full, and reports saturation", async () => {
    const inner = new FlakyProducer();
    inner.block();
    const producer = new BatchingProducer(inner, { batchSize: 5, lingerMs: 0, maxBuffered: 5 });
    let firstDone = false;
    let secondDone = false;
    const first = producer.send(records(0, 5)).then(() => (firstDone = true));
    await sleep(10);
    const second = producer.send(records(5, 3)).then(() => (secondDone = true));
    await sleep(10);

    expect(producer.saturated).toBe(true);
    expect(producer.counters.buffered).toBe(5);
    expect([firstDone, secondDone]).toEqual([false, false]);

    inner.unblock();
    await Promise.all([first, second]);
    expect(producer.saturated).toBe(false);
    expect(inner.batches.flat()).toEqual(records(0, 8).map((r) => r.value));
  });

  it("keeps a batch under maxBatchBytes, sending a record larger than that alone", async () => {
    const inner = new FlakyProducer();
    const producer = new BatchingProducer(inner, { batchSize: 100, lingerMs: 0, maxBatchBytes: 25 });
    const value = (c: string, n: number) => ({ topic: "t", key: "k", value: c.repeat(n) });
    await producer.send([value("a", 9), value("b", 9), value("c", 9), value("d", 40), value("e", 9)]);
    expect(inner.batches.map((b) => b.map((v) => v[0]).join(""))).toEqual(["ab", "c", "d", "e"]);
  });

  it("splits a batch Kafka refuses as too large and replaces a record refused alone, without retrying it and in order", async () => {
    const inner = new FlakyProducer();
    inner.tooLargeOver = 10;
    const refused: string[] = [];
    const producer = new BatchingProducer(inner, {
      lingerMs: 0,
      onTooLarge(record) {
        refused.push(record.value);
        return { topic: "deadletter", key: record.key, value: `dl:${record.value.length}` };
      },
    });
    const small = (v: string) => ({ topic: "t", key: "k", value: v });
    await producer.send([small("1"), small("2"), { topic: "t", key: "k", value: "x".repeat(50) }, small("3")]);

    expect(refused).toEqual(["x".repeat(50)]);
    expect(inner.batches.flat()).toEqual(["1", "2", "dl:50", "3"]);
    expect(producer.counters).toMatchObject({ sent: 4, retries: 0, tooLarge: 1 });
  });

  it("counts a too-large record with no replacement, and does not loop on a replacement refused too", async () => {
    const inner = new FlakyProducer();
    inner.tooLargeOver = 10;
    const producer = new BatchingProducer(inner, { lingerMs: 0, onTooLarge: (record) => record });
    await producer.send([{ topic: "t", key: "k", value: "x".repeat(50) }]);
    expect(producer.counters).toMatchObject({ sent: 0, tooLarge: 2 });
    expect(inner.batches).toEqual([]);
  });

  it("refuses a send with refuseWhenFull at once while the buffer is full, instead of queueing it", async () => {
    const inner = new FlakyProducer();
    inner.block();
    const producer = new BatchingProducer(inner, { batchSize: 5, lingerMs: 0, maxBuffered: 5 });
    const held = [producer.send(records(0, 5)), producer.send(records(5, 4))];
    await sleep(10);
    await expect(producer.send(records(9, 1), { refuseWhenFull: true })).rejects.toBeInstanceOf(BufferFullError);
    inner.unblock();
    await Promise.all(held);
    expect(inner.batches.flat()).toEqual(records(0, 9).map((r) => r.value));
  });

  it("close() flushes waiting records without waiting for lingerMs", async () => {
    const inner = new FlakyProducer();
    const producer = new BatchingProducer(inner, { lingerMs: 60_000 });
    const sent = producer.send(records(0, 3));
    const started = Date.now();

    await producer.close();

    await sent;
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(inner.batches).toEqual([["0", "1", "2"]]);
    expect(inner.closed).toBe(true);
  });

  it("close() counts and reports what it cannot deliver by its deadline, and rejects those sends", async () => {
    const inner = new FlakyProducer();
    inner.failuresLeft = Number.POSITIVE_INFINITY;
    const reported: [number, string][] = [];
    const producer = new BatchingProducer(inner, {
      lingerMs: 0,
      retry: { initialMs: 5, maxMs: 5 },
      closeTimeoutMs: 50,
      onDropped: (count, reason) => reported.push([count, reason]),
    });
    const sent = producer.send(records(0, 4));
    await sleep(20);

    await producer.close();

    await expect(sent).rejects.toBeInstanceOf(RecordsDroppedError);
    expect(producer.counters).toMatchObject({ buffered: 0, sent: 0, dropped: 4 });
    expect(reported).toEqual([[4, expect.stringContaining("50 ms")]]);
    expect(inner.closed).toBe(true);
    await expect(producer.send(records(4, 1))).rejects.toThrow(/closed/);
  });
});
