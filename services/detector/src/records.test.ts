import type { InRecord } from "@outlier/bus";
import { SCHEMA_HEADER, TOPICS, type DeadLetter } from "@outlier/contracts";
import { exec, execAudit } from "../../../packages/detector/src/test-events.ts";
import { describe, expect, it } from "vitest";
import { deadLetterRecord, parseRecord } from "./records.ts";

const topics = { ...TOPICS };

function record(topic: string, value: string, headers: Record<string, string> = {}): InRecord {
  return { topic, partition: 2, offset: "41", key: "c1/shop/Deployment/checkout", value, headers };
}

describe("parseRecord", () => {
  it("parses a runtime event and an audit event by their topic", () => {
    const runtime = exec({ pod: "checkout-1", binary: "/bin/sh", minutes: 1 });
    const audit = execAudit("checkout-1", 2);
    expect(parseRecord(record(TOPICS.runtime, JSON.stringify(runtime), { [SCHEMA_HEADER]: runtime.schema }), topics)).toEqual({ ok: true, value: runtime });
    expect(parseRecord(record(TOPICS.audit, JSON.stringify(audit)), topics)).toEqual({ ok: true, value: audit });
  });

  it("rejects a record whose JSON is broken, or does not match its topic's contract", () => {
    expect(parseRecord(record(TOPICS.runtime, '{"schema":'), topics)).toMatchObject({ ok: false, code: "malformed_json" });
    const audit = JSON.stringify(execAudit("checkout-1", 2));
    expect(parseRecord(record(TOPICS.runtime, audit), topics)).toMatchObject({ ok: false, code: "schema_violation", message: expect.stringContaining("schema") });
  });

  it("rejects a record whose schema header names another contract", () => {
    const runtime = JSON.stringify(exec({ pod: "checkout-1", binary: "/bin/sh", minutes: 1 }));
    const parsed = parseRecord(record(TOPICS.runtime, runtime, { [SCHEMA_HEADER]: "outlier.runtime.v2" }), topics);
    expect(parsed).toMatchObject({ ok: false, code: "schema_violation", message: expect.stringContaining("outlier.runtime.v2") });
  });
});

describe("deadLetterRecord", () => {
  it("says where the record was, why it was rejected, and keeps its key and payload", () => {
    const bad = record(TOPICS.runtime, "not json");
    const out = deadLetterRecord(bad, { ok: false, code: "malformed_json", message: "Unexpected token" }, topics, Date.parse("2026-01-01T00:00:00Z"));
    expect(out).toMatchObject({ topic: TOPICS.deadletter, key: bad.key, headers: { [SCHEMA_HEADER]: "outlier.deadletter.v1" } });
    const letter = JSON.parse(out.value) as DeadLetter;
    expect(letter).toEqual({
      schema: "outlier.deadletter.v1",
      code: "malformed_json",
      message: "Unexpected token",
      source: `kafka:${TOPICS.runtime}[2]@41`,
      time: "2026-01-01T00:00:00.000000000Z",
      payload: "not json",
    });
  });
});
