/**
 * pnpm bench:detector — how much of the bare consume rate the detector keeps.
 *
 * Produces BENCH_EVENTS (default 200,000) normalized process_exec events of BENCH_WORKLOADS
 * (default 1,000) Deployments — one or two containers each, three replicas, each container
 * with its own weighted set of binaries, two hours of event time (the first hour learning)
 * and a few unexpected binaries after the lock — to a fresh topic. Then, in fresh consumer
 * groups: (1) consume only: read + parse (schema header + zod) + commit; (2) the detector
 * service: read + parse + detect + Redis writes + produce findings + commit. The two passes
 * alternate BENCH_ROUNDS times (default 3) and the fastest of each counts, so other load on
 * the machine hits both alike. Prints events/s of both and their ratio (target ≥ 0.5), Redis
 * round trips per event over the second half (target ≤ 0.01), and the heap the detector
 * holds per 1,000 baselines after GC (target ≤ 24 MB). Kafka and Redis: KAFKA_BROKERS /
 * REDIS_URL, else started by the test harness. Results on stdout, progress on stderr. Runs
 * with the services' Node flags and --expose-gc (the package script passes them).
 * BENCH_CPU_PROFILE=<file.cpuprofile> profiles the first pass (2) (open it in Chrome DevTools).
 */
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createKafka, KafkaConsumer, KafkaProducer, type OutRecord } from "../packages/bus/src/index.ts";
import { SCHEMA_HEADER, stableId, timeFromMillis, TOPICS, type RuntimeEvent } from "../packages/contracts/src/index.ts";
import { createLogger, createMetrics } from "../packages/service-kit/src/index.ts";
import { OutlierRedis } from "../packages/store/src/index.ts";
import { createDetectorMetrics, DetectorConfigSchema, DetectorService, parseRecord, redisParts } from "../services/detector/src/index.ts";
import { startKafkaBroker, type KafkaBroker } from "../test/harness/kafka.ts";
import { startRedis, type RedisServer } from "../test/harness/redis.ts";
import { createTopics, uniqueTopic } from "../test/harness/topics.ts";
import { createRandom, type Random } from "./lib/random.ts";
import { printTable } from "./lib/table.ts";
import { machine, measure, progress, type Measurement } from "./lib/timing.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WORKLOADS = Number(process.env.BENCH_WORKLOADS ?? 1_000);
const PARTITIONS = 3;
const HOURS = 2;
const T0 = Date.parse("2026-01-01T00:00:00Z");
/** After the lock, this share of execs is a binary the container never ran. */
const UNEXPECTED_SHARE = 0.0005;

const logger = createLogger({ level: "warn", name: "bench-detector", destination: process.stderr });
const gc = (globalThis as { gc?: () => void }).gc;

interface Container {
  workload: string;
  namespace: string;
  name: string;
  digest: string;
  pods: string[];
  /** The node of each pod. */
  nodes: string[];
  /** The container's binaries, most frequent first, with cumulative weights. */
  binaries: { path: string; parent: string; cumulative: number }[];
}

const POOL = [
  "/usr/local/bin/server", "/usr/bin/java", "/usr/bin/python3", "/usr/bin/node", "/bin/sh", "/bin/bash", "/usr/bin/env",
  "/usr/bin/curl", "/bin/cat", "/bin/grep", "/usr/bin/awk", "/bin/sed", "/bin/date", "/usr/bin/tr", "/bin/ls", "/usr/bin/wget",
  "/usr/local/bin/healthcheck", "/usr/local/bin/migrate", "/usr/sbin/nginx", "/usr/bin/openssl", "/usr/bin/jq", "/bin/sleep",
  "/usr/bin/pg_isready", "/usr/bin/redis-cli", "/usr/local/bin/envoy", "/usr/bin/tini", "/usr/bin/dumb-init", "/bin/hostname",
];
const NAMESPACES = ["shop", "payments", "platform", "search", "data", "monitoring", "identity", "ingress"];

