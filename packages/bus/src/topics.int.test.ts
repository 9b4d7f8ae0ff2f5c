import { describe, expect, inject, it } from "vitest";
import { createTopics, uniqueTopic } from "../../../test/harness/topics.ts";
import { createKafka } from "./kafka.ts";
import { ensureTopics, TopicCreationSchema } from "./topics.ts";

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

describe("ensureTopics on a real broker", () => {
  const brokers = inject("kafkaBrokers");
  const kafka = createKafka({ brokers, clientId: "topics-it", logger: silent });

  async function partitionsOf(topic: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return topics[0]!.partitions.length;
    } finally {
      await admin.disconnect();
    }
  }

  it("creates the missing topics with the configured partitions, once, and leaves existing ones alone", async () => {
    const fresh = [uniqueTopic("it.fresh"), uniqueTopic("it.fresh")];
    const existing = uniqueTopic("it.existing");
    await createTopics(brokers, [existing], 1);
    const creation = TopicCreationSchema.parse({ partitions: 4 });

    expect(await ensureTopics(kafka, [...fresh, existing], creation, silent)).toEqual(fresh);
    expect(await Promise.all(fresh.map(partitionsOf))).toEqual([4, 4]);
    expect(await partitionsOf(existing)).toBe(1);
    // A second replica starting: nothing to do.
    expect(await ensureTopics(kafka, [...fresh, existing], creation, silent)).toEqual([]);
  });

  it("creates nothing when disabled", async () => {
    const topic = uniqueTopic("it.unmanaged");
    expect(await ensureTopics(kafka, [topic], TopicCreationSchema.parse({ enabled: false }), silent)).toEqual([]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).not.toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });
});
