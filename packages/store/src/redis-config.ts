import { z } from "zod";

/** The key prefix of every Outlier key unless configured otherwise; services and the CLI share it. */
export const DEFAULT_REDIS_PREFIX = "outlier:";

/**
 * The connection part of a service's `redis` config; services `.extend` it with their own keys.
 * Its fields are connectRedis's options: `connectRedis(conn.url, conn)`.
 */
export const RedisConnectionSchema = z.strictObject({
  /** redis:// or rediss:// (TLS); no password in the URL. */
  url: z.string().min(1).default("redis://localhost:6379"),
  /** ACL user. Give the password as <PREFIX>_REDIS_PASSWORD_FILE (a mounted secret), never in YAML. */
  username: z.string().min(1).optional(),
  password: z.string().min(1).optional(),
  /** TLS to Redis (also implied by a rediss:// URL); caFile verifies a private CA. */
  tls: z.boolean().default(false),
  caFile: z.string().min(1).optional(),
  /** Key prefix shared with the CLI; change it only to run several installations on one Redis. */
  prefix: z.string().default(DEFAULT_REDIS_PREFIX),
});

export type RedisConnection = z.infer<typeof RedisConnectionSchema>;