function containers(random: Random): Container[] {
  const out: Container[] = [];
  for (let w = 0; w < WORKLOADS; w++) {
    const workload = `svc-${w.toString(36)}`;
    const namespace = random.pick(NAMESPACES);
    const hash = random.chars("bcdfghjklmnpqrstvwxz2456789", 10);
    const pods = [0, 1, 2].map(() => `${workload}-${hash}-${random.chars("bcdfghjklmnpqrstvwxz2456789", 5)}`);
    const nodes = pods.map(() => `node-${random.int(1, 40)}`);
    const names = random.next() < 0.3 ? ["app", "sidecar"] : ["app"];
    for (const name of names) {
      const count = random.int(3, 10);
      const picked = [...new Set(Array.from({ length: count }, () => random.pick(POOL)))];
      // The entrypoint runs most, probes and tools less.
      const weights = picked.map((_, i) => 1 / Math.sqrt(i + 1));
      const total = weights.reduce((a, b) => a + b, 0);
      let sum = 0;
      const binaries = picked.map((path, i) => ({ path, parent: i === 0 ? "/usr/bin/containerd-shim-runc-v2" : picked[0]!, cumulative: (sum += weights[i]! / total) }));
      out.push({ workload, namespace, name, digest: `sha256:${random.chars("0123456789abcdef", 64)}`, pods, nodes, binaries });
    }
  }
  return out;
}

/** Event `i` of `total`, in event-time order: a random container's random pod runs one of its binaries. */
function event(random: Random, all: Container[], i: number, total: number): RuntimeEvent {
  const ms = T0 + Math.floor((i / total) * HOURS * 3_600_000);
  const c = random.pick(all);
  const replica = random.int(0, c.pods.length - 1);
  const pod = c.pods[replica]!;
  const roll = random.next();
  const locked = ms - T0 > 3_600_000;
  const binary = locked && roll < UNEXPECTED_SHARE ? { path: `/tmp/.x-${i.toString(36)}`, parent: "/bin/sh" } : c.binaries.find((b) => roll <= b.cumulative) ?? c.binaries[0]!;
  const time = timeFromMillis(ms);
  return {
    schema: "outlier.runtime.v1",
    id: stableId("bench", String(i)),
    source: "tetragon",
    type: "process_exec",
    sourceKind: "process_exec",
    time,
    cluster: "bench",
    node: c.nodes[replica]!,
    pod: {
      namespace: c.namespace,
      name: pod,
      uid: stableId(pod).slice(0, 8),
      labels: { app: c.workload, "pod-template-hash": pod.split("-")[2] ?? "" },
      container: { name: c.name, id: `containerd://${stableId(pod, c.name)}`, image: `registry.example.com/${c.workload}:1.4.2`, imageDigest: c.digest },
    },
    workload: { kind: "Deployment", name: c.workload, resolvedBy: "tetragon-workload" },
    process: {
      binary: binary.path,
      args: random.next() < 0.5 ? "--config /etc/app/config.yaml" : "",
      pid: random.int(100, 60_000),
      uid: 1000,
      cwd: "/app",
      inInitTree: true,
      parent: { binary: binary.parent, pid: random.int(1, 99) },
      ancestors: [binary.parent],
    },
  };
}

async function produceEvents(brokers: string[], topic: string): Promise<{ bytes: number; containers: number }> {
  const random = createRandom(7);
  const all = containers(random);
  const producer = new KafkaProducer(createKafka({ brokers, clientId: "bench-feeder", logger: logger.child({ component: "kafka" }) }));
  const report = progress("producing events", EVENTS);
  let bytes = 0;
  try {
    for (let i = 0; i < EVENTS; ) {
      const batch: OutRecord[] = [];
      for (const end = Math.min(EVENTS, i + 2_000); i < end; i++) {
        const e = event(random, all, i, EVENTS);
        const value = JSON.stringify(e);
        bytes += value.length;
        batch.push({ topic, key: `${e.cluster}/${e.pod!.namespace}/Deployment/${e.workload!.name}`, value, headers: { [SCHEMA_HEADER]: e.schema } });
      }
      await producer.send(batch);
      report(i);
    }
  } finally {
    await producer.close();
  }
  return { bytes, containers: all.length };
}

