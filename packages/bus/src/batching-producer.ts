import type { OutRecord, Producer } from "./types.ts";

export interface BatchingProducerOptions {
  /** Flush as soon as this many records wait. */
  batchSize?: number;
  /**
   * Bytes of a batch at most (keys, values and headers, before compression), so a batch stays
   * under the broker's `message.max.bytes`; a larger record goes alone. Default 960 KiB, under Kafka's 1 MiB.
   */
  maxBatchBytes?: number;
  /** Flush at the latest this long after the oldest waiting record arrived. */
  lingerMs?: number;
  /** Records held at most (waiting + in flight); send() waits for space beyond it. */
  maxBuffered?: number;
  /** Retry backoff of a failed batch: doubles from initialMs up to maxMs, with jitter. */
  retry?: { initialMs?: number; maxMs?: number };
  /** How long close() keeps trying to flush before counting the rest as dropped. */
  closeTimeoutMs?: number;
  /** Told about every failed attempt (the batch is retried, not dropped). */
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
  /** Told when close() gives up on records: they are counted in `dropped` and their send() rejects. */
  onDropped?(count: number, reason: string): void;
  /**
   * Told about a record Kafka refuses as too large even alone (retrying cannot help). What it
   * returns (a dead-letter record, say) is sent in its place, once; the record counts in `tooLarge`
   * and its send() resolves. Without it, or when it returns nothing, the record is only counted.
   */
  onTooLarge?(record: OutRecord, error: unknown): OutRecord | undefined;
  /** Source of jitter; tests pass a fixed one. */
  random?: () => number;
}

export interface BatchingCounters {
  /** Records held now: waiting for a batch or in flight. */
  buffered: number;
  /** Records the inner producer confirmed durable (replacements of too-large records included). */
  sent: number;
  /** Failed batch attempts that were retried. */
  retries: number;
  /** Records given up at close(), never silently. */
  dropped: number;
  /** Records Kafka refused as too large even alone: replaced through onTooLarge, or only counted. */
  tooLarge: number;
}

/** Kafka's answers to a request it will never take, however often it is retried. */
const TOO_LARGE = new Set(["MESSAGE_TOO_LARGE", "RECORD_LIST_TOO_LARGE"]);

/** True when `error` (or an error it wraps, as KafkaJS's retrier does) is Kafka refusing a record or batch as too large. */
function isTooLarge(error: unknown): boolean {
  for (let e = error as { type?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.type === "string" && TOO_LARGE.has(e.type)) return true;
  }
  return false;
}

/** The bytes a record takes in a batch, before compression. */
function recordBytes({ key, value, headers }: OutRecord): number {
  let bytes = Buffer.byteLength(key) + Buffer.byteLength(value);
  for (const name in headers) bytes += Buffer.byteLength(name) + Buffer.byteLength(headers[name]!);
  return bytes;
}

/** Thrown by send(records, { refuseWhenFull: true }) while the buffer is full: the caller pushes back on its own client. */
export class BufferFullError extends Error {
  readonly code = "bus_buffer_full";
}

/** Thrown to the send() calls whose records close() could not deliver. */
export class RecordsDroppedError extends Error {
  readonly code = "bus_records_dropped";
}

interface Ticket {
  remaining: number;
  resolve(): void;
  reject(error: Error): void;
}

interface Pending {
  record: OutRecord;
  ticket: Ticket;
  /** Sent in place of a record Kafka refused as too large (so never replaced again). */
  replaces?: true;
}

/**
 * A Producer for collectors: send() enqueues and resolves once its records are durable.
 * Batches go out one at a time (so order is kept) when `batchSize` records wait or `lingerMs`
 * passed. A failing inner producer (Kafka down) makes the batch retry with backoff, forever
 * until close(): nothing is dropped while running. The buffer is bounded: when full, send()
 * waits for space and `saturated` is true, so HTTP receivers can answer 503.
 */
