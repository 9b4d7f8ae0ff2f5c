import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";

/** A topic name no other test (or earlier run against the same broker) uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}.${randomBytes(3).toString("hex")}`;
}

function client(brokers: string[]): Kafka {
  return new Kafka({ brokers, clientId: "outlier-test", logLevel: logLevel.NOTHING });
}

/** Creates topics and waits until they have leaders, so a producer's first send does not race creation. */
export async function createTopics(brokers: string[], topics: string[], numPartitions = 3): Promise<void> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

export interface CollectedMessage {
  partition: number;
  offset: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning in a fresh group until `count` messages arrived;
 * rejects after timeoutMs with how many did. Independent of @outlier/bus, so it can judge it.
 */
export async function collectMessages(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<CollectedMessage[]> {
  const consumer = client(brokers).consumer({ groupId: uniqueTopic("collector"), maxWaitTimeInMs: 200 });
  const messages: CollectedMessage[] = [];
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`collected ${messages.length} of ${count} messages from ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      if (count === 0) return done();
      void consumer.subscribe({ topic, fromBeginning: true }).then(() =>
        consumer.run({
          eachMessage: async ({ partition, message }) => {
            messages.push({
              partition,
              offset: message.offset,
              key: message.key?.toString() ?? "",
              value: message.value?.toString() ?? "",
              headers: Object.fromEntries(
                Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? ""]),
              ),
            });
            if (messages.length >= count) done();
          },
        }),
      ).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
