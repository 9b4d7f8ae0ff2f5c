import kafkajs, { type Kafka } from "kafkajs";

// kafkajs is CommonJS and Node's ESM loader does not see this export by name (vitest does).
const { ConfigResourceTypes } = kafkajs;

/** What a batch leaves free under Kafka's message limit: record and batch headers, and GZIP's few bytes of growth on random data. */
export const BATCH_MARGIN_BYTES = 64 * 1024;

/**
 * The smallest message Kafka refuses for `topics`, in bytes: the broker's `message.max.bytes`
 * and each topic's `max.message.bytes` (a topic may override the broker's). Undefined when
 * Kafka says neither (no right to describe configs, say); a topic not created yet is skipped.
 */
export async function kafkaMessageLimit(kafka: Kafka, topics: string[]): Promise<number | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    const resources = [
      ...brokers.slice(0, 1).map((b) => ({ type: ConfigResourceTypes.BROKER, name: String(b.nodeId), configNames: ["message.max.bytes"] })),
      ...topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ["max.message.bytes"] })),
    ];
    const limits = await Promise.all(
      resources.map(async (resource) => {
        try {
          const { resources: described } = await admin.describeConfigs({ resources: [resource], includeSynonyms: false });
          const value = Number(described[0]?.configEntries[0]?.configValue);
          return Number.isInteger(value) && value > 0 ? value : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    const known = limits.filter((limit): limit is number => limit !== undefined);
    return known.length > 0 ? Math.min(...known) : undefined;
  } finally {
    await admin.disconnect();
  }
}
