import { inject } from "vitest";
import { createTopics, uniqueTopic } from "../../../test/harness/topics.ts";
import { busContract } from "./contract.ts";
import { createKafka } from "./kafka.ts";
import { KafkaConsumer } from "./kafka-consumer.ts";
import { KafkaProducer } from "./kafka-producer.ts";

const silent = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

busContract("Kafka", () => {
  const brokers = inject("kafkaBrokers");
  const kafka = createKafka({ brokers, clientId: "bus-contract", logger: silent });
  return {
    producer: () => new KafkaProducer(kafka),
    consumer: () => new KafkaConsumer(kafka, { retry: { initialRetryTime: 100, retries: 8 } }),
    newTopic: async (prefix) => {
      const topic = uniqueTopic(prefix);
      await createTopics(brokers, [topic], 3);
      return topic;
    },
    timeoutMs: 60_000,
  };
});
