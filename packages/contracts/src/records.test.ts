import { describe, expect, it } from "vitest";
import type { Finding } from "./finding.ts";
import { deadLetter, deadLetterPayload, findingKey, findingRecord, kafkaSource, MAX_DEADLETTER_PAYLOAD_BYTES, SCHEMA_HEADER, TOPICS } from "./records.ts";

describe("deadLetterPayload", () => {
  it("cuts on a character boundary", () => {
    expect(deadLetterPayload("aé", 2)).toBe("a");
    expect(deadLetterPayload("aé", 3)).toBe("aé");
    expect(deadLetterPayload("aé€", 4)).toBe("aé");
    expect(deadLetterPayload("a😀b", 4)).toBe("a");
    expect(Buffer.byteLength(deadLetterPayload("€".repeat(100), 10))).toBe(9);
  });

  it("keeps a short input as it is, and bounds a long one to 64 KiB by default", () => {
    expect(deadLetterPayload("short", 64)).toBe("short");
    expect(Buffer.byteLength(deadLetterPayload("é".repeat(40_000)))).toBe(MAX_DEADLETTER_PAYLOAD_BYTES);
  });
});

describe("deadLetter", () => {
  it("stamps the contract time, bounds the payload by UTF-8 bytes and names a Kafka record by topic[partition]@offset", () => {
    const source = kafkaSource({ topic: "outlier.runtime.v1", partition: 2, offset: "41" });
    const letter = deadLetter({ code: "malformed_json", message: "bad", source, payload: "aé€", now: Date.UTC(2024, 4, 1, 10, 0, 0, 123), maxPayloadBytes: 4 });
    expect(letter).toEqual({
      schema: "outlier.deadletter.v1",
      code: "malformed_json",
      message: "bad",
      source: "kafka:outlier.runtime.v1[2]@41",
      time: "2024-05-01T10:00:00.123000000Z",
      payload: "aé",
    });
  });
});

describe("findingKey", () => {
  const base: Finding = {
    schema: "outlier.finding.v1",
    id: "f1",
    type: "audit.pod-exec",
    severity: "medium",
    time: "2026-01-01T00:00:00.000000000Z",
    cluster: "c1",
    summary: "",
    evidence: {},
    dedupKey: "",
  };

  it("keys a finding by its workload, like the runtime events it came from", () => {
    const finding = { ...base, workload: { kind: "StatefulSet" as const, name: "db", namespace: "bank", labels: {}, annotations: {} } };
    expect(findingKey(finding)).toBe("c1/bank/StatefulSet/db");
    expect(findingRecord(TOPICS.findings, finding)).toMatchObject({ topic: TOPICS.findings, key: "c1/bank/StatefulSet/db", headers: { [SCHEMA_HEADER]: "outlier.finding.v1" } });
  });

  it("keys a finding without a workload by its cluster", () => {
    expect(findingKey(base)).toBe("c1/_cluster/audit");
  });
});
