import type { AddressInfo } from "node:net";
import {
  createKafka,
  ensureTopics,
  KafkaConsumer,
  KafkaProducer,
  kafkaOptionsFrom,
  LagMonitor,
  type Consumer,
  type HandleResult,
  type InRecord,
  type OutRecord,
  type Producer,
} from "@outlier/bus";
import { findingRecord, type Finding, type RejectCode, type TopicNames } from "@outlier/contracts";
import { Detector, type DetectorDeps, type DetectorEvent, type DetectorOptions } from "@outlier/detector";
import { connectionEventCounter, createHttpServer, registerConnectionGauges, type Readiness } from "@outlier/service-kit";
import {
  OutlierRedis,
  watchRedis,
  type BaselineStore,
  type FindingLog,
  type RedisBaselineStore,
  type RedisFindingLog,
  type RedisReplicaSnapshotStore,
  type RedisSeenSet,
  type ReplicaSnapshotStore,
} from "@outlier/store";
import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { DetectorConfig } from "./config.ts";
import { createDetectorMetrics, registerGauges, type DetectorMetrics } from "./metrics.ts";
import { deadLetterRecord, parseRecord } from "./records.ts";
import { createWorkloadMetaSource } from "./workload-meta.ts";

export interface DetectorServiceDeps {
  consumer: Consumer;
  producer: Producer;
  store: BaselineStore;
  findingLog?: FindingLog;
  /** A detector whose state is only what the store holds: at start, and after a failed batch. */
  newDetector: () => Detector;
  /** Where the review CLI asks for a replica window, which this detector then writes. */
  replicaSnapshots?: ReplicaSnapshotStore;
  topics: TopicNames;
  groupId: string;
  fromBeginning?: boolean;
  metrics: DetectorMetrics;
  logger: Logger;
}

/**
 * Runtime and audit topics → Detector → findings topic, at least once: a batch's
 * offsets are committed only after its baseline changes are in the store and its
 * findings and dead letters are acknowledged by Kafka (and in the finding log).
 */
export class DetectorService {
  readonly #deps: DetectorServiceDeps;
  #detector: Detector;
  /** Where the events the detector defers are on the bus, by event id. */
  readonly #deferredAt = new Map<string, InRecord>();
  #consuming = false;
  #unsubscribe: (() => Promise<void>) | undefined;
  #stopListening: (() => Promise<void>) | undefined;

  constructor(deps: DetectorServiceDeps) {
    this.#deps = deps;
    this.#detector = deps.newDetector();
  }

  get detector(): Detector {
    return this.#detector;
  }

  /** True once the consumer joined its group, until stop(). */
  get consuming(): boolean {
    return this.#consuming;
  }

