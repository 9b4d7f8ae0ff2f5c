import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKafkaBroker, type KafkaBroker } from "../../../test/harness/kafka.ts";
import { collectUntil, createTopics, uniqueTopic } from "../../../test/harness/topics.ts";
import { BatchingProducer } from "./batching-producer.ts";
import { createKafka } from "./kafka.ts";
import { KafkaProducer } from "./kafka-producer.ts";
import type { OutRecord } from "./types.ts";

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

// A broker of its own: this test stops it, which the shared one must never be.
describe("BatchingProducer over Kafka when the broker stops for a while", () => {
  let broker: KafkaBroker;
  beforeAll(async () => {
    broker = await startKafkaBroker();
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  it("loses no record: sends made during the outage resolve after the restart, and every record arrives (duplicates allowed)", async () => {
    const topic = uniqueTopic("bus.outage");
    await createTopics(broker.brokers, [topic], 3);
    const kafka = createKafka({ brokers: broker.brokers, clientId: "outage-test", logger: silent });
    const producer = new BatchingProducer(
      new KafkaProducer(kafka, { retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 300 } }),
      { batchSize: 50, lingerMs: 20, retry: { initialMs: 100, maxMs: 1_000 } },
    );
    const batchOf = (n: number): OutRecord[] =>
      Array.from({ length: 10 }, (_, i) => ({ topic, key: `workload-${i % 4}`, value: String(n * 10 + i) }));

    const sends: Promise<void>[] = [];
    let outage: Promise<void> | undefined;
    for (let n = 0; n < 60; n++) {
      sends.push(producer.send(batchOf(n)));
      if (n === 20) {
        outage = (async () => {
          await broker.stop();
          await sleep(3_000);
          await broker.restart();
        })();
      }
      await sleep(25);
    }
    await outage;
    await Promise.all(sends);
    await producer.close();

    expect(producer.counters.dropped).toBe(0);
    expect(producer.counters.retries).toBeGreaterThan(0); // the outage really hit the sends
    // At-least-once: a batch retried after an unknown outcome may be on the topic twice; none may be missing.
    const distinct = (messages: { value: string }[]): Set<string> => new Set(messages.map((m) => m.value));
    const received = await collectUntil(broker.brokers, topic, (messages) => distinct(messages).size >= 600, 60_000);
    expect([...distinct(received)].sort()).toEqual(Array.from({ length: 600 }, (_, i) => String(i)).sort());
  });
});
