import { Kafka, logLevel, type Consumer } from "kafkajs";

/** Test helpers on a real broker, independent of @outlier/bus so they can judge it. */

function client(brokers: string[]): Kafka {
  return new Kafka({ brokers, clientId: "outlier-detector-test", logLevel: logLevel.NOTHING });
}

export interface TailedMessage {
  partition: number;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export interface Tail {
  /** Every message read so far, growing in the background. */
  readonly messages: TailedMessage[];
  stop(): Promise<void>;
}

/** Reads a topic from its beginning in a fresh group, for as long as the test needs. */
export async function tailTopic(brokers: string[], topic: string): Promise<Tail> {
  const consumer: Consumer = client(brokers).consumer({ groupId: `tail.${topic}.${Date.now()}`, maxWaitTimeInMs: 100 });
  const messages: TailedMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, v?.toString() ?? ""]));
      messages.push({ partition, key: message.key?.toString() ?? "", value: message.value?.toString() ?? "", headers });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

/** Records of `topics` not yet committed by `groupId` (a partition it never committed counts whole). */
export async function groupLag(brokers: string[], groupId: string, topics: string[]): Promise<number> {
  const admin = client(brokers).admin();
  await admin.connect();
  try {
    let lag = 0;
    const committed = await admin.fetchOffsets({ groupId, topics });
    for (const topic of topics) {
      const ends = await admin.fetchTopicOffsets(topic);
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const end of ends) {
        const at = done.find((p) => p.partition === end.partition)?.offset ?? "-1";
        lag += Number(end.high) - Math.max(Number(at), Number(end.low));
      }
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}
