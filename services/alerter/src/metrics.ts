import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The alerter's own metrics, on the process registry, prefixed `outlier_alerter_`. */
export interface AlerterMetrics {
  readonly registry: Registry;
  /** Records read from the findings topic: valid, or invalid (dead-lettered). */
  readonly findingsConsumed: Counter<"result">;
  /** Findings not sent to a receiver again because every one of its sinks already had them. */
  readonly duplicatesSkipped: Counter<"receiver">;
  /** Group notifications started, by receiver. */
  readonly groupFlushes: Counter<"receiver">;
  /** Deliveries by sink and result: delivered, dead_lettered. */
  readonly deliveries: Counter<"sink" | "result">;
  /** Failed attempts that are retried, by sink and reason (rate_limited, server_error, …). */
  readonly retries: Counter<"sink" | "reason">;
  /** Records written to the dead-letter topic, by source (consumer, sink) and code. */
  readonly deadLetters: Counter<"source" | "code">;
  /** From a finding's time to a sink accepting it. */
  readonly deliveryLatency: Histogram<"sink">;
  /** 1 while a sink's circuit breaker is open or half-open (deliveries dead-lettered unattempted), else 0. */
  readonly circuitOpen: Gauge<"sink">;
}

export function createAlerterMetrics(registry: Registry): AlerterMetrics {
  const registers = [registry];
  return {
    registry,
    findingsConsumed: new Counter({ name: "outlier_alerter_findings_consumed_total", help: "Records read from the findings topic", labelNames: ["result"], registers }),
    duplicatesSkipped: new Counter({
      name: "outlier_alerter_duplicates_skipped_total",
      help: "Redelivered findings every sink of a receiver already had (DeliveredStore)",
      labelNames: ["receiver"],
      registers,
    }),
    groupFlushes: new Counter({ name: "outlier_alerter_group_flushes_total", help: "Group notifications started", labelNames: ["receiver"], registers }),
    deliveries: new Counter({ name: "outlier_alerter_deliveries_total", help: "Deliveries by sink and result", labelNames: ["sink", "result"], registers }),
    retries: new Counter({ name: "outlier_alerter_delivery_retries_total", help: "Failed delivery attempts that are retried", labelNames: ["sink", "reason"], registers }),
    deadLetters: new Counter({ name: "outlier_alerter_dead_letters_total", help: "Records written to the dead-letter topic", labelNames: ["source", "code"], registers }),
    deliveryLatency: new Histogram({
      name: "outlier_alerter_delivery_latency_seconds",
      help: "From a finding's time to a sink accepting it (group_wait included)",
      labelNames: ["sink"],
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
    circuitOpen: new Gauge({ name: "outlier_alerter_sink_circuit_open", help: "1 while a sink's circuit breaker is open or half-open, else 0", labelNames: ["sink"], registers }),
  };
}

/** Values read at scrape time. */
export function registerGauges(registry: Registry, probes: { pending(): number }): void {
  new Gauge({
    name: "outlier_alerter_pending_findings",
    help: "Findings waiting in a group or being delivered (their offsets are not committed yet)",
    registers: [registry],
    collect() {
      this.set(probes.pending());
    },
  });
}
