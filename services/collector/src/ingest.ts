import type { OutRecord } from "@outlier/bus";
import type { RuntimeEvent } from "@outlier/contracts";
import { normalizeLine, normalizeObject, type NormalizeResult } from "@outlier/normalize";
import type { Logger } from "pino";
import type { Enricher } from "./enrich.ts";
import type { CollectorMetrics } from "./metrics.ts";
import { DEFAULT_TOPICS, deadLetterRecord, eventRecord, type TopicNames } from "./records.ts";

export type SourceFormat = "tetragon" | "falco" | "audit";

/** Where a raw input came from; location e.g. "/var/log/tetragon.log:1234" or "http:falco". */
export interface Origin {
  format?: SourceFormat;
  location: string;
}

export type IngestOutcome = "produced" | "skipped" | "deadlettered";

export interface Ingest {
  /** Normalizes, enriches and produces one raw line; resolves once its events (or its dead-letter record) are durable in Kafka. */
  line(text: string, origin: Origin): Promise<IngestOutcome>;
  /** Same for an already-parsed body (HTTP receivers). */
  object(body: unknown, origin: Origin): Promise<IngestOutcome>;
  /** True while the producer buffer is full: HTTP receivers answer 503 with Retry-After. */
  readonly saturated: boolean;
}

/** The part of the bus's BatchingProducer that ingest uses. */
export interface RecordProducer {
  /** Resolves once every record is durable in Kafka. */
  send(records: OutRecord[]): Promise<void>;
  readonly saturated: boolean;
}

export interface IngestOptions {
  cluster: string;
  node?: string;
  /** Falco rules whose alerts feed process execs (config `falco.execRules`); absent: the normalizer's choice. */
  falcoExecRules?: readonly string[];
  topics?: TopicNames;
  producer: RecordProducer;
  enricher: Enricher;
  metrics: CollectorMetrics;
  logger: Logger;
}

/** normalize → enrich → produce; rejections go to the dead-letter topic, skips are only counted. */
export function createIngest(options: IngestOptions): Ingest {
  const { cluster, node, falcoExecRules, producer, enricher, metrics, logger, topics = DEFAULT_TOPICS } = options;

  async function produce(result: NormalizeResult, origin: Origin, payload: () => string): Promise<IngestOutcome> {
    if (result.ok === "skipped") {
      metrics.skipped.inc({ source: result.source, code: result.code });
      return "skipped";
    }
    if (result.ok === false) {
      metrics.rejected.inc({ source: origin.format ?? "unknown", code: result.code });
      logger.debug({ code: result.code, reason: result.message, origin: origin.location }, "input dead-lettered");
      await producer.send([deadLetterRecord({ cluster, code: result.code, message: result.message, source: origin.location, payload: payload() }, topics)]);
      return "deadlettered";
    }
    const events = await Promise.all(result.events.map((event) => (event.schema === "outlier.runtime.v1" ? enrichSafely(event) : event)));
    await producer.send(events.map((event) => eventRecord(event, topics)));
    for (const event of events) {
      metrics.eventsProduced.inc({ source: result.source, type: event.schema === "outlier.runtime.v1" ? event.type : "audit" });
    }
    return "produced";
  }

  // An enrichment failure must not lose the event: it goes out with what the source wrote.
  async function enrichSafely(event: RuntimeEvent): Promise<RuntimeEvent> {
    try {
      return await enricher.enrich(event);
    } catch (err) {
      logger.warn({ err }, "enrichment failed; event produced without it");
      return event;
    }
  }

  const normalizeOptions = (origin: Origin) => ({ source: origin.format, cluster, node, falcoExecRules });

  return {
    line: (text, origin) => produce(normalizeLine(text, normalizeOptions(origin)), origin, () => text),
    object: (body, origin) => produce(normalizeObject(body, normalizeOptions(origin)), origin, () => JSON.stringify(body) ?? String(body)),
    get saturated() {
      return producer.saturated;
    },
  };
}
