import { Redis } from "ioredis";
import { Kafka, logLevel } from "kafkajs";
import { describe, expect, inject, it } from "vitest";
import { collectMessages, createTopics, uniqueTopic } from "./topics.ts";

describe("test harness: real servers", () => {
  it("round-trips records through the real Kafka broker", async () => {
    const brokers = inject("kafkaBrokers");
    const topic = uniqueTopic("harness.smoke");
    await createTopics(brokers, [topic]);
    const producer = new Kafka({ brokers, clientId: "harness-smoke", logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { key: "a", value: "one", headers: { h: "x" } },
        { key: "b", value: "two" },
      ],
    });
    await producer.disconnect();

    const received = await collectMessages(brokers, topic, 2);

    expect(received.map((m) => m.value).sort()).toEqual(["one", "two"]);
    expect(received.find((m) => m.key === "a")?.headers).toEqual({ h: "x" });
  });

  it("stores and reads a key in the real redis-server", async () => {
    const redis = new Redis(inject("redisUrl"));
    const key = uniqueTopic("harness:smoke");
    await redis.set(key, "value", "EX", 60);
    expect(await redis.get(key)).toBe("value");
    await redis.quit();
  });
});
