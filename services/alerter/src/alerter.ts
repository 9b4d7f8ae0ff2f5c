import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createKafka, ensureTopics, KafkaConsumer, KafkaProducer, kafkaOptionsFrom, LagMonitor, type InRecord } from "@outlier/bus";
import { envelope } from "@outlier/contracts";
import { loadRoutes, type RoutingConfig } from "@outlier/routing";
import { connectionEventCounter, createHttpServer, registerConnectionGauges, type Readiness } from "@outlier/service-kit";
import { secretResolver } from "@outlier/sinks";
import { OutlierRedis, redactUrl, watchRedis } from "@outlier/store";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { AlerterConfig } from "./config.ts";
import { Dispatcher } from "./dispatcher.ts";
import { createAlerterMetrics, registerGauges } from "./metrics.ts";
import { buildSinks, closeSinks } from "./sinks.ts";

export interface AlerterOptions {
  config: AlerterConfig;
  logger: Logger;
  /** The process registry (createMetrics("outlier_alerter_")). */
  registry: Registry;
  /** Where sinks read their secrets (`*_env` in the routing file); process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export interface Alerter {
  /** The listening HTTP server: /healthz, /readyz, /metrics. */
  readonly app: FastifyInstance;
  readonly port: number;
  readiness(): Readiness;
  /** Releases waiting findings uncommitted, finishes deliveries under way, leaves the group, closes everything. */
  stop(): Promise<void>;
}

/** Reads and validates the routing file; throws RoutesError pointing at the line. */
export function readRoutes(file: string): RoutingConfig {
  return loadRoutes(readFileSync(file, "utf8"), { fileName: file });
}

/** config → routes → Redis, Kafka, sinks → dispatcher → consumer and HTTP server, started. */
export async function startAlerter({ config, logger, registry, env = process.env }: AlerterOptions): Promise<Alerter> {
  const routes = readRoutes(config.routesFile);
  const metrics = createAlerterMetrics(registry);
  const { redis: r, kafka: k } = config;
  const redis = await OutlierRedis.open(r);
  watchRedis(redis.client, { logger: logger.child({ component: "redis" }), onChange: connectionEventCounter(registry, "outlier_alerter_", "redis") });
  const delivered = redis.delivered({ ttlMs: r.deliveredTtlSeconds * 1000 });
  const kafkaLogger = logger.child({ component: "kafka" });
  const kafka = createKafka(kafkaOptionsFrom(k, kafkaLogger));
  await ensureTopics(kafka, [k.topics.findings, k.topics.deadletter], k.createTopics, kafkaLogger);
  const producer = new KafkaProducer(kafka);
  const sinks = buildSinks(routes, { secrets: secretResolver({ env }), producer, deadletterTopic: k.topics.deadletter, delivery: config.delivery, metrics, logger });

  const dispatcher = new Dispatcher({
    routes,
    sinks,
    delivered,
    metrics,
    logger,
    maxGroups: config.grouping.maxGroups,
    deadLetter: (records) =>
      producer.send(records.map((letter) => envelope(k.topics.deadletter, letter.source, letter))),
  });
  registerGauges(registry, { pending: () => dispatcher.pending });
  const lag = new LagMonitor(kafka, { groupId: k.groupId, topics: [k.topics.findings] });
  registerConnectionGauges(registry, "outlier_alerter_", { kafkaConnected: () => lag.reachable, redisConnected: () => redis.client.status === "ready", consumerLag: () => lag.lags });
  const ticker = setInterval(() => dispatcher.flushDue(), config.grouping.tickMs);

  const onChange = connectionEventCounter(registry, "outlier_alerter_", "kafka");
  const consumers = Array.from({ length: k.consumers }, () => new KafkaConsumer(kafka, { sessionTimeoutMs: k.sessionTimeoutMs, logger: kafkaLogger, onChange }));
  // Every member must be in the group and hear from the broker: one down leaves its partitions unread until a rebalance.
  const readiness = (): Readiness => consumers.map((consumer) => consumer.readiness()).find((r) => !r.ready) ?? { ready: true };
  const app = createHttpServer({ logger, registry, readiness });
  await app.listen({ port: config.http.port, host: config.http.host });
  // Joining together, the members share one rebalance instead of one each.
  const handle = (batch: InRecord[]) => dispatcher.handle(batch);
  await Promise.all(consumers.map((consumer) => consumer.run({ topics: [k.topics.findings], groupId: k.groupId, fromBeginning: k.fromBeginning, handle })));
  lag.start();
  const port = (app.server.address() as AddressInfo).port;
  logger.info({ port, receivers: [...sinks.keys()], topic: k.topics.findings, groupId: k.groupId, redis: redactUrl(r.url) }, "alerter started");

  return {
    app,
    port,
    readiness,
    async stop() {
      clearInterval(ticker);
      await dispatcher.stop();
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await lag.stop();
      await closeSinks(sinks);
      await producer.close();
      await redis.close();
      await app.close();
      logger.info("alerter stopped");
    },
  };
}
