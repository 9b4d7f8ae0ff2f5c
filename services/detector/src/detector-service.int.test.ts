import { randomUUID } from "node:crypto";
import { createKafka, KafkaProducer } from "@outlier/bus";
import { FindingSchema, SCHEMA_HEADER, type AuditEvent, type DeadLetter, type Finding, type RuntimeEvent } from "@outlier/contracts";
import { createLogger, createMetrics } from "@outlier/service-kit";
import { connectRedis, RedisBaselineStore, RedisFindingLog } from "@outlier/store";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { at, exec, execAudit } from "../../../packages/detector/src/test-events.ts";
import { createTopics, uniqueTopic } from "../../../test/harness/topics.ts";
import { DetectorConfigSchema } from "./config.ts";
import { startDetectorService, type RunningDetector } from "./detector-service.ts";
import { tailTopic, type Tail } from "./test-support.ts";

const PODS = ["checkout-7d9f-a1", "checkout-7d9f-b2", "checkout-7d9f-c3"];
const COMMON = ["/usr/bin/entrypoint", "/usr/local/bin/server", "/bin/sh"];
const WORKLOAD_KEY = "c1/shop/Deployment/checkout";
const BASELINE_ID = { cluster: "c1", namespace: "shop", kind: "Deployment" as const, name: "checkout", container: "app" };

