import type { Producer } from "@outlier/bus";
import { envelope, normalizeTime, timeToMillis } from "@outlier/contracts";
import type { RoutingConfig } from "@outlier/routing";
import { createSink, deadLetterRecord, resilient, type DeadLetterFn, type ResilienceOptions, type SecretResolver, type Sink } from "@outlier/sinks";
import type { Logger } from "pino";
import type { AlerterConfig } from "./config.ts";
import type { ReceiverSink } from "./dispatcher.ts";
import type { AlerterMetrics } from "./metrics.ts";

export interface SinkDeps {
  secrets: SecretResolver;
  /** Dead letters and Kafka sinks without brokers of their own. */
  producer: Producer;
  deadletterTopic: string;
  delivery: AlerterConfig["delivery"];
  metrics: AlerterMetrics;
  logger: Logger;
}

/**
 * Every receiver's sinks, built once at start-up: each reads its secrets now (a missing
 * one fails the start), is measured, and is wrapped with timeouts, retries, a circuit
 * breaker and dead-lettering to the dead-letter topic.
 */
export function buildSinks(routes: RoutingConfig, deps: SinkDeps): Map<string, ReceiverSink[]> {
  const deadLetter = deadLetterTo(deps);
  const options: ResilienceOptions = {
    ...deps.delivery,
    deadLetter,
    logger: deps.logger,
    onOutcome(sink, outcome, reason) {
      if (outcome === "retried") deps.metrics.retries.inc({ sink, reason: reason ?? "unexpected" });
      else deps.metrics.deliveries.inc({ sink, result: outcome });
    },
    onCircuit(sink, open) {
      deps.metrics.circuitOpen.set({ sink }, open ? 1 : 0);
      deps.logger.warn({ sink }, open ? "sink circuit open: deliveries are dead-lettered until a trial succeeds" : "sink circuit closed: delivering again");
    },
  };
  const env = { secrets: deps.secrets, producer: deps.producer, logger: deps.logger };
  const byReceiver = new Map<string, ReceiverSink[]>();
  for (const [name, receiver] of routes.receivers) {
    byReceiver.set(
      name,
      receiver.sinks.map((config, index) => ({ index, config, sink: resilient(measured(createSink(config, env), deps.metrics), options) })),
    );
  }
  // Every sink's breaker series exists from the first scrape, closed.
  for (const { sink } of [...byReceiver.values()].flat()) deps.metrics.circuitOpen.set({ sink: sink.name }, 0);
  return byReceiver;
}

export async function closeSinks(sinks: ReadonlyMap<string, readonly ReceiverSink[]>): Promise<void> {
  await Promise.allSettled([...sinks.values()].flat().map((s) => s.sink.close()));
}

function deadLetterTo({ producer, deadletterTopic, metrics }: SinkDeps): DeadLetterFn {
  return async (delivery, failure) => {
    await producer.send([envelope(deadletterTopic, delivery.groupKey, deadLetterRecord(delivery, failure))]);
    metrics.deadLetters.inc({ source: "sink", code: failure.reason });
  };
}

/** Observes the latency of each attempt the destination accepted: finding time → now. */
function measured(sink: Sink, metrics: AlerterMetrics): Sink {
  const observed: Sink = {
    name: sink.name,
    async deliver(delivery, signal) {
      await sink.deliver(delivery, signal);
      const now = Date.now();
      for (const finding of delivery.findings) {
        const time = normalizeTime(finding.time);
        if (time !== undefined) metrics.deliveryLatency.observe({ sink: sink.name }, Math.max(0, now - timeToMillis(time)) / 1000);
      }
    },
    close: () => sink.close(),
  };
  return sink.pacing ? { ...observed, pacing: sink.pacing } : observed;
}
