import type { Finding } from "./finding.ts";
import { timeFromMillis } from "./time.ts";
import { workloadKey } from "./workload.ts";

export const TOPICS = {
  runtime: "outlier.runtime.v1",
  audit: "outlier.audit.v1",
  findings: "outlier.findings.v1",
  deadletter: "outlier.deadletter.v1",
} as const;

/** Where each kind of record goes; the contract's names (TOPICS) unless configured otherwise. */
export type TopicNames = Record<keyof typeof TOPICS, string>;

/** Kafka header carrying the payload's contract version. */
export const SCHEMA_HEADER = "outlier-schema";

/** A record to produce: a contract payload as JSON, under the header naming its contract. */
export interface Envelope {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export function envelope(topic: string, key: string, payload: { schema: string }): Envelope {
  return { topic, key, value: JSON.stringify(payload), headers: { [SCHEMA_HEADER]: payload.schema } };
}

/**
 * Findings are keyed like the runtime events they came from, by workload, so a workload's
 * findings stay in order; findings with no workload share one key per cluster.
 */
export function findingKey(finding: Finding): string {
  const w = finding.workload;
  return w ? workloadKey(finding.cluster, w.namespace, w.kind, w.name) : `${finding.cluster}/_cluster/audit`;
}

export function findingRecord(topic: string, finding: Finding): Envelope {
  return envelope(topic, findingKey(finding), finding);
}

/** A dead-letter record: what could not be processed, where it came from, and why. */
export interface DeadLetter {
  schema: "outlier.deadletter.v1";
  code: string;
  message: string;
  source: string; // e.g. "file:/var/run/tetragon/tetragon.log:120", "http:falco", "sink:slack"
  time: string; // when it was dead-lettered (wall clock, nine fractional digits like every contract time)
  payload: string; // the offending input, truncated to a bounded size (deadLetterPayload)
}

/** Largest dead-letter payload the services keep, in UTF-8 bytes. */
export const MAX_DEADLETTER_PAYLOAD_BYTES = 64 * 1024;

/** The input cut to at most `maxBytes` UTF-8 bytes, without leaving half a character. */
export function deadLetterPayload(text: string, maxBytes: number = MAX_DEADLETTER_PAYLOAD_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  // A character cut in half decodes to one trailing U+FFFD: drop it.
  return Buffer.from(text).subarray(0, maxBytes).toString("utf8").replace(/\uFFFD$/, "");
}

export interface DeadLetterInput {
  code: string;
  message: string;
  /** Where the input came from: "file:…:line", "http:falco", "sink:slack", or kafkaSource(record). */
  source: string;
  payload: string;
  /** Wall-clock milliseconds; now by default. */
  now?: number;
  maxPayloadBytes?: number;
}

/** The one way to build a dead-letter record, so every service writes the same shape. */
export function deadLetter(input: DeadLetterInput): DeadLetter {
  return {
    schema: "outlier.deadletter.v1",
    code: input.code,
    message: input.message,
    source: input.source,
    time: timeFromMillis(input.now ?? Date.now()),
    payload: deadLetterPayload(input.payload, input.maxPayloadBytes),
  };
}

/** Where a consumed record was, so it can be found again: kafka:<topic>[<partition>]@<offset>. */
export function kafkaSource(record: { topic: string; partition: number; offset: string }): string {
  return `kafka:${record.topic}[${record.partition}]@${record.offset}`;
}
