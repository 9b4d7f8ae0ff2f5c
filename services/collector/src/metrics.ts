import { counterOf } from "@outlier/service-kit";
import { Counter, Gauge, type Registry } from "prom-client";

/**
 * The collector's own counters, on the process registry. Sources that need more
 * (e.g. the file tailer) register theirs on `registry`, prefixed `outlier_collector_`.
 */
export interface CollectorMetrics {
  readonly registry: Registry;
  /** Events produced to Kafka, by source format (tetragon, falco, audit) and event type. */
  readonly eventsProduced: Counter<"source" | "type">;
  /** Inputs dead-lettered, by source format (or "unknown") and reject code. */
  readonly rejected: Counter<"source" | "code">;
  /** Inputs read on purpose and dropped, by source format and skip code. */
  readonly skipped: Counter<"source" | "code">;
  /** HTTP receiver answers, by receiver (falco, audit) and status code. */
  readonly receiverRequests: Counter<"receiver" | "status">;
  /** Audit events dropped as retries of an already produced auditID+stage. */
  readonly auditDuplicates: Counter;
  /** Pod-cache enrichment results (hit, late_hit, miss, overflow, host). */
  readonly enrichResults: Counter<"result">;
  /** Failed produce attempts of a batch; the batch is retried, not dropped. */
  readonly producerRetries: Counter;
  /** Records given up at shutdown because Kafka did not confirm them in time. */
  readonly producerDropped: Counter;
}

/** Values read at scrape time from the parts that own them. */
export interface GaugeProbes {
  producerBuffered(): number;
  enrichPending(): number;
  /** The pod cache's informer (zeros without one). */
  podCache(): { restarts: number; lists: number };
}

export function createCollectorMetrics(registry: Registry): CollectorMetrics {
  const registers = [registry];
  return {
    registry,
    eventsProduced: new Counter({
      name: "outlier_collector_events_produced_total",
      help: "Normalized events produced to Kafka",
      labelNames: ["source", "type"],
      registers,
    }),
    rejected: new Counter({
      name: "outlier_collector_rejected_total",
      help: "Inputs that could not be normalized and were dead-lettered",
      labelNames: ["source", "code"],
      registers,
    }),
    skipped: new Counter({
      name: "outlier_collector_skipped_total",
      help: "Inputs deliberately not turned into events",
      labelNames: ["source", "code"],
      registers,
    }),
    receiverRequests: new Counter({
      name: "outlier_collector_receiver_requests_total",
      help: "Requests answered by the HTTP receivers",
      labelNames: ["receiver", "status"],
      registers,
    }),
    auditDuplicates: new Counter({
      name: "outlier_collector_audit_duplicates_total",
      help: "Audit events dropped because their auditID+stage was already produced (API server retries)",
      registers,
    }),
    enrichResults: new Counter({
      name: "outlier_collector_enrich_total",
      help: "Runtime events by pod-cache enrichment result",
      labelNames: ["result"],
      registers,
    }),
    producerRetries: new Counter({
      name: "outlier_collector_producer_retries_total",
      help: "Failed Kafka produce attempts (the batch is retried)",
      registers,
    }),
    producerDropped: new Counter({
      name: "outlier_collector_producer_dropped_total",
      help: "Records not confirmed by Kafka before the shutdown deadline",
      registers,
    }),
  };
}

export function registerGauges(registry: Registry, probes: GaugeProbes): void {
  new Gauge({
    name: "outlier_collector_producer_buffered",
    help: "Records held by the producer (waiting or in flight)",
    registers: [registry],
    collect() {
      this.set(probes.producerBuffered());
    },
  });
  new Gauge({
    name: "outlier_collector_enrich_pending",
    help: "Runtime events waiting for their pod to appear in the pod cache",
    registers: [registry],
    collect() {
      this.set(probes.enrichPending());
    },
  });
  counterOf(registry, "outlier_collector_pod_cache_restarts_total", "Pod watch restarts after an error or a stale connection", () => probes.podCache().restarts);
  counterOf(registry, "outlier_collector_pod_cache_lists_total", "Full pod lists: the first, after each restart and after each 410 Gone", () => probes.podCache().lists);
}