export class BatchingProducer implements Producer {
  readonly #inner: Producer;
  readonly #batchSize: number;
  #maxBatchBytes: number;
  readonly #lingerMs: number;
  readonly #maxBuffered: number;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #closeTimeoutMs: number;
  readonly #opts: BatchingProducerOptions;
  readonly #random: () => number;

  #waiting: Pending[] = [];
  #inFlight: Pending[] = [];
  /** send() calls blocked on a full buffer, in arrival order. */
  #blocked: { records: OutRecord[]; ticket: Ticket }[] = [];
  #sent = 0;
  #retries = 0;
  #dropped = 0;
  #tooLarge = 0;
  #closing = false;
  #abandoned = false;
  #draining: Promise<void> | undefined;
  #lingering = false;
  #wake: (() => void) | undefined;

  constructor(inner: Producer, opts: BatchingProducerOptions = {}) {
    this.#inner = inner;
    this.#batchSize = opts.batchSize ?? 500;
    this.#maxBatchBytes = opts.maxBatchBytes ?? 960 * 1024;
    this.#lingerMs = opts.lingerMs ?? 50;
    this.#maxBuffered = opts.maxBuffered ?? 10_000;
    this.#initialBackoffMs = opts.retry?.initialMs ?? 200;
    this.#maxBackoffMs = opts.retry?.maxMs ?? 30_000;
    this.#closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
    this.#random = opts.random ?? Math.random;
    this.#opts = opts;
  }

