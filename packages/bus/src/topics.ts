import type { Kafka } from "kafkajs";
import { z } from "zod";
import type { BusLogger } from "./kafka.ts";

/**
 * A service's `kafka.createTopics` config: the topics it reads and writes are created at
 * start-up when missing, so a first start on a fresh cluster works (a consumer subscribed
 * to a topic that does not exist yet crashes with "This server does not host this topic-partition").
 */
export const TopicCreationSchema = z.strictObject({
  /** false where topics are managed elsewhere (an operator, a GitOps Kafka CRD): then they must exist. */
  enabled: z.boolean().default(true),
  /** Partitions of a created topic: the most consumers of one group that get work. */
  partitions: z.number().int().positive().default(6),
  /** -1: the broker's default.replication.factor (1 on a one-broker cluster, 3 on most production ones). */
  replicationFactor: z.number().int().min(-1).default(-1),
});

export type TopicCreation = z.infer<typeof TopicCreationSchema>;

/**
 * Creates the topics among `topics` that do not exist yet and waits for their leaders.
 * Idempotent: existing topics are left as they are (partitions and settings untouched), and
 * a topic another replica creates meanwhile counts as created. Returns the topics it created.
 */
export async function ensureTopics(kafka: Kafka, topics: readonly string[], creation: TopicCreation, logger: BusLogger): Promise<string[]> {
  if (!creation.enabled) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...new Set(topics)].filter((topic) => !existing.has(topic));
    if (missing.length === 0) return [];
    const { partitions: numPartitions, replicationFactor } = creation;
    // Resolves false when every one already exists (another replica won the race): fine either way.
    await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions, replicationFactor })), waitForLeaders: true });
    logger.info({ topics: missing, partitions: numPartitions, replicationFactor }, "created missing topics");
    return missing;
  } finally {
    await admin.disconnect();
  }
}
