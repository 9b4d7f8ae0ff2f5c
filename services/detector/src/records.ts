import type { InRecord } from "@outlier/bus";
import {
  deadLetter,
  envelope,
  kafkaSource,
  parseAuditEvent,
  parseRuntimeEvent,
  reject,
  SCHEMA_HEADER,
  type Envelope,
  type Parsed,
  type Rejection,
  type TopicNames,
} from "@outlier/contracts";
import type { DetectorEvent } from "@outlier/detector";

/**
 * A consumed record as an event of its topic's contract. A schema header, when
 * present, must name that contract; the JSON is then validated by its zod schema.
 */
export function parseRecord(record: InRecord, topics: TopicNames): Parsed<DetectorEvent> {
  const expected = record.topic === topics.audit ? "outlier.audit.v1" : "outlier.runtime.v1";
  const header = record.headers[SCHEMA_HEADER];
  if (header !== undefined && header !== expected) {
    return reject("schema_violation", `${SCHEMA_HEADER} header is "${header}", expected "${expected}" on ${record.topic}`);
  }
  return expected === "outlier.audit.v1" ? parseAuditEvent(record.value) : parseRuntimeEvent(record.value);
}

/** Keyed by the bad record's own key, so one producer's bad records stay together. */
export function deadLetterRecord(record: InRecord, rejection: Rejection, topics: TopicNames, now = Date.now()): Envelope {
  const letter = deadLetter({ code: rejection.code, message: rejection.message, source: kafkaSource(record), payload: record.value, now });
  return envelope(topics.deadletter, record.key, letter);
}
