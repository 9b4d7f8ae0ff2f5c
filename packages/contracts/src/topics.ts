export const TOPICS = {
  runtime: "outlier.runtime.v1",
  audit: "outlier.audit.v1",
  findings: "outlier.findings.v1",
  deadletter: "outlier.deadletter.v1",
} as const;

/** Kafka header carrying the payload's contract version. */
export const SCHEMA_HEADER = "outlier-schema";

/** A dead-letter record: what could not be processed, where it came from, and why. */
export interface DeadLetter {
  schema: "outlier.deadletter.v1";
  code: string;
  message: string;
  source: string; // e.g. "file:/var/run/tetragon/tetragon.log:120", "http:falco", "sink:slack"
  time: string; // when it was dead-lettered (wall clock)
  payload: string; // the offending input, truncated to a bounded size
}
