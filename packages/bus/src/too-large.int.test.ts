import { randomBytes } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { collectUntil, createTopics, uniqueTopic } from "../../../test/harness/topics.ts";
import { BatchingProducer } from "./batching-producer.ts";
import { createKafka } from "./kafka.ts";
import { KafkaProducer } from "./kafka-producer.ts";
import type { OutRecord } from "./types.ts";

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

// The broker runs with Kafka's default message.max.bytes (1 MiB + 12): what a real cluster refuses.
describe("BatchingProducer over Kafka with records the broker refuses as too large", () => {
  const brokers = inject("kafkaBrokers");

  it("keeps the stream flowing: batches stay under the broker's limit, and a record refused alone is replaced by what onTooLarge gives", { timeout: 60_000 }, async () => {
    const topic = uniqueTopic("bus.too-large");
    const deadletter = uniqueTopic("bus.too-large.dl");
    await createTopics(brokers, [topic, deadletter], 1);
    const kafka = createKafka({ brokers, clientId: "too-large-test", logger: silent });
    const refused: string[] = [];
    const producer = new BatchingProducer(new KafkaProducer(kafka, { retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 300 } }), {
      lingerMs: 20,
      retry: { initialMs: 100, maxMs: 1_000 },
      onTooLarge(record) {
        refused.push(record.key);
        return { topic: deadletter, key: record.key, value: `too large: ${record.value.length} characters` };
      },
    });
    // 600 records of ~5.4 KB of random text on one key: 500 of them (the default batch) are ~2.7 MB, far over 1 MiB.
    const legit = (from: number, count: number): OutRecord[] =>
      Array.from({ length: count }, (_, i) => ({ topic, key: "one-workload", value: `${from + i} ${randomBytes(2_700).toString("hex")}` }));
    // Random, so GZIP cannot shrink it under the limit (the broker checks the compressed batch).
    const poison: OutRecord = { topic, key: "poison", value: randomBytes(1536 * 1024).toString("base64") };

    const started = Date.now();
    await Promise.all([producer.send(legit(0, 300)), producer.send([poison]), producer.send(legit(300, 300))]);
    const elapsedMs = Date.now() - started;
    await producer.close();

    expect(refused).toEqual(["poison"]);
    expect(producer.counters).toMatchObject({ buffered: 0, sent: 601, tooLarge: 1, dropped: 0 });
    const numbers = (messages: { value: string }[]) => new Set(messages.map((m) => Number(m.value.split(" ")[0])));
    const received = await collectUntil(brokers, topic, (messages) => numbers(messages).size >= 600, 60_000);
    expect(numbers(received)).toEqual(new Set(Array.from({ length: 600 }, (_, i) => i)));
    const [letter] = await collectUntil(brokers, deadletter, (messages) => messages.length >= 1);
    expect(letter?.value).toBe(`too large: ${poison.value.length} characters`);
    console.info(`too-large: 600 records of 5.4 KB and one of 2 MiB (dead-lettered) delivered in ${elapsedMs} ms`);
  });
});