/** (1) read + parse + commit, in a fresh group. */
async function consumeOnly(brokers: string[], runtime: string, round: number): Promise<Measurement> {
  const consumer = new KafkaConsumer(createKafka({ brokers, clientId: "bench-consume", logger: logger.child({ component: "kafka" }) }));
  const topics = { ...TOPICS, runtime };
  const report = progress(`round ${round}: (1) consume only`, EVENTS);
  let handled = 0;
  try {
    return await measure("(1) read + parse + commit", async () => {
      await consumer.run({
        topics: [runtime],
        groupId: uniqueTopic("bench.consume"),
        fromBeginning: true,
        handle: async (batch) => {
          for (const record of batch) if (!parseRecord(record, topics).ok) throw new Error(`bench record rejected at ${record.offset}`);
          handled += batch.length;
          report(handled);
        },
      });
      while (handled < EVENTS) await sleep(5);
      return handled;
    });
  } finally {
    await consumer.stop();
  }
}

interface DetectorRun {
  measurement: Measurement;
  roundTripsPerEvent: number;
  roundTripsSecondHalf: number;
  findings: number;
  baselines: number;
  heapMb: number;
}

/** (2) the detector service on real Kafka and Redis, in a fresh group with a fresh Redis prefix. */
async function detectorPass(brokers: string[], redisUrl: string, runtime: string, round: number): Promise<DetectorRun> {
  const topics = { runtime, audit: uniqueTopic("bench.audit"), findings: uniqueTopic("bench.findings"), deadletter: uniqueTopic("bench.deadletter") };
  await createTopics(brokers, [topics.audit, topics.findings, topics.deadletter], PARTITIONS);
  const config = DetectorConfigSchema.parse({ redis: { url: redisUrl, prefix: `bench-${randomUUID()}:` } });
  const redis = await OutlierRedis.open(config.redis);
  const { store, findingLog, newDetector } = redisParts(redis, config);
  const kafka = createKafka({ brokers, clientId: "bench-detector", logger: logger.child({ component: "kafka" }) });
  const producer = new KafkaProducer(kafka);
  const service = new DetectorService({
    consumer: new KafkaConsumer(kafka),
    producer,
    store,
    findingLog,
    newDetector,
    topics,
    groupId: uniqueTopic("bench.detector"),
    fromBeginning: true,
    metrics: createDetectorMetrics(createMetrics("outlier_detector_")),
    logger,
  });
  const roundTrips = () => store.stats.roundTrips + (findingLog?.stats.roundTrips ?? 0);
  const judged = () => service.detector.stats.total("events");
  const report = progress(`round ${round}: (2) detector`, EVENTS);
  const heapBefore = heapAfterGc();
  let half: { events: number; roundTrips: number } | undefined;
  try {
    const measurement = await measure("(2) read + parse + detect + Redis + produce findings + commit", async () => {
      await service.start();
      while (judged() < EVENTS) {
        await sleep(5);
        if (!half && judged() >= EVENTS / 2) half = { events: judged(), roundTrips: roundTrips() };
        report(judged());
      }
      return judged();
    });
    await service.stop();
    const heapAfter = heapAfterGc();
    const baselines = service.detector.cachedBaselines;
    const secondHalf = (roundTrips() - half!.roundTrips) / (judged() - half!.events);
    return {
      measurement,
      roundTripsPerEvent: roundTrips() / judged(),
      roundTripsSecondHalf: secondHalf,
      findings: service.detector.stats.total("findings"),
      baselines,
      heapMb: (heapAfter - heapBefore) / 1e6,
    };
  } finally {
    await producer.close();
    await store.close();
  }
}

/** Runs `run` under the V8 CPU profiler when `file` is given, and writes the profile there. */
async function profiled<T>(file: string | undefined, run: () => Promise<T>): Promise<T> {
  if (!file) return run();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await run();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    process.stderr.write(`CPU profile of pass (2): ${file}\n`);
  }
}

