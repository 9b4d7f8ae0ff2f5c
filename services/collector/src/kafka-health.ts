import type { Readiness } from "@outlier/service-kit";
import type { Logger } from "pino";

/** The part of a KafkaJS client used to check that the cluster answers. */
export interface KafkaAdminClient {
  admin(): { connect(): Promise<void>; describeCluster(): Promise<unknown>; disconnect(): Promise<void> };
}

/**
 * Whether Kafka takes our records, for /readyz. Unreachable until a first contact
 * (an admin metadata request, retried in the background), and again from a failed
 * produce attempt until the producer has confirmed more records.
 */
export class KafkaHealth {
  readonly #sent: () => number;
  #contacted = false;
  /** The sent count when the last produce attempt failed; the error itself is logged, never served on /readyz. */
  #failedAt: number | undefined;
  #stopped = false;

  /** `sent` is the producer's count of records confirmed durable. */
  constructor(sent: () => number) {
    this.#sent = sent;
  }

  /** Call on every failed produce attempt. */
  failed(): void {
    this.#failedAt = this.#sent();
  }

  check(): Readiness {
    if (!this.#contacted) return { ready: false, reason: "kafka: not reached yet" };
    if (this.#failedAt === this.#sent()) return { ready: false, reason: "kafka: produce failed (details in the collector log)" };
    this.#failedAt = undefined;
    return { ready: true };
  }

  /** Asks the cluster for its metadata until it answers once (or stop()). */
  async contact(kafka: KafkaAdminClient, logger: Logger, retryMs = 2000): Promise<void> {
    while (!this.#stopped && !this.#contacted) {
      const admin = kafka.admin();
      try {
        await admin.connect();
        await admin.describeCluster();
        this.#contacted = true;
      } catch (err) {
        logger.warn({ err }, "kafka not reachable yet");
        await new Promise((resolve) => setTimeout(resolve, retryMs).unref());
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
  }

  stop(): void {
    this.#stopped = true;
  }
}
