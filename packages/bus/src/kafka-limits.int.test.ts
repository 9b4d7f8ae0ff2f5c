import { Kafka, logLevel } from "kafkajs";
import { expect, inject, it } from "vitest";
import { uniqueTopic } from "../../../test/harness/topics.ts";
import { kafkaMessageLimit } from "./kafka-limits.ts";

it("reads the broker's message.max.bytes, and a topic's lower max.message.bytes, skipping a topic that does not exist", async () => {
  const brokers = inject("kafkaBrokers");
  const kafka = new Kafka({ brokers, clientId: "limits-test", logLevel: logLevel.NOTHING });
  const small = uniqueTopic("limits.small");
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: small, numPartitions: 1, configEntries: [{ name: "max.message.bytes", value: "200000" }] }], waitForLeaders: true });
  await admin.disconnect();

  // Kafka's default: 1 MiB plus 12 bytes of record batch overhead.
  expect(await kafkaMessageLimit(kafka, [uniqueTopic("limits.absent")])).toBe(1_048_588);
  expect(await kafkaMessageLimit(kafka, [small, uniqueTopic("limits.absent")])).toBe(200_000);
});