function heapAfterGc(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

async function withServers<T>(run: (brokers: string[], redisUrl: string) => Promise<T>): Promise<T> {
  const givenBrokers = process.env.KAFKA_BROKERS?.split(",").map((b) => b.trim()).filter(Boolean) ?? [];
  let broker: KafkaBroker | undefined;
  let redis: RedisServer | undefined;
  if (givenBrokers.length === 0 || !process.env.REDIS_URL) process.stderr.write("starting Kafka and/or redis-server (set KAFKA_BROKERS and REDIS_URL to use running ones)\n");
  try {
    [broker, redis] = await Promise.all([givenBrokers.length ? undefined : startKafkaBroker(), process.env.REDIS_URL ? undefined : startRedis()]);
    return await run(broker?.brokers ?? givenBrokers, redis?.url ?? process.env.REDIS_URL!);
  } finally {
    await Promise.all([broker?.dispose(), redis?.dispose()]);
  }
}

function fastest(rounds: Measurement[]): Measurement {
  return rounds.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function rates(rounds: Measurement[]): string {
  return rounds.map((m) => Math.round(m.eventsPerSecond).toLocaleString("en-US")).join(", ");
}

async function main(): Promise<void> {
  if (!gc) throw new Error("run with node --expose-gc (pnpm bench:detector does)");
  await withServers(async (brokers, redisUrl) => {
    const runtime = uniqueTopic("bench.runtime");
    await createTopics(brokers, [runtime], PARTITIONS);
    const { bytes, containers: count } = await produceEvents(brokers, runtime);
    const consumedRounds: Measurement[] = [];
    const detectedRounds: DetectorRun[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      consumedRounds.push(await consumeOnly(brokers, runtime, round));
      const pass = () => detectorPass(brokers, redisUrl, runtime, round);
      detectedRounds.push(await (round === 1 ? profiled(process.env.BENCH_CPU_PROFILE, pass) : pass()));
    }
    const consumed = fastest(consumedRounds);
    const detected = detectedRounds.reduce((a, b) => (b.measurement.seconds < a.measurement.seconds ? b : a));
    const info = machine();
    console.log(`detector bench: ${EVENTS.toLocaleString("en-US")} process_exec events (${Math.round(bytes / EVENTS)} B/event), ${WORKLOADS.toLocaleString("en-US")} workloads, ${count.toLocaleString("en-US")} workload containers × 3 replicas, ${PARTITIONS} partitions`);
    console.log(`machine: ${info.cpus} × ${info.cpuModel}, Node ${info.node} ${process.execArgv.join(" ")}, ${info.date}, load average ${info.loadAverage.toFixed(1)}; Kafka, Redis and this process on the same machine`);
    console.log(`(1) and (2): fastest of ${ROUNDS} alternating rounds; all rounds, events/s: (1) ${rates(consumedRounds)}; (2) ${rates(detectedRounds.map((d) => d.measurement))}\n`);
    printTable(
      ["pass", "events", "seconds", "events/s"],
      [consumed, detected.measurement].map((m) => [m.name, m.events, Number(m.seconds.toFixed(2)), m.eventsPerSecond]),
    );
    const ratio = detected.measurement.eventsPerSecond / consumed.eventsPerSecond;
    const medianRatio = median(detectedRounds.map((d) => d.measurement.eventsPerSecond)) / median(consumedRounds.map((m) => m.eventsPerSecond));
    console.log(`\ndetector / consume-only = ${ratio.toFixed(3)} (target ≥ 0.5); of the median rounds: ${medianRatio.toFixed(3)}`);
    console.log(`Redis round trips per event: ${detected.roundTripsSecondHalf.toFixed(4)} over the second half (target ≤ 0.01), ${detected.roundTripsPerEvent.toFixed(4)} overall`);
    const per = (n: number) => (detected.heapMb / (n / 1000)).toFixed(2);
    console.log(`heap held by the detector after GC: ${detected.heapMb.toFixed(1)} MB = ${per(WORKLOADS)} MB per 1,000 workloads (target ≤ 24 MB), ${per(detected.baselines)} MB per 1,000 baselines (${detected.baselines.toLocaleString("en-US")} cached)`);
    console.log(`findings: ${detected.findings.toLocaleString("en-US")}`);
  });
}

await main();
