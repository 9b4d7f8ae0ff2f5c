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
export function collectMessages(
  brokers: string[],
  topic: string,
  count: number,
  timeoutMs = 30_000,
): Promise<CollectedMessage[]> {
  return collectUntil(brokers, topic, (messages) => messages.length >= count, timeoutMs);
}

/**
 * Like collectMessages, until `done(messages so far)` holds: at-least-once delivery can
 * duplicate, so "every id seen" is often the right condition rather than a count.
 */
export async function collectUntil(
  brokers: string[],
  topic: string,
  done: (messages: CollectedMessage[]) => boolean,
  timeoutMs = 30_000,
): Promise<CollectedMessage[]> {
  const consumer = client(brokers).consumer({ groupId: uniqueTopic("collector"), maxWaitTimeInMs: 200 });
  const messages: CollectedMessage[] = [];
  await consumer.connect();
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`condition not met after ${messages.length} messages from ${topic} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      const finish = (): void => {
        clearTimeout(timer);
        resolve();
      };
      if (done(messages)) return finish();
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
            if (done(messages)) finish();
          },
        }),
      ).catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
