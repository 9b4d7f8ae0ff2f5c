/**
 * Stable reason codes. Metrics, dead-letter records and tests use these codes,
 * never the human-readable message, so a message can be reworded freely.
 */
export const REJECT_CODES = [
  "malformed_json", // the line is not JSON (syntax error, truncated line)
  "not_an_object", // valid JSON, but not an object
  "unknown_format", // an object no normalizer recognises
  "missing_field", // a field the contract needs is absent
  "invalid_field", // a field has the wrong type or an impossible value
  "unknown_event_kind", // a recognised source, but an event kind we do not handle
  "line_too_long", // over the reader's line size limit
  "schema_violation", // a message on a topic that does not match its v1 contract
  "record_too_large", // an event over the producer's record size even with its long strings cut, or refused by Kafka as too large
  "too_deeply_nested", // JSON nested deeper than a receiver accepts
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

/** Inputs read on purpose and not turned into events (counted, not errors). */
export const SKIP_CODES = ["falco_internal", "empty_line"] as const;
export type SkipCode = (typeof SKIP_CODES)[number];

export interface Rejection {
  ok: false;
  code: RejectCode;
  message: string;
}

export function reject(code: RejectCode, message: string): Rejection {
  return { ok: false, code, message };
}
