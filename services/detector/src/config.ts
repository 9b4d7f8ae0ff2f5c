import { kafkaConnectionSchema, TopicCreationSchema } from "@outlier/bus";
import { parsePositiveDuration, TOPICS } from "@outlier/contracts";
import { HttpListenSchema, loadConfig } from "@outlier/service-kit";
import { FINDING_LOG_MAX_LEN, RedisConnectionSchema } from "@outlier/store";
import { z } from "zod";

/** Prefix of every environment override: redis.url → OUTLIER_DETECTOR_REDIS_URL. */
export const ENV_PREFIX = "OUTLIER_DETECTOR";

/** "45s", "90m", "1h30m", "2d" (Alertmanager syntax: y w d h m s ms) → milliseconds. */
const Duration = z.string().transform((text, ctx) => {
  const ms = parsePositiveDuration(text);
  if (ms === undefined) ctx.addIssue({ code: "custom", message: `not a duration: "${text}" (e.g. 45s, 90m, 1h30m, 2d)` });
  return ms ?? 0;
});

export const DetectorConfigSchema = z.strictObject({
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  kafka: kafkaConnectionSchema("outlier-detector")
    .extend({
      /** Every detector replica joins this group; partitions (workloads) are shared among them. */
      groupId: z.string().min(1).default("outlier-detector"),
      /** A member silent this long is out of the group, and its partitions go to the others. */
      sessionTimeoutMs: z.number().int().min(6_000).default(30_000),
      /** Where a group with no committed offset starts: the oldest record (true) or only new ones. */
      fromBeginning: z.boolean().default(true),
      /** Missing topics are created at start-up with these settings (docs/detector.md). */
      createTopics: TopicCreationSchema.prefault({}),
      /** Topic names; change them only to run several installations on one Kafka cluster. */
      topics: z
        .strictObject({
          runtime: z.string().min(1).default(TOPICS.runtime),
          audit: z.string().min(1).default(TOPICS.audit),
          findings: z.string().min(1).default(TOPICS.findings),
          deadletter: z.string().min(1).default(TOPICS.deadletter),
        })
        .prefault({}),
    })
    .prefault({}),
  redis: RedisConnectionSchema.prefault({}),
  detector: z
    .strictObject({
      /** How long a new baseline learns before it locks (annotation outlier.dev/learning-window overrides it). */
      learningWindow: Duration.prefault("1h"),
      /** Lock baselines when learning ends (annotation outlier.dev/auto-lock overrides it). */
      autoLock: z.boolean().default(true),
      /** After a new image digest on a locked baseline, new binaries are drift (low), not unexpected, for this long. */
      relearnWindow: Duration.prefault("10m"),
      /** Executables per baseline at most; more are counted as overflow. */
      maxEntries: z.number().int().positive().default(500),
      /** With at least this many live replicas on its image, a binary seen on one replica while learning is reported at once and stays pending. */
      singleReplicaMinPeers: z.number().int().positive().default(3),
      /** A single-replica binary run this many times, one replica at a time … */
      singletonMinRuns: z.number().int().positive().default(3),
      /** … over at least this span is learned as a singleton task (a leader's job), shown for review. */
      singletonMinSpan: Duration.prefault("10m"),
      /** Window of exec activity compared across the replicas of a workload. */
      replicaWindow: Duration.prefault("5m"),
      /** How often (event time) each workload container's replicas are compared. */
      replicaCheckEvery: Duration.prefault("1m"),
      /** A known executable's count and last-seen are written to Redis at most this often (any other change at once). */
      entryFlush: Duration.prefault("15m"),
      /** A low single-replica finding (no risk feature) waits this long, dropped if a peer runs the binary too. */
      reviewHold: Duration.prefault("30m"),
      /** Repeats of one finding (same dedupKey) within this span are rolled up, not sent. */
      cooldown: Duration.prefault("10m"),
      /** Baselines kept in memory; others are reloaded from Redis when their workload runs something. */
      maxCachedBaselines: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  kubernetes: z
    .strictObject({
      /** auto: read workload labels and annotations from the API server when running in a pod; false: pod labels from events only. */
      enabled: z.union([z.literal("auto"), z.boolean()]).default("auto"),
    })
    .prefault({}),
  findingLog: z
    .strictObject({
      /** Also record findings in the capped Redis stream <prefix>findings, for `outlier findings`. */
      enabled: z.boolean().default(true),
      maxLen: z.number().int().positive().default(FINDING_LOG_MAX_LEN),
    })
    .prefault({}),
  http: HttpListenSchema.prefault({}),
});

export type DetectorConfig = z.infer<typeof DetectorConfigSchema>;

/** Defaults < YAML file < OUTLIER_DETECTOR_* env. */
export function loadDetectorConfig(file: string | undefined, env: NodeJS.ProcessEnv): DetectorConfig {
  return loadConfig(DetectorConfigSchema, { file, env, prefix: ENV_PREFIX });
}