  async start(): Promise<void> {
    const { consumer, store, topics, groupId, fromBeginning } = this.#deps;
    // A person's decision in the CLI reaches this detector at once.
    this.#unsubscribe = await store.subscribe((key) => this.#detector.invalidate(key));
    this.#stopListening = await this.#deps.replicaSnapshots?.listen((key) => {
      this.#detector.writeReplicaSnapshot(key).catch((error: unknown) => this.#deps.logger.warn({ err: error, baseline: key }, "could not write a replica window the CLI asked for"));
    });
    await consumer.run({
      topics: [topics.runtime, topics.audit],
      groupId,
      fromBeginning,
      handle: (batch) => this.handle(batch),
      // After a rebalance this member may get back workloads another member changed meanwhile:
      // start from the store again rather than from baselines cached before.
      onAssigned: () => {
        this.#replaceDetector();
        this.#deps.logger.info("partitions assigned; detector state reloads from the store");
      },
    });
    this.#consuming = true;
  }

  /**
   * Handles one batch of one partition; resolving lets the consumer commit it, up to the
   * first record of the partition whose event the detector still defers.
   */
  async handle(batch: InRecord[]): Promise<HandleResult | undefined> {
    const { metrics, topics } = this.#deps;
    const endTimer = metrics.batchDuration.startTimer();
    const events: DetectorEvent[] = [];
    const eventOf: (DetectorEvent | undefined)[] = [];
    const out: OutRecord[] = [];
    const rejected: RejectCode[] = [];
    for (const record of batch) {
      const parsed = parseRecord(record, topics);
      eventOf.push(parsed.ok ? parsed.value : undefined);
      if (parsed.ok) events.push(parsed.value);
      else {
        rejected.push(parsed.code);
        out.push(deadLetterRecord(record, parsed, topics));
      }
    }
    const { findings, persisted } = await this.#guard("detect", () => this.#detector.judge(events));
    out.push(...findings.map((f) => findingRecord(topics.findings, f)));
    // Baselines to Redis and findings to Kafka at the same time; the batch is committed when both are done.
    await this.#guard("write", () => allDone([persisted, this.#deps.producer.send(out), this.#deps.findingLog?.append(findings)]));
    this.#count(events, findings, rejected);
    endTimer();
    return this.#commitHint(batch, eventOf);
  }

  /**
   * A deferred exec (held for its kubectl exec's late audit event) is not judged yet: its
   * record must be read again after a crash, so the partition is committed only up to it.
   */
  #commitHint(batch: InRecord[], eventOf: (DetectorEvent | undefined)[]): HandleResult | undefined {
    const detector = this.#detector;
    if (detector.deferredCount > 0) {
      batch.forEach((record, i) => {
        const event = eventOf[i];
        if (event?.schema === "outlier.runtime.v1" && detector.isDeferred(event.id)) this.#deferredAt.set(event.id, record);
      });
    }
    const { topic, partition } = batch[0]!;
    let lowest: bigint | undefined;
    for (const [id, at] of this.#deferredAt) {
      if (!detector.isDeferred(id)) this.#deferredAt.delete(id);
      else if (at.topic === topic && at.partition === partition && (lowest === undefined || BigInt(at.offset) < lowest)) lowest = BigInt(at.offset);
    }
    return lowest === undefined ? undefined : { commitOffset: lowest.toString() };
  }

  /** A fresh detector that loads from the store, taking over the execs the old one still defers. */
  #replaceDetector(): void {
    const next = this.#deps.newDetector();
    next.adoptDeferred(this.#detector);
    this.#detector = next;
  }

  /** Leaves the group after the batch in hand (committed if it succeeds); the rest goes to the next owner. */
  async stop(): Promise<void> {
    this.#consuming = false;
    await this.#deps.consumer.stop();
    await this.#unsubscribe?.();
    await this.#stopListening?.();
  }

  /**
   * A failed batch is redelivered. The detector has already applied it to its
   * memory (cache, cooldown), where a redelivery would look like a repeat and be
   * rolled up: so it is replaced by one that starts again from the store.
   */
  async #guard<T>(stage: "detect" | "write", work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.#deps.metrics.batchFailures.inc({ stage });
      this.#deps.logger.warn({ err: error, stage }, "batch failed; it will be redelivered to a detector reloaded from the store");
      this.#replaceDetector();
      throw error;
    }
  }

  /** Counted per batch, then added once per label set: prom-client's labelled inc is too dear per event. */
  #count(events: DetectorEvent[], findings: Finding[], rejected: RejectCode[]): void {
    const { metrics } = this.#deps;
    for (const [type, n] of tally(events, (e) => (e.schema === "outlier.audit.v1" ? "audit" : e.type))) metrics.eventsConsumed.inc({ type }, n);
    for (const f of findings) metrics.findings.inc({ type: f.type, severity: f.severity });
    for (const code of rejected) metrics.deadLetters.inc({ code });
  }
}

export interface StartOptions {
  config: DetectorConfig;
  logger: Logger;
  /** The process registry (createMetrics("outlier_detector_")). */
  registry: Registry;
}

export interface RunningDetector {
  readonly app: FastifyInstance;
  readonly port: number;
  readonly service: DetectorService;
  readiness(): Readiness;
  /** Stops consuming (the batch in hand finishes and is committed), then closes Kafka, Redis and HTTP. */
  stop(): Promise<void>;
}

