import { randomUUID } from "node:crypto";
import { createKafka, KafkaProducer } from "@outlier/bus";
import { createLogger, createMetrics } from "@outlier/service-kit";
import { afterAll, describe, expect, inject, it } from "vitest";
import { uniqueTopic } from "../../../test/harness/topics.ts";
import { DetectorConfigSchema } from "./config.ts";
import { startDetectorService, type RunningDetector } from "./detector-service.ts";
import { tailTopic, type Tail } from "./test-support.ts";

/** Issue 14 item 1: on a cluster where none of its topics exist yet, the detector used to exit 1 at start-up. */
describe("detector's first start when its topics do not exist", () => {
  const brokers = inject("kafkaBrokers");
  const topics = { runtime: uniqueTopic("first.runtime"), audit: uniqueTopic("first.audit"), findings: uniqueTopic("first.findings"), deadletter: uniqueTopic("first.deadletter") };
  const producer = new KafkaProducer(createKafka({ brokers, clientId: "first-start-feeder" }));
  let detector: RunningDetector | undefined;
  let deadTail: Tail | undefined;
  afterAll(async () => {
    await deadTail?.stop();
    await detector?.stop();
    await producer.close();
  });

  it("creates them, joins its group and consumes", async () => {
    const config = DetectorConfigSchema.parse({
      logLevel: "warn",
      kafka: { brokers, clientId: "first-start", groupId: uniqueTopic("first.detector"), topics, createTopics: { partitions: 2 } },
      redis: { url: inject("redisUrl"), prefix: `first-${randomUUID()}:` },
      http: { port: 0, host: "127.0.0.1" },
      kubernetes: { enabled: false },
    });
    detector = await startDetectorService({ config, logger: createLogger({ level: "warn", name: "first-start" }), registry: createMetrics("outlier_detector_") });
    await expect.poll(() => detector!.readiness(), { timeout: 30_000 }).toEqual({ ready: true }); // joined its group

    deadTail = await tailTopic(brokers, topics.deadletter);
    await producer.send([{ topic: topics.runtime, key: "c1/shop/Deployment/checkout", value: "{not json" }]);
    await expect.poll(() => deadTail?.messages.length, { timeout: 15_000 }).toBe(1);
    expect(JSON.parse(deadTail.messages[0]!.value)).toMatchObject({ code: "malformed_json" });

    // Connection gauges and a lag series per partition of the consumed topics, once the first lag poll has answered.
    const scrape = async () => (await detector!.app.inject("/metrics")).body;
    await expect.poll(scrape, { timeout: 30_000 }).toMatch(/^outlier_detector_kafka_connected 1$/m);
    const metrics = await scrape();
    expect(metrics).toMatch(/^outlier_detector_redis_connected 1$/m);
    for (const topic of [topics.runtime, topics.audit]) {
      for (const partition of ["0", "1"]) expect(metrics).toMatch(new RegExp(`^outlier_detector_consumer_lag\\{topic="${topic}",partition="${partition}"\\} \\d+$`, "m"));
    }
  });
});
