import type { TestProject } from "vitest/node";
import { startKafkaBroker } from "./kafka.ts";
import { startRedis } from "./redis.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string[];
    redisUrl: string;
  }
}

/**
 * Gives the integration tests a real Kafka broker and redis-server: the ones named by
 * KAFKA_BROKERS (comma-separated host:port) and REDIS_URL, else ones started here.
 */
export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const [kafka, redis] = await Promise.all([
    process.env.KAFKA_BROKERS ? undefined : startKafkaBroker(),
    process.env.REDIS_URL ? undefined : startRedis(),
  ]);
  provide("kafkaBrokers", kafka?.brokers ?? parseBrokers(process.env.KAFKA_BROKERS ?? ""));
  provide("redisUrl", redis?.url ?? process.env.REDIS_URL ?? "");
  return async () => {
    await Promise.all([kafka?.dispose(), redis?.dispose()]);
  };
}

function parseBrokers(list: string): string[] {
  return list.split(",").map((b) => b.trim()).filter((b) => b.length > 0);
}
