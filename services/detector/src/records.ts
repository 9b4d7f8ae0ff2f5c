import type { InRecord, OutRecord } from "@outlier/bus";
import {
  deadLetter,
  kafkaSource,
  parseAuditEvent,
  parseRuntimeEvent,
  reject,
  SCHEMA_HEADER,
  workloadKey,
  type Finding,
  type Parsed,
  type Rejection,
} from "@outlier/contracts";
import type { DetectorEvent } from "@outlier/detector";

export interface TopicNames {
  runtime: string;
  audit: string;
  findings: string;
  deadletter: string;
}

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

/** Findings are keyed like runtime events, by workload; findings with no workload share one key per cluster. */
export function findingKey(finding: Finding): string {
  const w = finding.workload;
  return w ? workloadKey(finding.cluster, w.namespace, w.kind, w.name) : `${finding.cluster}/_cluster/audit`;
}

export function findingRecord(finding: Finding, topics: TopicNames): OutRecord {
  return { topic: topics.findings, key: findingKey(finding), value: JSON.stringify(finding), headers: { [SCHEMA_HEADER]: finding.schema } };
}

/** Keyed by the bad record's own key, so one producer's bad records stay together. */
export function deadLetterRecord(record: InRecord, rejection: Rejection, topics: TopicNames, now = Date.now()): OutRecord {
  const letter = deadLetter({ code: rejection.code, message: rejection.message, source: kafkaSource(record), payload: record.value, now });
  return { topic: topics.deadletter, key: record.key, value: JSON.stringify(letter), headers: { [SCHEMA_HEADER]: letter.schema } };
}
