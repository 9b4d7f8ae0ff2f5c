import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { BatchingProducer, createKafka, KafkaProducer, kafkaOptionsFrom } from "@outlier/bus";
import { createHttpServer, type HttpServerOptions, type Readiness } from "@outlier/service-kit";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { CollectorConfig } from "./config.ts";
import { createEnrichment } from "./enrichment.ts";
import { createIngest } from "./ingest.ts";
import { KafkaHealth } from "./kafka-health.ts";
import { createCollectorMetrics, registerGauges } from "./metrics.ts";
import { createSources } from "./sources/index.ts";

export interface CollectorOptions {
  config: CollectorConfig;
  logger: Logger;
  /** The process registry (createMetrics("outlier_collector_")). */
  registry: Registry;
  env?: NodeJS.ProcessEnv;
}

export interface Collector {
  /** The listening HTTP server: /healthz, /readyz, /metrics and the receivers. */
  readonly app: FastifyInstance;
  readonly port: number;
  readiness(): Readiness;
  /** Stops the sources, releases held events, waits for in-flight requests, and flushes the producer. */
  stop(): Promise<void>;
}

/** config → Kafka producer → enricher → ingest → sources → HTTP server, started. */
export async function startCollector({ config, logger, registry, env = process.env }: CollectorOptions): Promise<Collector> {
  const metrics = createCollectorMetrics(registry);
  const kafka = createKafka(kafkaOptionsFrom(config.kafka, logger.child({ component: "kafka" })));
  const health = new KafkaHealth(() => producer.counters.sent);
  const producer = new BatchingProducer(new KafkaProducer(kafka), {
    ...config.producer,
    onRetry(error, attempt, delayMs) {
      metrics.producerRetries.inc();
      health.failed(error);
      logger.warn({ err: error, attempt, delayMs }, "produce failed; retrying the batch");
    },
    onDropped(count, reason) {
      metrics.producerDropped.inc(count);
      logger.error({ count, reason }, "records dropped at shutdown");
    },
  });
  const enrichment = createEnrichment(config, { logger, metrics, env });
  registerGauges(registry, { producerBuffered: () => producer.counters.buffered, enrichPending: enrichment.pending, podCache: enrichment.informer });

  const ingest = createIngest({
    cluster: config.cluster,
    node: config.nodeName,
    topics: config.kafka.topics,
    producer,
    enricher: enrichment.enricher,
    metrics,
    logger,
  });
  const readiness = (): Readiness => (producer.saturated ? { ready: false, reason: "producer buffer full" } : health.check());
  const app = createHttpServer({ logger, registry, readiness, tls: httpTls(config) });
  const sources = createSources(config, { ingest, logger, metrics, http: app });

  void health.contact(kafka, logger);
  enrichment.start();
  await app.listen({ port: config.http.port, host: config.http.host });
  for (const source of sources) await source.start();
  const port = (app.server.address() as AddressInfo).port;
  logger.info({ port, sources: sources.map((s) => s.name), cluster: config.cluster, node: config.nodeName }, "collector started");

  return {
    app,
    port,
    readiness,
    async stop() {
      health.stop();
      await Promise.all(sources.map((source) => source.stop()));
      await enrichment.stop();
      await app.close();
      await producer.close();
      logger.info({ ...producer.counters }, "collector stopped");
    },
  };
}

function httpTls({ http }: CollectorConfig): HttpServerOptions["tls"] {
  if (!http.tls) return undefined;
  return {
    cert: readFileSync(http.tls.certFile),
    key: readFileSync(http.tls.keyFile),
    ...(http.tls.clientCaFile ? { ca: readFileSync(http.tls.clientCaFile) } : {}),
  };
}
