import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AuditEventSchema, RuntimeEventSchema, SCHEMA_HEADER } from "@outlier/contracts";
import { createLogger, createMetrics } from "@outlier/service-kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { collectMessages, createTopics, uniqueTopic } from "../../../test/harness/topics.ts";
import { startCollector, type Collector } from "./collector.ts";
import { CollectorConfigSchema } from "./config.ts";

const fixtures = resolve(import.meta.dirname, "../../../../shared/fixtures");
const fixtureLines = (file: string) => readFileSync(resolve(fixtures, file), "utf8").split("\n").filter((l) => l.trim() !== "");

const FALCO_TOKEN = "falco-token-for-the-int-test";
const AUDIT_TOKEN = "audit-token-for-the-int-test";

describe.skipIf(!existsSync(fixtures))(`collector against a real Kafka broker${existsSync(fixtures) ? "" : " (absent: ../shared/fixtures not found, suite skipped)"}`, () => {
  const brokers = inject("kafkaBrokers");
  const dir = mkdtempSync(join(tmpdir(), "outlier-collector-it-"));
  const tetragonLog = join(dir, "tetragon.log");
  const cluster = uniqueTopic("it");
  const topics = { runtime: uniqueTopic("it.runtime"), audit: uniqueTopic("it.audit"), deadletter: uniqueTopic("it.deadletter") };
  let collector: Collector;

  const post = (path: string, token: string, body: string) =>
    fetch(`http://127.0.0.1:${collector.port}${path}`, { method: "POST", body, headers: { "content-type": "application/json", authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    await createTopics(brokers, Object.values(topics));
    writeFileSync(tetragonLog, "");
    const config = CollectorConfigSchema.parse({
      cluster,
      nodeName: "it-node",
      logLevel: "warn",
      kafka: { brokers, clientId: "collector-it", topics },
      producer: { lingerMs: 5 },
      http: { port: 0, host: "127.0.0.1" },
      stateDir: join(dir, "state"),
      sources: {
        tetragonFile: { path: tetragonLog },
        falcoHttp: { token: FALCO_TOKEN },
        auditWebhook: { tokens: [AUDIT_TOKEN] },
      },
      kubernetes: { enabled: false },
    });
    collector = await startCollector({ config, logger: createLogger({ level: "warn", name: "collector-it" }), registry: createMetrics("outlier_collector_"), env: {} });
  });
  afterAll(async () => {
    await collector?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("becomes ready once Kafka answered", async () => {
    await expect.poll(() => collector.readiness(), { timeout: 30_000 }).toEqual({ ready: true });
    expect((await collector.app.inject("/readyz")).statusCode).toBe(200);
  });

  it("produces tailed Tetragon lines, Falco alerts and audit batches to their topics, and dead-letters bad input", async () => {
    const tetragonExec = fixtureLines("tetragon/tetragon-testdata-events.jsonl")[1]!;
    appendFileSync(tetragonLog, `${tetragonExec}\n{"process_exec":{"process":\n`);

    const falcoAlert = fixtureLines("falco/falco-website-alerts.jsonl").find((l) => l.includes("Terminal shell in container"))!;
    expect((await post("/falco", FALCO_TOKEN, falcoAlert)).status).toBe(200);
    expect((await post("/falco", "wrong-token-wrong-token", falcoAlert)).status).toBe(401);

    const auditItems = fixtureLines("k8s-audit/falco-trace-files-k8s-audit.jsonl").slice(0, 3).map((l) => JSON.parse(l) as { auditID: string; stage: string; objectRef?: { namespace?: string } });
    const eventList = (items: object[]) => JSON.stringify({ kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items });
    expect((await post("/audit", AUDIT_TOKEN, eventList(auditItems.slice(0, 2)))).status).toBe(200);
    // The API server retrying the first batch, plus one new event: only the new one is produced.
    const retried = await post("/audit", AUDIT_TOKEN, eventList(auditItems));
    expect(retried.status).toBe(200);
    expect(await retried.json()).toMatchObject({ produced: 1, duplicate: 2 });

    const runtime = await collectMessages(brokers, topics.runtime, 2);
    const bySource = new Map(runtime.map((m) => [RuntimeEventSchema.parse(JSON.parse(m.value)).source, m]));
    expect(bySource.get("tetragon")?.key).toBe(`${cluster}/default/Deployment/deathstar`);
    const falco = RuntimeEventSchema.parse(JSON.parse(bySource.get("falco")!.value));
    expect(falco.rule?.name).toBe("Terminal shell in container");
    expect(bySource.get("falco")?.key).toBe(`${cluster}/${falco.pod?.namespace}/${falco.workload?.kind}/${falco.workload?.name}`);
    for (const message of runtime) expect(message.headers[SCHEMA_HEADER]).toBe("outlier.runtime.v1");

    const audit = await collectMessages(brokers, topics.audit, 3);
    const auditEvents = audit.map((m) => ({ key: m.key, event: AuditEventSchema.parse(JSON.parse(m.value)) }));
    expect(auditEvents.map((a) => `${a.event.auditID}/${a.event.stage}`).sort()).toEqual(auditItems.map((i) => `${i.auditID}/${i.stage}`).sort());
    for (const { key, event } of auditEvents) expect(key).toBe(`${cluster}/${event.objectRef?.namespace ?? "_cluster"}/audit`);
    // Nothing beyond the three: the retried batch was deduplicated.
    await expect(collectMessages(brokers, topics.audit, 4, 3_000)).rejects.toThrow("after 3 messages");

    const [deadLetter] = await collectMessages(brokers, topics.deadletter, 1);
    expect(deadLetter?.key).toBe(`${cluster}/${tetragonLog}`);
    expect(JSON.parse(deadLetter!.value)).toMatchObject({ schema: "outlier.deadletter.v1", code: "malformed_json", source: `${tetragonLog}:2`, payload: '{"process_exec":{"process":' });
  });
});