/** config → Redis store and finding log → Kafka producer and consumer → DetectorService → HTTP server, started. */
export async function startDetectorService({ config, logger, registry }: StartOptions): Promise<RunningDetector> {
  const metrics = createDetectorMetrics(registry);
  const redis = await OutlierRedis.open(config.redis);
  watchRedis(redis.client, { logger: logger.child({ component: "redis" }), onChange: connectionEventCounter(registry, "outlier_detector_", "redis") });
  const workloadMeta = createWorkloadMetaSource(config.kubernetes.enabled, { logger, env: process.env });
  const { store, findingLog, replicaSnapshots, seen, newDetector } = redisParts(redis, config, workloadMeta.lookup);
  const kafkaLogger = logger.child({ component: "kafka" });
  const kafka = createKafka(kafkaOptionsFrom(config.kafka, kafkaLogger));
  await ensureTopics(kafka, Object.values(config.kafka.topics), config.kafka.createTopics, kafkaLogger);
  const producer = new KafkaProducer(kafka);
  const consumer = new KafkaConsumer(kafka, {
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    logger: kafkaLogger,
    onChange: connectionEventCounter(registry, "outlier_detector_", "kafka"),
  });
  const service = new DetectorService({
    consumer,
    producer,
    store,
    findingLog,
    newDetector,
    replicaSnapshots,
    topics: config.kafka.topics,
    groupId: config.kafka.groupId,
    fromBeginning: config.kafka.fromBeginning,
    metrics,
    logger,
  });
  registerGauges(registry, {
    storeRoundTrips: () => store.stats.roundTrips + (findingLog?.stats.roundTrips ?? 0) + seen.stats.roundTrips,
    cachedBaselines: () => service.detector.cachedBaselines,
    deferredExecs: () => service.detector.deferredCount,
    workloadMeta: () => workloadMeta.health() ?? { restarts: 0, lists: 0 },
  });
  const lag = new LagMonitor(kafka, { groupId: config.kafka.groupId, topics: [config.kafka.topics.runtime, config.kafka.topics.audit] });
  registerConnectionGauges(registry, "outlier_detector_", { kafkaConnected: () => lag.reachable, redisConnected: () => redis.client.status === "ready", consumerLag: () => lag.lags });
  const readiness = (): Readiness => {
    const kafkaReady = consumer.readiness();
    if (!kafkaReady.ready) return kafkaReady;
    if (redis.client.status !== "ready") return { ready: false, reason: `redis: ${redis.client.status}` };
    return { ready: true };
  };
  const app = createHttpServer({ logger, registry, readiness });
  await app.listen({ port: config.http.port, host: config.http.host });
  // Annotations set a workload's learning window: wait for them before judging events.
  workloadMeta.start();
  await workloadMeta.whenSynced(30_000);
  await service.start();
  lag.start();
  const port = (app.server.address() as AddressInfo).port;
  logger.info({ port, groupId: config.kafka.groupId, topics: config.kafka.topics }, "detector started");

  return {
    app,
    port,
    service,
    readiness,
    async stop() {
      await service.stop();
      await lag.stop();
      await workloadMeta.stop();
      await producer.close();
      await store.close();
      await app.close();
      logger.info({ stats: service.detector.stats.toJSON() }, "detector stopped");
    },
  };
}

export interface RedisParts {
  store: RedisBaselineStore;
  findingLog: RedisFindingLog | undefined;
  replicaSnapshots: RedisReplicaSnapshotStore;
  seen: RedisSeenSet;
  newDetector: () => Detector;
}

/** Everything the detector keeps in Redis, on one client (one pipeline per batch), as configured. */
export function redisParts(redis: OutlierRedis, config: DetectorConfig, workloadMeta?: DetectorDeps["workloadMeta"]): RedisParts {
  const store = redis.baselines();
  const findingLog = config.findingLog.enabled ? redis.findingLog({ maxLen: config.findingLog.maxLen }) : undefined;
  // Workload labels and the last replica windows, for the review CLI (`-l`, `outlier replicas`).
  const labels = redis.labels();
  const replicaSnapshots = redis.replicaSnapshots();
  // What stateful audit rules learned, and when they began learning: kept across restarts and shared by every detector.
  const seen = redis.seen({ learningMs: config.detector.learningWindow });
  const options = detectorOptions(config);
  return { store, findingLog, replicaSnapshots, seen, newDetector: () => new Detector({ store, labels, replicaSnapshots, workloadMeta, seen }, options) };
}

export function detectorOptions({ detector: d }: DetectorConfig): DetectorOptions {
  return {
    policy: {
      learningWindowMs: d.learningWindow,
      autoLock: d.autoLock,
      relearnWindowMs: d.relearnWindow,
      maxEntries: d.maxEntries,
      singleReplicaMinPeers: d.singleReplicaMinPeers,
      singletonMinRuns: d.singletonMinRuns,
      singletonMinSpanMs: d.singletonMinSpan,
    },
    replicaWindowMs: d.replicaWindow,
    replicaCheckEveryMs: d.replicaCheckEvery,
    entryFlushMs: d.entryFlush,
    cooldownMs: d.cooldown,
    reviewHoldMs: d.reviewHold,
    maxCachedBaselines: d.maxCachedBaselines,
  };
}

/** Like Promise.all, but settles only when every write has: a redelivery must not race a write still in flight. */
async function allDone(writes: (Promise<unknown> | undefined)[]): Promise<void> {
  const failed = (await Promise.allSettled(writes)).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
}

function tally<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
