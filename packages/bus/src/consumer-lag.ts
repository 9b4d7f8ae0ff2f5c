import type { Admin, Kafka } from "kafkajs";

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Records after the group's committed offset, up to the partition's high watermark. */
  lag: number;
}

/**
 * A group's lag on one topic: high watermark minus committed offset per partition. A
 * partition the group never committed counts from its low watermark (what is still there to read).
 */
export function partitionLags(
  topic: string,
  watermarks: readonly { partition: number; high: string; low: string }[],
  committed: readonly { partition: number; offset: string }[],
): PartitionLag[] {
  const offsets = new Map(committed.map((c) => [c.partition, BigInt(c.offset)]));
  return watermarks.map(({ partition, high, low }) => {
    const done = offsets.get(partition) ?? -1n;
    const from = done < 0n ? BigInt(low) : done;
    const lag = BigInt(high) - from;
    return { topic, partition, lag: Number(lag > 0n ? lag : 0n) };
  });
}

export interface LagMonitorOptions {
  groupId: string;
  topics: readonly string[];
  /** How often the broker is asked (default 15 s: a Prometheus scrape interval). */
  intervalMs?: number;
}

/**
 * Asks the cluster for a group's committed offsets and its topics' watermarks every
 * intervalMs, from outside the consumer: lag keeps growing while the consumer is down,
 * which is when it matters. Whether the last poll was answered says whether Kafka is reachable.
 */
export class LagMonitor {
  readonly #kafka: Kafka;
  readonly #opts: LagMonitorOptions;
  #admin: Admin | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lags: PartitionLag[] = [];
  #reachable = false;

  constructor(kafka: Kafka, opts: LagMonitorOptions) {
    this.#kafka = kafka;
    this.#opts = opts;
  }

  /** Lag per partition at the last answered poll (empty before the first). */
  get lags(): readonly PartitionLag[] {
    return this.#lags;
  }

  /** Whether the last poll was answered by the cluster. */
  get reachable(): boolean {
    return this.#reachable;
  }

  /** Polls now and then every intervalMs, in the background. */
  start(): void {
    if (this.#timer) return;
    // No retries of its own: a failed poll is what this reports, and the next one comes soon.
    this.#admin = this.#kafka.admin({ retry: { retries: 0 } });
    const tick = (): void => void this.poll();
    this.#timer = setInterval(tick, this.#opts.intervalMs ?? 15_000).unref();
    tick();
  }

  /** One poll; never throws (a failure is `reachable` false, the lags stay as last known). */
  async poll(): Promise<void> {
    const admin = this.#admin;
    if (!admin) return;
    const { groupId, topics } = this.#opts;
    try {
      await admin.connect();
      const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
      const perTopic = await Promise.all(
        topics.map(async (topic) => partitionLags(topic, await admin.fetchTopicOffsets(topic), committed.find((c) => c.topic === topic)?.partitions ?? [])),
      );
      this.#lags = perTopic.flat();
      this.#reachable = true;
    } catch {
      this.#reachable = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#admin?.disconnect();
  }
}
