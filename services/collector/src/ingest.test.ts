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
  readonly refused: boolean[] = [];
  saturated = false;
  async send(records: OutRecord[], options: { refuseWhenFull?: boolean } = {}): Promise<void> {
    this.refused.push(options.refuseWhenFull === true);
    this.records.push(...records);
  }
}

describe.skipIf(!existsSync(fixtures))("ingest (fixtures from ../shared/fixtures)", () => {
  let producer: MemoryProducer;
  let metrics: CollectorMetrics;

  function ingest(enricher: Enricher = noopEnricher, options: { falcoExecRules?: string[]; maxRecordBytes?: number } = {}) {
    const logger = createLogger({ level: "silent", name: "test" });
    return createIngest({ cluster: "test-cluster", node: "node-1", producer, enricher, metrics, logger, ...options });
  }

  /** The fixture's exec with its arguments and pod labels replaced. */
  function execLine(changes: { arguments?: string; podLabels?: Record<string, string> }): string {
    const line = JSON.parse(fixtureLines("tetragon/tetragon-testdata-events.jsonl")[1]!) as {
      process_exec: { process: { arguments: string; pod: { pod_labels: Record<string, string> } } };
    };
    const process = line.process_exec.process;
    if (changes.arguments !== undefined) process.arguments = changes.arguments;
    if (changes.podLabels !== undefined) process.pod.pod_labels = changes.podLabels;
    return JSON.stringify(line);
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
    await ingest(noopEnricher, { falcoExecRules: ["Outlier exec feed"] }).line(line, { format: "falco", location: "http:falco" });
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

  it("cuts an event over maxRecordBytes to fit, marking what was cut and counting it, and keeps the event", async () => {
    const line = execLine({ arguments: `--data ${"A".repeat(300_000)}` });
    expect(await ingest(noopEnricher, { maxRecordBytes: 64 * 1024 }).line(line, { format: "tetragon", location: "/var/log/tetragon.log:3" })).toBe("produced");
    const record = producer.records[0]!;
    expect(record.topic).toBe("outlier.runtime.v1");
    expect(Buffer.byteLength(record.value)).toBeLessThanOrEqual(64 * 1024);
    const event = RuntimeEventSchema.parse(JSON.parse(record.value));
    expect(event.process?.binary).toBe("/starwars-docker");
    expect(event.process?.args).toMatch(/^--data A+…\[truncated \d+ bytes\]$/);
    expect((await metrics.truncated.get()).values).toContainEqual(expect.objectContaining({ labels: { source: "tetragon" }, value: 1 }));
  });

  it("dead-letters an event that cutting long strings cannot make fit", async () => {
    const podLabels = Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`label-${i}`, `value-${i}`]));
    const outcome = await ingest(noopEnricher, { maxRecordBytes: 64 * 1024 }).line(execLine({ podLabels }), { format: "tetragon", location: "/var/log/tetragon.log:4" });
    expect(outcome).toBe("deadlettered");
    const record = producer.records[0]!;
    expect(record.topic).toBe("outlier.deadletter.v1");
    expect(Buffer.byteLength(record.value)).toBeLessThanOrEqual(96 * 1024);
    expect(JSON.parse(record.value)).toMatchObject({ code: "record_too_large", source: "/var/log/tetragon.log:4" });
    expect((await metrics.rejected.get()).values).toContainEqual(expect.objectContaining({ labels: { source: "tetragon", code: "record_too_large" }, value: 1 }));
  });

  it("dead-letters a body nested too deeply to serialize, instead of failing", async () => {
    const deep = JSON.parse(`${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`) as unknown;
    expect(await ingest().object(deep, { format: "audit", location: "http:audit" })).toBe("deadlettered");
    expect(JSON.parse(producer.records[0]!.value)).toMatchObject({ code: "missing_field", payload: expect.stringContaining("nested too deeply") });
  });

  it("asks the producer to refuse rather than wait for senders that retry (HTTP receivers), not for file tails", async () => {
    const line = fixtureLines("tetragon/tetragon-testdata-events.jsonl")[1]!;
    await ingest().line(line, { format: "tetragon", location: "/var/log/tetragon.log:1" });
    await ingest().line(line, { format: "falco", location: "http:falco", refuseWhenFull: true });
    await ingest().line("{", { format: "falco", location: "http:falco", refuseWhenFull: true });
    expect(producer.refused).toEqual([false, true, true]);
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
