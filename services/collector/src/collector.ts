import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { BATCH_MARGIN_BYTES, BatchingProducer, createKafka, KafkaProducer, kafkaMessageLimit, kafkaOptionsFrom, type OutRecord } from "@outlier/bus";
import { createHttpServer, startHttpServer, type HttpServerOptions, type Readiness } from "@outlier/service-kit";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { CollectorConfig } from "./config.ts";
import { createEnrichment } from "./enrichment.ts";
import { createIngest } from "./ingest.ts";
import { KafkaHealth } from "./kafka-health.ts";
import { createCollectorMetrics, registerGauges } from "./metrics.ts";
import { deadLetterRecord } from "./records.ts";
import { createSources } from "./sources/index.ts";

export interface CollectorOptions {
  config: CollectorConfig;
  logger: Logger;
  /** The process registry (createMetrics("outlier_collector_")). */
  registry: Registry;
  env?: NodeJS.ProcessEnv;
}

export interface Collector {
  /** The listening HTTP server: the receivers, and /healthz, /readyz and /metrics unless http.metricsPort is set. */
  readonly app: FastifyInstance;
  readonly port: number;
  /** Where /healthz, /readyz and /metrics are served: `port`, or http.metricsPort's server. */
  readonly metricsPort: number;
  readiness(): Readiness;
  /** Stops the sources, releases held events, waits for in-flight requests, and flushes the producer. */
  stop(): Promise<void>;
}

/** config → Kafka producer → enricher → ingest → sources → HTTP server, started. */
export async function startCollector({ config, logger, registry, env = process.env }: CollectorOptions): Promise<Collector> {
  const metrics = createCollectorMetrics(registry);
  const kafka = createKafka(kafkaOptionsFrom(config.kafka, logger.child({ component: "kafka" })));
  const health = new KafkaHealth(() => producer.counters.sent);
  const { maxRecordBytes, ...batching } = config.producer;
  const producer = new BatchingProducer(new KafkaProducer(kafka), {
    ...batching,
    onTooLarge(record, error): OutRecord {
      // Kafka refused it even alone (a topic limit under maxRecordBytes): dead-lettered with its start, never retried.
      metrics.rejected.inc({ source: "kafka", code: "record_too_large" });
      logger.warn({ err: error, topic: record.topic, key: record.key, bytes: Buffer.byteLength(record.value) }, "record refused by Kafka as too large; dead-lettered");
      const message = `Kafka refused a record of ${Buffer.byteLength(record.value)} bytes for ${record.topic} as too large`;
      return deadLetterRecord({ cluster: config.cluster, code: "record_too_large", message, source: `kafka:${record.topic}`, payload: record.value }, config.kafka.topics);
    },
    onRetry(error, attempt, delayMs) {
      metrics.producerRetries.inc();
      health.failed();
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
    falcoExecRules: config.falco.execRules,
    topics: config.kafka.topics,
    producer,
    enricher: enrichment.enricher,
    metrics,
    logger,
    maxRecordBytes,
  });
  const readiness = (): Readiness => (producer.saturated ? { ready: false, reason: "producer buffer full" } : health.check());
  const { http } = config;
  const separateMetrics = http.metricsPort !== undefined;
  const limits = { requestTimeoutMs: http.requestTimeoutMs, idleTimeoutMs: http.idleTimeoutMs, maxConnections: http.maxConnections };
  const app = createHttpServer({ logger, registry, readiness, tls: httpTls(config), limits, healthRoutes: !separateMetrics });
  const sources = createSources(config, { ingest, logger, metrics, http: app });

  void health.contact(kafka, logger).then(() => limitBatchesToKafka(kafka, producer, config, logger));
  enrichment.start();
  await app.listen({ port: http.port, host: http.host });
  // Probes and scrapes on a port of their own still answer while the receivers' port is flooded.
  const metricsApp = http.metricsPort === undefined ? undefined : await startHttpServer({ logger, registry, readiness, port: http.metricsPort, host: http.host, limits });
  for (const source of sources) await source.start();
  const port = (app.server.address() as AddressInfo).port;
  const metricsPort = metricsApp ? (metricsApp.server.address() as AddressInfo).port : port;
  logger.info({ port, sources: sources.map((s) => s.name), cluster: config.cluster, node: config.nodeName }, "collector started");

  return {
    app,
    port,
    metricsPort,
    readiness,
    async stop() {
      health.stop();
      await Promise.all(sources.map((source) => source.stop()));
      await enrichment.stop();
      await app.close();
      await metricsApp?.close();
      await producer.close();
      logger.info({ ...producer.counters }, "collector stopped");
    },
  };
}

/** Lowers the producer's batch bytes under what the broker and our topics accept, once Kafka answered. */
async function limitBatchesToKafka(kafka: ReturnType<typeof createKafka>, producer: BatchingProducer, config: CollectorConfig, logger: Logger): Promise<void> {
  try {
    const limit = await kafkaMessageLimit(kafka, Object.values(config.kafka.topics));
    if (limit === undefined) return;
    producer.limitBatchBytes(Math.max(16 * 1024, limit - BATCH_MARGIN_BYTES));
    const { maxBatchBytes } = producer;
    if (config.producer.maxRecordBytes > maxBatchBytes) logger.warn({ maxRecordBytes: config.producer.maxRecordBytes, maxBatchBytes }, "producer.maxRecordBytes is over what Kafka accepts in a batch: larger records will be dead-lettered");
    logger.info({ kafkaMessageLimit: limit, maxBatchBytes }, "produce batches sized to Kafka's message limit");
  } catch (err) {
    logger.warn({ err }, "could not read Kafka's message limit; batches stay at producer.maxBatchBytes");
  }
}

function httpTls({ http }: CollectorConfig): HttpServerOptions["tls"] {
  if (!http.tls) return undefined;
  return {
    cert: readFileSync(http.tls.certFile),
    key: readFileSync(http.tls.keyFile),
    ...(http.tls.clientCaFile ? { ca: readFileSync(http.tls.clientCaFile) } : {}),
  };
}
