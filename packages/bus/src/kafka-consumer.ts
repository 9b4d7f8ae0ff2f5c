import type { Batch, Consumer as KafkaJsConsumer, Kafka, KafkaMessage, RetryOptions } from "kafkajs";
import { ConsumerHealth, type ConsumerReadiness } from "./consumer-health.ts";
import type { BusLogger } from "./kafka.ts";
import type { Consumer, ConsumerRunOptions, InRecord } from "./types.ts";

export interface KafkaConsumerOptions {
  sessionTimeoutMs?: number;
  /** Longest a fetch waits for new records; stop() waits for the fetch in progress. */
  maxWaitTimeMs?: number;
  /** How often a long-running handle() tells the coordinator we are alive. */
  heartbeatIntervalMs?: number;
  /** Backoff between redeliveries of a batch whose handler threw (KafkaJS's retrier). */
  retry?: RetryOptions;
  /** Not ready when the broker has not answered this member for this long (default 15 s). */
  staleMs?: number;
  /** Where the member's changes of state go: one line each (KafkaJS's own churn is at debug). */
  logger?: BusLogger;
  /** Called once per change: lost (crashed), retrying (crashed again before rejoining), recovered (rejoined). */
  onChange?: (event: "lost" | "retrying" | "recovered") => void;
}

/**
 * KafkaJS consumer with commits under our control: autoCommit off, and after handle() resolves
 * the batch's next offset is committed explicitly. A throw leaves the offset unresolved, so KafkaJS
 * fetches the batch again after its retry backoff (and restarts the consumer when retries run out).
 */
export class KafkaConsumer implements Consumer {
  readonly #kafka: Kafka;
  readonly #opts: KafkaConsumerOptions;
  #consumer: KafkaJsConsumer | undefined;
  readonly #health: ConsumerHealth;

  constructor(kafka: Kafka, opts: KafkaConsumerOptions = {}) {
    this.#kafka = kafka;
    this.#opts = opts;
    this.#health = new ConsumerHealth(opts.staleMs ?? 15_000);
  }

  /** Whether this member is in its group and hears from the broker now (for /readyz). */
  readiness(): ConsumerReadiness {
    return this.#health.check();
  }

  async run({ topics, groupId, handle, fromBeginning = false, onAssigned }: ConsumerRunOptions): Promise<void> {
    if (this.#consumer) throw new Error("KafkaConsumer is already running");
    const heartbeatIntervalMs = this.#opts.heartbeatIntervalMs ?? 3_000;
    const consumer = this.#kafka.consumer({
      groupId,
      sessionTimeout: this.#opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: heartbeatIntervalMs,
      maxWaitTimeInMs: this.#opts.maxWaitTimeMs ?? 500,
      retry: this.#opts.retry ?? { retries: 10, initialRetryTime: 300, maxRetryTime: 30_000 },
    });
    this.#consumer = consumer;
    this.#watch(consumer);
    if (onAssigned) consumer.on(consumer.events.GROUP_JOIN, () => onAssigned());
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, commitOffsetsIfNecessary }) => {
        if (batch.messages.length === 0) return;
        const records = batch.messages.map((m) => toInRecord(batch, m));
        const result = await whileBeating(heartbeat, heartbeatIntervalMs, () => handle(records));
        const offset = result?.commitOffset ?? nextOffset(batch.lastOffset());
        await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset }] }] });
      },
    });
  }

  async stop(): Promise<void> {
    const consumer = this.#consumer;
    this.#consumer = undefined;
    this.#health.stopped();
    if (consumer) await consumer.disconnect();
  }

  #watch(consumer: KafkaJsConsumer): void {
    const health = this.#health;
    const { logger, onChange } = this.#opts;
    const { GROUP_JOIN, FETCH, HEARTBEAT, COMMIT_OFFSETS, CRASH } = consumer.events;
    let state: "up" | "lost" | "retrying" = "up";
    let lostAt = 0;
    consumer.on(GROUP_JOIN, ({ payload }) => {
      health.joined();
      if (state === "up") return;
      logger?.info({ groupId: payload.groupId, downMs: Date.now() - lostAt }, "kafka consumer rejoined its group");
      state = "up";
      onChange?.("recovered");
    });
    for (const event of [FETCH, HEARTBEAT, COMMIT_OFFSETS]) consumer.on(event, () => health.contact());
    consumer.on(CRASH, ({ payload }) => {
      health.crashed();
      // The error's class and KafkaJS's text (no secrets: it names the broker's address at most).
      const fields = { groupId: payload.groupId, error: payload.error.message, restart: payload.restart };
      if (!payload.restart) logger?.error(fields, "kafka consumer crashed and will not restart");
      if (state === "up") {
        lostAt = Date.now();
        state = "lost";
        if (payload.restart) logger?.warn(fields, "kafka consumer crashed; rejoining");
        onChange?.("lost");
      } else if (state === "lost") {
        state = "retrying";
        if (payload.restart) logger?.warn(fields, "kafka consumer still cannot rejoin; retrying with backoff");
        onChange?.("retrying");
      }
    });
  }
}

/** Heartbeats while work runs, so a long batch does not get the member evicted mid-handle. */
async function whileBeating<T>(heartbeat: () => Promise<void>, intervalMs: number, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => heartbeat().catch(() => undefined), intervalMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

function toInRecord(batch: Batch, message: KafkaMessage): InRecord {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value.toString();
  }
  return {
    topic: batch.topic,
    partition: batch.partition,
    offset: message.offset,
    key: message.key?.toString() ?? "",
    value: message.value?.toString() ?? "",
    headers,
  };
}
