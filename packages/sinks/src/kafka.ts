import { findingRecord } from "@outlier/contracts";
import type { Producer } from "@outlier/bus";
import type { SinkConfigOf } from "@outlier/routing";
import { safeText } from "./safe-text.ts";
import { DeliveryError, type Delivery, type Sink } from "./sink.ts";

/** A Kafka topic: one record per finding, keyed like outlier.findings.v1 (findingRecord), so a workload's findings stay in order. */
export class KafkaSink implements Sink {
  readonly name: string;
  readonly #topic: string;
  readonly #producer: Producer;
  /** Whether this sink made the producer (its own `brokers`) and so closes it. */
  readonly #owned: boolean;

  constructor(config: SinkConfigOf<"kafka">, producer: Producer, owned: boolean) {
    this.#topic = config.topic;
    this.#producer = producer;
    this.#owned = owned;
    this.name = `kafka:${config.topic}`;
  }

  async deliver(delivery: Delivery): Promise<void> {
    try {
      await this.#producer.send(delivery.findings.map((finding) => findingRecord(this.#topic, finding)));
    } catch (error) {
      throw new DeliveryError("network", safeText(error instanceof Error ? error.message : String(error), []), { retryable: true });
    }
  }

  async close(): Promise<void> {
    if (this.#owned) await this.#producer.close();
  }
}
