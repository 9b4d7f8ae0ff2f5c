import { counterOf } from "@outlier/service-kit";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The detector's own metrics, on the process registry (createMetrics("outlier_detector_")). */
export interface DetectorMetrics {
  /** Events judged, by runtime event type, or "audit". */
  readonly eventsConsumed: Counter<"type">;
  /** Findings produced, by type and severity. */
  readonly findings: Counter<"type" | "severity">;
  /** Records that were not valid events, by reject code. */
  readonly deadLetters: Counter<"code">;
  /** One consumed batch: parse, detect, Redis writes, produce. */
  readonly batchDuration: Histogram;
  /** Batches that failed and will be redelivered, by stage (detect, write). */
  readonly batchFailures: Counter<"stage">;
}

/** Values read at scrape time from the parts that own them. */
export interface GaugeProbes {
  storeRoundTrips(): number;
  cachedBaselines(): number;
  /** Execs held back from judging, waiting for their exec session's late audit event. */
  deferredExecs(): number;
  /** The workload metadata informers (zeros without them). */
  workloadMeta(): { restarts: number; lists: number };
}

export function createDetectorMetrics(registry: Registry): DetectorMetrics {
  const registers = [registry];
  return {
    eventsConsumed: new Counter({ name: "outlier_detector_events_consumed_total", help: "Events judged by the detector", labelNames: ["type"], registers }),
    findings: new Counter({ name: "outlier_detector_findings_total", help: "Findings produced", labelNames: ["type", "severity"], registers }),
    deadLetters: new Counter({ name: "outlier_detector_dead_letters_total", help: "Consumed records that were not valid events", labelNames: ["code"], registers }),
    batchDuration: new Histogram({
      name: "outlier_detector_batch_duration_seconds",
      help: "Time to handle one consumed batch (parse, detect, Redis writes, produce)",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    batchFailures: new Counter({ name: "outlier_detector_batch_failures_total", help: "Batches that failed and will be redelivered", labelNames: ["stage"], registers }),
  };
}

export function registerGauges(registry: Registry, probes: GaugeProbes): void {
  counterOf(registry, "outlier_detector_store_round_trips_total", "Redis round trips for baselines and the finding log", probes.storeRoundTrips);
  counterOf(registry, "outlier_detector_workload_meta_restarts_total", "Workload watch restarts (all kinds) after an error or a stale connection", () => probes.workloadMeta().restarts);
  counterOf(registry, "outlier_detector_workload_meta_lists_total", "Full workload lists (all kinds): the first, after each restart and after each 410 Gone", () => probes.workloadMeta().lists);
  new Gauge({
    name: "outlier_detector_cached_baselines",
    help: "Baselines held in memory",
    registers: [registry],
    collect() {
      this.set(probes.cachedBaselines());
    },
  });
  new Gauge({
    name: "outlier_detector_deferred_execs",
    help: "Execs from outside their container held back from judging until their kubectl exec's audit event can have come",
    registers: [registry],
    collect() {
      this.set(probes.deferredExecs());
    },
  });
}
