import { MAX_DEADLETTER_PAYLOAD_BYTES, RuntimeEventSchema, type AuditEvent, type RuntimeEvent } from "@outlier/contracts";
import { describe, expect, it } from "vitest";
import { auditKey, deadLetterRecord, runtimeKey } from "./records.ts";

const base: RuntimeEvent = RuntimeEventSchema.parse({
  schema: "outlier.runtime.v1",
  id: "e1",
  source: "tetragon",
  type: "process_exec",
  sourceKind: "process_exec",
  time: "2024-01-01T00:00:00.000000000Z",
  cluster: "prod",
  node: "node-a",
});

describe("keys", () => {
  it("keys runtime events by workload, host processes by node", () => {
    const inPod = { ...base, pod: { namespace: "shop", name: "api-7d9f-x", labels: {} }, workload: { kind: "Deployment", name: "api", resolvedBy: "label:pod-template-hash" } } as const;
    expect(runtimeKey(inPod)).toBe("prod/shop/Deployment/api");
    expect(runtimeKey(base)).toBe("prod/_host/Host/node-a");
    expect(runtimeKey({ ...base, node: undefined })).toBe("prod/_host/Host/_unknown");
  });

  it("keys audit events by the namespace they touch", () => {
    const audit = { cluster: "prod", objectRef: { namespace: "shop", resource: "pods" } } as AuditEvent;
    expect(auditKey(audit)).toBe("prod/shop/audit");
    expect(auditKey({ ...audit, objectRef: { resource: "nodes" } })).toBe("prod/_cluster/audit");
    expect(auditKey({ ...audit, objectRef: undefined })).toBe("prod/_cluster/audit");
  });
});

describe("dead letters", () => {
  it("keeps code, message, source and a bounded payload", () => {
    const record = deadLetterRecord({ cluster: "prod", code: "malformed_json", message: "bad", source: "/var/log/x.log:12", payload: "é".repeat(40_000), now: 0 });
    const letter = JSON.parse(record.value) as { code: string; source: string; payload: string; time: string };
    expect(record.topic).toBe("outlier.deadletter.v1");
    expect(record.key).toBe("prod//var/log/x.log");
    expect(record.headers).toEqual({ "outlier-schema": "outlier.deadletter.v1" });
    expect(letter).toMatchObject({ code: "malformed_json", source: "/var/log/x.log:12", time: "1970-01-01T00:00:00.000000000Z" });
    expect(Buffer.byteLength(letter.payload)).toBe(MAX_DEADLETTER_PAYLOAD_BYTES);
  });
});
