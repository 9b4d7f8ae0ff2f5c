import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { OutRecord } from "@outlier/bus";
import { AuditEventSchema, RuntimeEventSchema, SCHEMA_HEADER, type RuntimeEvent } from "@outlier/contracts";
import { createLogger, createMetrics } from "@outlier/service-kit";
import { beforeEach, describe, expect, it } from "vitest";
import { noopEnricher, type Enricher } from "./enrich.ts";
import { createIngest, type RecordProducer } from "./ingest.ts";
import { createCollectorMetrics, type CollectorMetrics } from "./metrics.ts";

const fixtures = resolve(import.meta.dirname, "../../../../shared/fixtures");
const fixtureLines = (file: string) => readFileSync(resolve(fixtures, file), "utf8").split("\n").filter((l) => l.trim() !== "");

/** Records what was sent; `send` resolves at once, as a producer does once Kafka acknowledged. */
class MemoryProducer implements RecordProducer {
  readonly records: OutRecord[] = [];
  saturated = false;
  async send(records: OutRecord[]): Promise<void> {
    this.records.push(...records);
  }
}

describe.skipIf(!existsSync(fixtures))("ingest (fixtures from ../shared/fixtures)", () => {
  let producer: MemoryProducer;
  let metrics: CollectorMetrics;

  function ingest(enricher: Enricher = noopEnricher, falcoExecRules?: string[]) {
    return createIngest({ cluster: "test-cluster", node: "node-1", producer, enricher, metrics, logger: createLogger({ level: "silent", name: "test" }), falcoExecRules });
  }

  beforeEach(() => {
    producer = new MemoryProducer();
    metrics = createCollectorMetrics(createMetrics("outlier_collector_"));
  });

  it("produces a Tetragon exec to the runtime topic keyed by its workload", async () => {
    const line = fixtureLines("tetragon/tetragon-testdata-events.jsonl")[1]!;
    expect(await ingest().line(line, { format: "tetragon", location: "/var/log/tetragon.log:2" })).toBe("produced");
    expect(producer.records).toHaveLength(1);
    const record = producer.records[0]!;
    expect(record.topic).toBe("outlier.runtime.v1");
    expect(record.key).toBe("test-cluster/default/Deployment/deathstar");
    expect(record.headers).toEqual({ [SCHEMA_HEADER]: "outlier.runtime.v1" });
    const event = RuntimeEventSchema.parse(JSON.parse(record.value));
    expect(event).toMatchObject({ source: "tetragon", type: "process_exec", pod: { namespace: "default", name: "deathstar-6f87496b94-qdlh8" } });
    expect(event.process?.binary).toBe("/starwars-docker");
    expect((await metrics.eventsProduced.get()).values).toContainEqual(expect.objectContaining({ labels: { source: "tetragon", type: "process_exec" }, value: 1 }));
  });

  it("produces what the enricher returned", async () => {
    const line = fixtureLines("tetragon/tetragon-testdata-events.jsonl")[1]!;
    const enricher: Enricher = {
      enrich: async (event: RuntimeEvent) => ({ ...event, workload: { kind: "StatefulSet", name: "from-cache", resolvedBy: "owner-reference" } }),
    };
    await ingest(enricher).line(line, { format: "tetragon", location: "t" });
    expect(producer.records[0]?.key).toBe("test-cluster/default/StatefulSet/from-cache");
  });

  it("produces a Falco alert to the runtime topic", async () => {
    const line = fixtureLines("falco/falco-website-alerts.jsonl").find((l) => l.includes("Terminal shell in container"))!;
    expect(await ingest().line(line, { format: "falco", location: "http:falco" })).toBe("produced");
    const record = producer.records[0]!;
    expect(record.topic).toBe("outlier.runtime.v1");
    const event = RuntimeEventSchema.parse(JSON.parse(record.value));
    expect(event.source).toBe("falco");
    expect(event.rule?.name).toBe("Terminal shell in container");
    expect(record.key).toBe(`test-cluster/${event.pod?.namespace}/${event.workload?.kind}/${event.workload?.name}`);
    expect(event.pod?.namespace).toBe("default");
  });

  it("makes the Falco rules named in falcoExecRules process execs, and the others rule alerts", async () => {
    const line = fixtureLines("falco/falco-website-alerts.jsonl").find((l) => l.includes("Terminal shell in container"))!;
    await ingest().line(line, { format: "falco", location: "http:falco" });
    await ingest(noopEnricher, ["Outlier exec feed"]).line(line, { format: "falco", location: "http:falco" });
    expect(producer.records.map((r) => RuntimeEventSchema.parse(JSON.parse(r.value)).type)).toEqual(["process_exec", "rule_alert"]);
  });

  it("produces every event of an audit EventList to the audit topic keyed by namespace", async () => {
    const items = fixtureLines("k8s-audit/falco-trace-files-k8s-audit.jsonl").slice(0, 5).map((l) => JSON.parse(l) as { auditID: string; objectRef?: { namespace?: string } });
    const body = { kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items };
    expect(await ingest().object(body, { format: "audit", location: "http:audit" })).toBe("produced");
    expect(producer.records).toHaveLength(items.length);
    for (const [i, record] of producer.records.entries()) {
      const event = AuditEventSchema.parse(JSON.parse(record.value));
      expect(record.topic).toBe("outlier.audit.v1");
      expect(record.headers).toEqual({ [SCHEMA_HEADER]: "outlier.audit.v1" });
      expect(event.auditID).toBe(items[i]!.auditID);
      expect(record.key).toBe(`test-cluster/${items[i]!.objectRef?.namespace ?? "_cluster"}/audit`);
    }
  });

  it("dead-letters a malformed line with its code, source and payload", async () => {
    const outcome = await ingest().line('{"process_exec":{"process":', { format: "tetragon", location: "/var/log/tetragon.log:7" });
    expect(outcome).toBe("deadlettered");
    const record = producer.records[0]!;
    expect(record.topic).toBe("outlier.deadletter.v1");
    expect(record.key).toBe("test-cluster//var/log/tetragon.log");
    expect(JSON.parse(record.value)).toMatchObject({
      schema: "outlier.deadletter.v1",
      code: "malformed_json",
      source: "/var/log/tetragon.log:7",
      payload: '{"process_exec":{"process":',
    });
    expect((await metrics.rejected.get()).values).toContainEqual(expect.objectContaining({ labels: { source: "tetragon", code: "malformed_json" }, value: 1 }));
  });

  it("counts a Falco internal message as skipped and produces nothing", async () => {
    const line = fixtureLines("falco/falco-internal-metrics-snapshots.jsonl")[0]!;
    expect(await ingest().line(line, { format: "falco", location: "http:falco" })).toBe("skipped");
    expect(producer.records).toHaveLength(0);
    expect((await metrics.skipped.get()).values).toContainEqual(expect.objectContaining({ labels: { source: "falco", code: "falco_internal" }, value: 1 }));
  });

  it("does not resolve before the producer acknowledged", async () => {
    let acknowledge!: () => void;
    const slow: RecordProducer = { saturated: true, send: () => new Promise<void>((r) => (acknowledge = r)) };
    const pipeline = createIngest({ cluster: "c", producer: slow, enricher: noopEnricher, metrics, logger: createLogger({ level: "silent", name: "t" }) });
    expect(pipeline.saturated).toBe(true);
    let done = false;
    const pending = pipeline.line(fixtureLines("tetragon/tetragon-testdata-events.jsonl")[1]!, { format: "tetragon", location: "t" }).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    acknowledge();
    await pending;
    expect(done).toBe(true);
  });
});
