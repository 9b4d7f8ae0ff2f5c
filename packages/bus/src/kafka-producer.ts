import {
  CompressionTypes,
  Partitioners,
  type Kafka,
  type Message,
  type Producer as KafkaJsProducer,
  type RetryOptions,
  type TopicMessages,
} from "kafkajs";
import type { OutRecord, Producer } from "./types.ts";

export interface KafkaProducerOptions {
  /** KafkaJS's own retries inside one send(); the caller (BatchingProducer) retries beyond them. */
  retry?: RetryOptions;
}

/**
 * Produces with acks=all, idempotence (one request in flight, as KafkaJS requires for it) and GZIP.
 * After a failed send the KafkaJS producer is discarded and the next send starts a fresh one:
 * KafkaJS marks idempotence experimental, and a new producer id avoids being stuck on sequence
 * numbers of a batch whose fate is unknown. The price is a possible duplicate, which
 * at-least-once allows (consumers are idempotent on `id`).
 */
export class KafkaProducer implements Producer {
  readonly #kafka: Kafka;
  readonly #retry: RetryOptions;
  #current: { producer: KafkaJsProducer; connected: Promise<void> } | undefined;
  #closed = false;

  constructor(kafka: Kafka, opts: KafkaProducerOptions = {}) {
    this.#kafka = kafka;
    this.#retry = opts.retry ?? { retries: 5, initialRetryTime: 300, maxRetryTime: 10_000 };
  }

  async send(records: OutRecord[]): Promise<void> {
    if (this.#closed) throw new Error("KafkaProducer is closed");
    if (records.length === 0) return;
    const current = this.#connect();
    try {
      await current.connected;
      await current.producer.sendBatch({ topicMessages: byTopic(records), acks: -1, compression: CompressionTypes.GZIP });
    } catch (error) {
      this.#discard(current.producer);
      throw error;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const current = this.#current;
    this.#current = undefined;
    if (current) await current.producer.disconnect();
  }

  #connect(): { producer: KafkaJsProducer; connected: Promise<void> } {
    if (this.#current === undefined) {
      const producer = this.#kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        retry: this.#retry,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      this.#current = { producer, connected: producer.connect() };
    }
    return this.#current;
  }

  #discard(producer: KafkaJsProducer): void {
    if (this.#current?.producer === producer) this.#current = undefined;
    producer.disconnect().catch(() => undefined);
  }
}

function byTopic(records: OutRecord[]): TopicMessages[] {
  const topics = new Map<string, Message[]>();
  for (const { topic, key, value, headers } of records) {
    const messages = topics.get(topic) ?? [];
    messages.push(headers ? { key, value, headers } : { key, value });
    topics.set(topic, messages);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