  get counters(): BatchingCounters {
    return { buffered: this.#buffered(), sent: this.#sent, retries: this.#retries, dropped: this.#dropped, tooLarge: this.#tooLarge };
  }

  /** Bytes per batch at most, now. */
  get maxBatchBytes(): number {
    return this.#maxBatchBytes;
  }

  /** Lowers maxBatchBytes (never raises it), e.g. to what the broker says it accepts. */
  limitBatchBytes(bytes: number): void {
    this.#maxBatchBytes = Math.min(this.#maxBatchBytes, bytes);
  }

  /** True while the buffer is full: senders wait, and the caller should push back on its own clients. */
  get saturated(): boolean {
    return this.#blocked.length > 0 || this.#buffered() >= this.#maxBuffered;
  }

  /**
   * Resolves once `records` are durable. While the buffer is full it waits for space (a file
   * tail, bounded by its lines in flight), or with `refuseWhenFull` rejects at once with
   * BufferFullError (an HTTP receiver, whose sender retries): only waiting senders queue, so
   * a flood of requests cannot grow the queue.
   */
  send(records: OutRecord[], options: { refuseWhenFull?: boolean } = {}): Promise<void> {
    if (this.#closing) return Promise.reject(new Error("BatchingProducer is closed"));
    if (records.length === 0) return Promise.resolve();
    if (options.refuseWhenFull && this.saturated) return Promise.reject(new BufferFullError("producer buffer full"));
    return new Promise<void>((resolve, reject) => {
      this.#blocked.push({ records, ticket: { remaining: records.length, resolve, reject } });
      this.#admit();
    });
  }

  /** Flushes what is held; what is still undelivered after closeTimeoutMs is dropped, counted and reported. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    if (this.#lingering) this.#wake?.();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#closeTimeoutMs)));
    await Promise.race([this.#draining, deadline]);
    clearTimeout(timer);
    this.#abandon();
    await this.#inner.close();
  }

  #buffered(): number {
    return this.#waiting.length + this.#inFlight.length;
  }

  /** Moves blocked send() calls into the buffer while they fit (an oversized one enters an empty buffer alone). */
  #admit(): void {
    while (this.#blocked.length > 0) {
      const next = this.#blocked[0]!;
      if (this.#buffered() > 0 && this.#buffered() + next.records.length > this.#maxBuffered) break;
      this.#blocked.shift();
      for (const record of next.records) this.#waiting.push({ record, ticket: next.ticket });
    }
    if (this.#lingering && this.#waiting.length >= this.#batchSize) this.#wake?.();
    if (this.#draining === undefined && this.#waiting.length > 0 && !this.#abandoned) this.#draining = this.#drain();
  }

  /** The one sender loop: a batch at a time, so records leave in the order they came. */
  async #drain(): Promise<void> {
    try {
      while (this.#waiting.length > 0 && !this.#abandoned) {
        if (this.#waiting.length < this.#batchSize && !this.#closing) {
          this.#lingering = true;
          await this.#sleep(this.#lingerMs);
          this.#lingering = false;
        }
        this.#inFlight = this.#waiting.splice(0, this.#batchLength());
        await this.#deliver(this.#inFlight);
        this.#inFlight = [];
        this.#admit();
      }
    } finally {
      // Synchronously after the last check, so an #admit() cannot see a finished loop as running.
      this.#draining = undefined;
    }
  }

  /** How many waiting records make the next batch: up to batchSize and maxBatchBytes, at least one. */
  #batchLength(): number {
    let bytes = 0;
    let length = 0;
    for (const { record } of this.#waiting) {
      bytes += recordBytes(record);
      if (length === this.#batchSize || (length > 0 && bytes > this.#maxBatchBytes)) break;
      length++;
    }
    return length;
  }

  /**
   * Retries one batch until the inner producer takes it or close() gives up on it. A batch Kafka
   * refuses as too large is split in halves, in order; a record refused alone is given to onTooLarge.
   */
  async #deliver(batch: Pending[]): Promise<void> {
    for (let attempt = 1; !this.#abandoned; attempt++) {
      try {
        await this.#inner.send(batch.map((p) => p.record));
        if (this.#abandoned) return; // already counted as dropped and rejected
        this.#sent += batch.length;
        for (const { ticket } of batch) if (--ticket.remaining === 0) ticket.resolve();
        return;
      } catch (error) {
        if (this.#abandoned) return;
        if (isTooLarge(error)) {
          if (batch.length === 1) return this.#replaceTooLarge(batch[0]!, error);
          const half = Math.ceil(batch.length / 2);
          await this.#deliver(batch.slice(0, half));
          return this.#deliver(batch.slice(half));
        }
        this.#retries++;
        const delayMs = this.#backoff(attempt);
        this.#opts.onRetry?.(error, attempt, delayMs);
        await this.#sleep(delayMs);
      }
    }
  }

  /** Sends what onTooLarge gives in place of a refused record, under its ticket; a refused replacement is only counted. */
  async #replaceTooLarge(pending: Pending, error: unknown): Promise<void> {
    this.#tooLarge++;
    const replacement = pending.replaces ? undefined : this.#opts.onTooLarge?.(pending.record, error);
    if (replacement !== undefined) return this.#deliver([{ record: replacement, ticket: pending.ticket, replaces: true }]);
    if (--pending.ticket.remaining === 0) pending.ticket.resolve();
  }

  /** Exponential backoff with "equal jitter" (half fixed, half random), so producers do not retry in step. */
  #backoff(attempt: number): number {
    const ceiling = Math.min(this.#maxBackoffMs, this.#initialBackoffMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.#random());
  }

  /** A sleep that #wake cuts short: a full batch or close() ends a linger, close()'s deadline ends anything. */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wake = wake;
    });
  }

  /** Gives up on every record still held or blocked: counted, reported, and its send() rejects. */
  #abandon(): void {
    const lost = [
      ...this.#inFlight,
      ...this.#waiting,
      ...this.#blocked.flatMap(({ records, ticket }) => records.map((record) => ({ record, ticket }))),
    ];
    this.#abandoned = true;
    this.#wake?.();
    this.#inFlight = [];
    this.#waiting = [];
    this.#blocked = [];
    if (lost.length === 0) return;
    this.#dropped += lost.length;
    const reason = `not confirmed durable within ${this.#closeTimeoutMs} ms of close()`;
    this.#opts.onDropped?.(lost.length, reason);
    const error = new RecordsDroppedError(`${lost.length} records dropped: ${reason}`);
    for (const ticket of new Set(lost.map((p) => p.ticket))) ticket.reject(error);
  }
}
