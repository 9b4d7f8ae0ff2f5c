import { randomUUID } from "node:crypto";
import { createLogger, createMetrics } from "@outlier/service-kit";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startKafkaBroker, type KafkaBroker } from "../../../test/harness/kafka.ts";
import { uniqueTopic } from "../../../test/harness/topics.ts";
import { DetectorConfigSchema } from "./config.ts";
import { startDetectorService, type RunningDetector } from "./detector-service.ts";

/** Issue 14 item 4: /readyz stayed 200 through a Kafka outage. A broker of its own: this test stops it. */
describe("detector readiness through a Kafka outage", () => {
  let broker: KafkaBroker;
  let detector: RunningDetector | undefined;
  beforeAll(async () => {
    broker = await startKafkaBroker();
  });
  afterAll(async () => {
    await detector?.stop().catch(() => undefined);
    await broker?.dispose();
  });

  const readyz = async () => {
    const reply = await detector!.app.inject("/readyz");
    return { status: reply.statusCode, body: reply.json<{ reason?: string }>() };
  };

  it("is 503 with a short reason of ours while the broker is down, and 200 again after it is back", async () => {
    const topics = { runtime: uniqueTopic("ready.runtime"), audit: uniqueTopic("ready.audit"), findings: uniqueTopic("ready.findings"), deadletter: uniqueTopic("ready.deadletter") };
    const config = DetectorConfigSchema.parse({
      logLevel: "silent",
      kafka: { brokers: broker.brokers, clientId: "ready-it", groupId: uniqueTopic("ready.detector"), topics, createTopics: { partitions: 2 } },
      redis: { url: inject("redisUrl"), prefix: `ready-${randomUUID()}:` },
      http: { port: 0, host: "127.0.0.1" },
      kubernetes: { enabled: false },
    });
    detector = await startDetectorService({ config, logger: createLogger({ level: "silent", name: "ready-it" }), registry: createMetrics("outlier_detector_") });
    // On a brand-new broker the group coordinator may still be starting: the first join can crash and be retried.
    await expect.poll(async () => (await readyz()).status, { timeout: 30_000, interval: 200 }).toBe(200);

    await broker.stop();
    const down = Date.now();
    await expect.poll(async () => (await readyz()).status, { timeout: 40_000, interval: 500 }).toBe(503);
    const notReadyAfterMs = Date.now() - down;
    const { reason } = (await readyz()).body;
    // Ours, short, and never KafkaJS's error text (which names hosts and ports).
    expect(reason).toMatch(/^kafka: (no answer from the broker for \d+ s|consumer crashed, rejoining|not in the consumer group yet)$/);

    await broker.restart();
    const back = Date.now();
    await expect.poll(async () => (await readyz()).status, { timeout: 90_000, interval: 500 }).toBe(200);
    console.log(`readiness: 503 ${notReadyAfterMs} ms after the broker stopped, 200 again ${Date.now() - back} ms after it restarted`);
  }, 180_000);
});
