import { kafkaConnectionSchema, TopicCreationSchema } from "@outlier/bus";
import { TOPICS } from "@outlier/contracts";
import { HttpListenSchema, loadConfig } from "@outlier/service-kit";
import { RedisConnectionSchema } from "@outlier/store";
import { z } from "zod";

/** Prefix of every environment override: redis.password → OUTLIER_ALERTER_REDIS_PASSWORD. */
export const ENV_PREFIX = "OUTLIER_ALERTER";

export const AlerterConfigSchema = z.strictObject({
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** The routing file (docs/routing.md). Secrets are never in it: sinks read them from env vars or files. */
  routesFile: z.string().min(1).default("/etc/outlier/routes.yaml"),
  kafka: kafkaConnectionSchema("outlier-alerter")
    .extend({
      groupId: z.string().min(1).default("outlier-alerter"),
      /** Where the group starts when it has no committed offset: the oldest finding (true) or new ones only. */
      fromBeginning: z.boolean().default(false),
      /** Missing topics are created at start-up with these settings (docs/alerter.md). */
      createTopics: TopicCreationSchema.prefault({}),
      /**
       * Group members in this process. Each handles its partitions' batches one at a time,
       * and a batch waits for its groups to be delivered; more members let the findings of
       * other partitions go on meanwhile. Set it to the partitions one replica may own.
       */
      consumers: z.number().int().positive().default(3),
      /** A member silent this long is dropped from the group and its partitions go to the others. */
      sessionTimeoutMs: z.number().int().positive().default(30_000),
      topics: z
        .strictObject({
          findings: z.string().min(1).default(TOPICS.findings),
          deadletter: z.string().min(1).default(TOPICS.deadletter),
        })
        .prefault({}),
    })
    .prefault({}),
  redis: RedisConnectionSchema
    .extend({
      /** How long a delivery is remembered; longer than the findings topic's retention is pointless. */
      deliveredTtlSeconds: z.number().int().positive().default(7 * 24 * 3600),
    })
    .prefault({}),
  /** Per-sink resilience (packages/sinks resilient): every sink gets these. */
  delivery: z
    .strictObject({
      timeoutMs: z.number().int().positive().default(10_000),
      /** Attempts for failures (5xx, timeouts); 429s do not count, see maxRateLimitedMs. */
      maxAttempts: z.number().int().positive().default(5),
      /** How long one delivery waits out a 429 storm (Retry-After honoured) before it is dead-lettered. */
      maxRateLimitedMs: z.number().int().min(0).default(600_000),
      initialDelayMs: z.number().int().positive().default(500),
      maxDelayMs: z.number().int().positive().default(30_000),
      maxRetryAfterMs: z.number().int().positive().default(120_000),
      breakerFailures: z.number().int().positive().default(5),
      halfOpenAfterMs: z.number().int().positive().default(30_000),
    })
    .prefault({}),
  grouping: z
    .strictObject({
      /** How often due groups are flushed; a group waits at most this much past its group_wait. */
      tickMs: z.number().int().positive().default(250),
      maxGroups: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  http: HttpListenSchema.prefault({}),
});

export type AlerterConfig = z.infer<typeof AlerterConfigSchema>;

/** Defaults < YAML file < OUTLIER_ALERTER_* env (and *_FILE for secrets). */
export function loadAlerterConfig(file: string | undefined, env: NodeJS.ProcessEnv): AlerterConfig {
  return loadConfig(AlerterConfigSchema, { file, env, prefix: ENV_PREFIX });
}
