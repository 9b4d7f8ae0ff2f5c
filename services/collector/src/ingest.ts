import type { OutRecord } from "@outlier/bus";
import { TOPICS, type AuditEvent, type RejectCode, type RuntimeEvent } from "@outlier/contracts";
import { normalizeLine, normalizeObject, type NormalizeResult } from "@outlier/normalize";
import type { Logger } from "pino";
import type { Enricher } from "./enrich.ts";
import type { CollectorMetrics } from "./metrics.ts";
import { fitToBytes } from "./fit-record.ts";
import { deadLetterRecord, eventRecord, type CollectorTopics } from "./records.ts";

export type SourceFormat = "tetragon" | "falco" | "audit";

/** Where a raw input came from; location e.g. "/var/log/tetragon.log:1234" or "http:falco". */
export interface Origin {
  format?: SourceFormat;
  location: string;
  /** The sender retries (an HTTP receiver): refused at once with BufferFullError while the producer is full, instead of waiting. */
  refuseWhenFull?: boolean;
}

export type IngestOutcome = "produced" | "skipped" | "deadlettered";

export interface Ingest {
  /** Normalizes, enriches and produces one raw line; resolves once its events (or its dead-letter record) are durable in Kafka. */
  line(text: string, origin: Origin): Promise<IngestOutcome>;
  /** Same for an already-parsed body (HTTP receivers). */
  object(body: unknown, origin: Origin): Promise<IngestOutcome>;
  /** Dead-letters raw input a source refused itself (e.g. nested too deeply to parse safely); resolves once durable. */
  deadLetter(code: RejectCode, message: string, text: string, origin: Origin): Promise<void>;
  /** True while the producer buffer is full: HTTP receivers answer 503 with Retry-After. */
  readonly saturated: boolean;
}

/** The part of the bus's BatchingProducer that ingest uses. */
export interface RecordProducer {
  /** Resolves once every record is durable in Kafka; with refuseWhenFull, rejects at once while the buffer is full. */
  send(records: OutRecord[], options?: { refuseWhenFull?: boolean }): Promise<void>;
  readonly saturated: boolean;
}

export interface IngestOptions {
  cluster: string;
  node?: string;
  /** Falco rules whose alerts feed process execs (config `falco.execRules`); absent: the normalizer's choice. */
  falcoExecRules?: readonly string[];
  topics?: CollectorTopics;
  producer: RecordProducer;
  enricher: Enricher;
  metrics: CollectorMetrics;
  logger: Logger;
  /** An event's JSON over this is cut to fit (its longest strings), or dead-lettered when it cannot be. */
  maxRecordBytes?: number;
}

/** Default of producer.maxRecordBytes: a quarter of Kafka's default 1 MiB message limit. */
export const DEFAULT_MAX_RECORD_BYTES = 256 * 1024;

/** normalize → enrich → produce; rejections go to the dead-letter topic, skips are only counted. */
export function createIngest(options: IngestOptions): Ingest {
  const { cluster, node, falcoExecRules, producer, enricher, metrics, logger, topics = TOPICS, maxRecordBytes = DEFAULT_MAX_RECORD_BYTES } = options;

  async function produce(result: NormalizeResult, origin: Origin, payload: () => string): Promise<IngestOutcome> {
    if (result.ok === "skipped") {
      metrics.skipped.inc({ source: result.source, code: result.code });
      return "skipped";
    }
    if (result.ok === false) {
      await deadLetter(result.code, result.message, payload(), origin);
      return "deadlettered";
    }
    const events = await Promise.all(result.events.map((event) => (event.schema === "outlier.runtime.v1" ? enrichSafely(event) : event)));
    const records = events.map((event) => recordOf(event, result.source, origin));
    await producer.send(records.map((r) => r.record), { refuseWhenFull: origin.refuseWhenFull });
    for (const { event } of records) {
      if (event) metrics.eventsProduced.inc({ source: result.source, type: event.schema === "outlier.runtime.v1" ? event.type : "audit" });
      else metrics.rejected.inc({ source: result.source, code: "record_too_large" });
    }
    return records.some((r) => r.event) ? "produced" : "deadlettered";
  }

  /**
   * An event's record within maxRecordBytes: as it is, with its longest strings cut (counted),
   * or, when even that does not fit, a dead-letter record (event undefined) with its start.
   */
  function recordOf(event: RuntimeEvent | AuditEvent, source: string, origin: Origin): { event?: RuntimeEvent | AuditEvent; record: OutRecord } {
    const record = eventRecord(event, topics);
    if (Buffer.byteLength(record.value) <= maxRecordBytes) return { event, record };
    const fitted = fitToBytes(event, maxRecordBytes);
    if (fitted.fits) {
      metrics.truncated.inc({ source });
      return { event: fitted.value, record: eventRecord(fitted.value, topics) };
    }
    const message = `event of ${fitted.bytes} bytes is over producer.maxRecordBytes (${maxRecordBytes}) even with its long strings cut`;
    return { record: deadLetterRecord({ cluster, code: "record_too_large", message, source: origin.location, payload: record.value }, topics) };
  }

  async function deadLetter(code: RejectCode, message: string, payload: string, origin: Origin): Promise<void> {
    metrics.rejected.inc({ source: origin.format ?? "unknown", code });
    logger.debug({ code, reason: message, origin: origin.location }, "input dead-lettered");
    await producer.send([deadLetterRecord({ cluster, code, message, source: origin.location, payload }, topics)], { refuseWhenFull: origin.refuseWhenFull });
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
    object: (body, origin) => produce(normalizeObject(body, normalizeOptions(origin)), origin, () => serialize(body)),
    deadLetter,
    get saturated() {
      return producer.saturated;
    },
  };
}

/** A rejected body as dead-letter payload; one nested too deeply for JSON.stringify's recursion is described instead. */
function serialize(body: unknown): string {
  try {
    return JSON.stringify(body) ?? String(body);
  } catch (error) {
    if (error instanceof RangeError) return "(not serializable: nested too deeply)";
    throw error;
  }
}