describe("detector service on a real Kafka broker and redis-server", () => {
  const brokers = inject("kafkaBrokers");
  const topics = { runtime: uniqueTopic("it.runtime"), audit: uniqueTopic("it.audit"), findings: uniqueTopic("it.findings"), deadletter: uniqueTopic("it.deadletter") };
  const prefix = `it-${randomUUID()}:`;
  const producer = new KafkaProducer(createKafka({ brokers, clientId: "detector-it-feeder" }));
  let detector: RunningDetector;
  let findingsTail: Tail;
  let deadTail: Tail;

  const send = (events: (RuntimeEvent | AuditEvent)[]) =>
    producer.send(
      events.map((e) =>
        e.schema === "outlier.runtime.v1"
          ? { topic: topics.runtime, key: WORKLOAD_KEY, value: JSON.stringify(e), headers: { [SCHEMA_HEADER]: e.schema } }
          : { topic: topics.audit, key: "c1/shop/audit", value: JSON.stringify(e), headers: { [SCHEMA_HEADER]: e.schema } },
      ),
    );
  const findings = (): Finding[] => findingsTail.messages.map((m) => FindingSchema.parse(JSON.parse(m.value)));
  const ofType = (type: string) => findings().filter((f) => f.type === type);

  beforeAll(async () => {
    await createTopics(brokers, Object.values(topics), 3);
    const config = DetectorConfigSchema.parse({
      logLevel: "warn",
      kafka: { brokers, clientId: "detector-it", groupId: uniqueTopic("it.detector"), topics },
      redis: { url: inject("redisUrl"), prefix },
      http: { port: 0, host: "127.0.0.1" },
    });
    detector = await startDetectorService({ config, logger: createLogger({ level: "warn", name: "detector-it" }), registry: createMetrics("outlier_detector_") });
    [findingsTail, deadTail] = await Promise.all([tailTopic(brokers, topics.findings), tailTopic(brokers, topics.deadletter)]);
  });
  afterAll(async () => {
    await Promise.all([findingsTail?.stop(), deadTail?.stop()]);
    await detector?.stop();
    await producer.close();
  });

  it("is ready once it joined its group and Redis answers", async () => {
    expect(detector.readiness()).toEqual({ ready: true });
    expect((await detector.app.inject("/readyz")).statusCode).toBe(200);
  });

  it("learns three replicas, flags an unexpected binary, and dead-letters a malformed record without stopping", async () => {
    const learning = PODS.flatMap((pod) => Array.from({ length: 12 }, (_, i) => COMMON.map((binary) => exec({ pod, binary, minutes: i * 5 }))).flat());
    await send(learning);
    await producer.send([{ topic: topics.runtime, key: WORKLOAD_KEY, value: '{"schema":"outlier.runtime.v1",', headers: { [SCHEMA_HEADER]: "outlier.runtime.v1" } }]);
    await send([exec({ pod: PODS[0]!, binary: "/usr/bin/nc", minutes: 61 })]);

    await expect.poll(() => ofType("process.unexpected"), { timeout: 30_000 }).toHaveLength(1);
    const unexpected = ofType("process.unexpected")[0]!;
    expect(unexpected).toMatchObject({ pod: PODS[0], container: "app", process: { binary: "/usr/bin/nc" }, workload: { namespace: "shop", name: "checkout" } });
    const record = findingsTail.messages.find((m) => m.value.includes(unexpected.id))!;
    expect(record.key).toBe(WORKLOAD_KEY);
    expect(record.headers[SCHEMA_HEADER]).toBe("outlier.finding.v1");

    await expect.poll(() => deadTail.messages.length, { timeout: 10_000 }).toBe(1);
    const letter = JSON.parse(deadTail.messages[0]!.value) as DeadLetter;
    expect(letter).toMatchObject({ schema: "outlier.deadletter.v1", code: "malformed_json", source: expect.stringMatching(new RegExp(`^kafka:${topics.runtime.replaceAll(".", "\\.")}\\[\\d\\]@\\d+$`)) });
    expect(deadTail.messages[0]!.key).toBe(WORKLOAD_KEY);

    const store = new RedisBaselineStore(await connectRedis(inject("redisUrl")), { prefix });
    try {
      const stored = await store.load(BASELINE_ID);
      expect(stored?.baseline).toMatchObject({ state: "locked", lockedAt: at(60) });
      const byStatus = (status: string) => [...stored!.entries.values()].filter((e) => e.status === status).map((e) => e.binary).sort();
      expect(byStatus("learned")).toEqual([...COMMON].sort());
      expect(byStatus("pending")).toEqual(["/usr/bin/nc"]);
    } finally {
      await store.close();
    }
  });

  it("reports a kubectl exec as one exec.session, keeps its processes out of the baseline, and logs findings for the CLI", async () => {
    // The audit event is on another topic: wait until it was judged, so the session is open when its processes arrive.
    await send([execAudit(PODS[1]!, 70, ["sh"])]);
    await expect.poll(async () => (await detector.app.inject("/metrics")).body, { timeout: 30_000 }).toMatch(/outlier_detector_events_consumed_total\{type="audit"\} 1/);
    const sh = exec({ pod: PODS[1]!, binary: "/bin/sh", minutes: 70.01, inInitTree: false, parent: "/usr/bin/runc" });
    await send([
      sh,
      exec({ pod: PODS[1]!, binary: "/usr/bin/curl", minutes: 70.5, inInitTree: false, parent: "/bin/sh", parentExecId: sh.id }),
      // Later ordinary work moves event time past the session's idle gap, which closes it.
      ...PODS.map((pod) => exec({ pod, binary: "/usr/local/bin/server", minutes: 75 })),
    ]);

    await expect.poll(() => ofType("exec.session"), { timeout: 30_000 }).toHaveLength(1);
    const session = ofType("exec.session")[0]!;
    expect(session).toMatchObject({ pod: PODS[1], evidence: { user: { username: "mallory@example.com" }, execCount: 2 } });
    expect(JSON.stringify(session.evidence)).toContain("/usr/bin/curl");
    expect(ofType("process.unexpected").map((f) => f.process?.binary)).toEqual(["/usr/bin/nc"]);
    // The audit log names the pod only; the detector knows its workload from the pod's runtime events.
    expect(session.workload).toMatchObject({ kind: "Deployment", name: "checkout", namespace: "shop" });
    expect(findingsTail.messages.find((m) => m.value.includes(session.id))?.key).toBe(WORKLOAD_KEY);

    const log = new RedisFindingLog(await connectRedis(inject("redisUrl")), { prefix });
    try {
      expect(new Set((await log.recent()).map((f) => f.id))).toEqual(new Set(findings().map((f) => f.id)));
      const inShop = findings().filter((f) => (f.namespace ?? f.workload?.namespace) === "shop");
      expect(inShop.length).toBeGreaterThanOrEqual(2); // the session and the unexpected nc (one finding per exec: no audit.pod-exec)
      expect(new Set((await log.recent({ namespace: "shop" })).map((f) => f.id))).toEqual(new Set(inShop.map((f) => f.id)));
      expect((await log.recent({ type: "exec" })).map((f) => f.id)).toEqual([session.id]);
    } finally {
      await log.close();
    }

    const metrics = (await detector.app.inject("/metrics")).body;
    expect(metrics).toMatch(/outlier_detector_findings_total\{type="exec.session",severity="medium"\} 1/);
    expect(metrics).toMatch(/outlier_detector_dead_letters_total\{code="malformed_json"\} 1/);
    expect(metrics).toMatch(/outlier_detector_events_consumed_total\{type="audit"\} 1/);
  });
});
