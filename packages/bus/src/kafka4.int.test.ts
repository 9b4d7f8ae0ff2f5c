import { afterAll, beforeAll, describe } from "vitest";
import { KAFKA_4, startKafkaBroker, type KafkaBroker } from "../../../test/harness/kafka.ts";
import { createTopics, uniqueTopic } from "../../../test/harness/topics.ts";
import { busContract } from "./contract.ts";
import { createKafka } from "./kafka.ts";
import { KafkaConsumer } from "./kafka-consumer.ts";
import { KafkaProducer } from "./kafka-producer.ts";

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

// The suite pins Kafka 3.9; KafkaJS was never tested against 4.x, so the same contract runs once on 4.x.
describe(`Kafka ${KAFKA_4.version} smoke`, () => {
  let broker: KafkaBroker;
  beforeAll(async () => {
    broker = await startKafkaBroker({ distribution: KAFKA_4 });
  });
  afterAll(async () => {
    await broker?.dispose();
  });

  busContract(`Kafka ${KAFKA_4.version}`, () => {
    const kafka = () => createKafka({ brokers: broker.brokers, clientId: "bus-contract-kafka4", logger: silent });
    return {
      producer: () => new KafkaProducer(kafka()),
      consumer: () => new KafkaConsumer(kafka(), { retry: { initialRetryTime: 100, retries: 8 } }),
      newTopic: async (prefix) => {
        const topic = uniqueTopic(prefix);
        await createTopics(broker.brokers, [topic], 3);
        return topic;
      },
      timeoutMs: 60_000,
    };
  });
});
