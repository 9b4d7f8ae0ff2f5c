import { collectDefaultMetrics, Counter, Gauge, Registry } from "prom-client";

/** One registry per process, with Node's default metrics under the service's prefix (e.g. "outlier_collector_"). */
export function createMetrics(prefix: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}

/** A counter whose running total is kept by another part: each scrape adds what grew since the last. */
export function counterOf(registry: Registry, name: string, help: string, read: () => number): void {
  let reported = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      this.inc(now - reported);
      reported = now;
    },
  });
}

/** What a consuming service reports about its connections, read at scrape time. */
export interface ConnectionProbes {
  kafkaConnected(): boolean;
  redisConnected(): boolean;
  /** The group's lag per partition of the topics it consumes. */
  consumerLag(): readonly { topic: string; partition: number; lag: number }[];
}

/**
 * `<prefix>kafka_connected`, `<prefix>redis_connected` (1/0, there from the first scrape) and
 * `<prefix>consumer_lag{topic,partition}`, the gauge to alert on when a consumer falls behind or stops.
 */
export function registerConnectionGauges(registry: Registry, prefix: string, probes: ConnectionProbes): void {
  const registers = [registry];
  new Gauge({
    name: `${prefix}kafka_connected`,
    help: "1 while the Kafka cluster answers this service's requests, else 0",
    registers,
    collect() {
      this.set(probes.kafkaConnected() ? 1 : 0);
    },
  });
  new Gauge({
    name: `${prefix}redis_connected`,
    help: "1 while the Redis client is ready, else 0",
    registers,
    collect() {
      this.set(probes.redisConnected() ? 1 : 0);
    },
  });
  new Gauge({
    name: `${prefix}consumer_lag`,
    help: "Records of a partition after the consumer group's committed offset (high watermark minus committed offset)",
    labelNames: ["topic", "partition"],
    registers,
    collect() {
      // Partitions no longer reported (a topic renamed) must not linger at their last value.
      this.reset();
      for (const { topic, partition, lag } of probes.consumerLag()) this.set({ topic, partition: String(partition) }, lag);
    },
  });
}

/**
 * `<prefix><system>_connection_events_total{event}`: a connection's changes (lost, retrying,
 * recovered), each at 0 from the first scrape. Returns what to call on each change.
 */
export function connectionEventCounter(registry: Registry, prefix: string, system: "redis" | "kafka"): (event: "lost" | "retrying" | "recovered") => void {
  const counter = new Counter({
    name: `${prefix}${system}_connection_events_total`,
    help: `Changes of the ${system} connection: lost, retrying (a reconnection failed), recovered`,
    labelNames: ["event"],
    registers: [registry],
  });
  for (const event of ["lost", "retrying", "recovered"]) counter.inc({ event }, 0);
  return (event) => counter.inc({ event });
}
