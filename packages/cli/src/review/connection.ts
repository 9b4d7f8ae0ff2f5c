import { readFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import {
  DEFAULT_REDIS_PREFIX,
  OutlierRedis,
  type BaselineStore,
  type FindingLog,
  type LabelIndex,
  type ReplicaSnapshotStore,
} from "@outlier/store";
import { CliError, EXIT } from "./errors.ts";

export interface StoreOptions {
  redis: string;
  redisUser?: string;
  redisPasswordFile?: string;
  redisTls?: boolean;
  redisCa?: string;
  prefix: string;
}

/** Everything the review commands read and write, on one Redis connection. */
export interface Stores {
  baselines: BaselineStore;
  labels: LabelIndex;
  snapshots: ReplicaSnapshotStore;
  findings: FindingLog;
  close(): Promise<void>;
}

export const STORE_HELP = `
Redis (the one the detectors use):
  --redis URL (or REDIS_URL), default redis://127.0.0.1:6379; rediss:// for TLS
  --redis-user NAME for an ACL user; the password from --redis-password-file or REDIS_PASSWORD
  --redis-tls, --redis-ca FILE for TLS with a private CA; --prefix when the detectors use one`;

/** The Redis connection options shared by every review command. */
export function addStoreOptions(command: Command): Command {
  return addRedisAccessOptions(command.addOption(new Option("--redis <url>", "Redis URL").env("REDIS_URL").default("redis://127.0.0.1:6379")));
}

/** How to reach the detectors' Redis besides its URL; `outlier replay`, whose --redis is optional, takes these too. */
export function addRedisAccessOptions(command: Command): Command {
  return command
    .option("--redis-user <name>", "Redis ACL user")
    .option("--redis-password-file <file>", "file holding the Redis password (else REDIS_PASSWORD)")
    .option("--redis-tls", "connect with TLS")
    .option("--redis-ca <file>", "CA certificate for TLS")
    .option("--prefix <prefix>", "key prefix the detectors use", DEFAULT_REDIS_PREFIX);
}

/** Connects, runs `use`, and always closes; an unreachable Redis is a usage error (exit 2). */
export async function withStores<T>(options: StoreOptions, use: (stores: Stores) => Promise<T>): Promise<T> {
  const stores = await openStores(options);
  try {
    return await use(stores);
  } finally {
    await stores.close();
  }
}

async function openStores(options: StoreOptions): Promise<Stores> {
  const redis = await openRedis(options);
  const baselines = redis.baselines();
  return {
    baselines,
    labels: redis.labels(),
    snapshots: redis.replicaSnapshots(),
    findings: redis.findingLog(),
    close: () => baselines.close(), // quits the shared client
  };
}

/** The detectors' Redis as the options name it (the same factory the services use); failing to connect is a usage error (exit 2). */
export async function openRedis(options: StoreOptions): Promise<OutlierRedis> {
  const password = await redisPassword(options.redisPasswordFile);
  const connection = { url: options.redis, username: options.redisUser, password, tls: options.redisTls ?? false, caFile: options.redisCa, prefix: options.prefix };
  return OutlierRedis.open(connection).catch((e: Error) => {
    throw new CliError(e.message, EXIT.usage);
  });
}

async function redisPassword(file: string | undefined): Promise<string | undefined> {
  if (!file) return process.env.REDIS_PASSWORD || undefined;
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (e) {
    throw new CliError(`cannot read the Redis password file ${file}: ${(e as Error).message}`, EXIT.usage);
  }
}
