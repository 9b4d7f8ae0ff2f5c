/**
 * pnpm bench:collector — how much of the JSON.parse speed the collector keeps.
 *
 * Writes BENCH_EVENTS (default 200,000) realistic Tetragon events to .cache/bench/, then
 * times three passes over that file: (a) read lines + JSON.parse, (b) read lines +
 * normalizeLine, (c) the collector's ingest path (normalize → BatchingProducer →
 * KafkaProducer, every record acknowledged by a real broker). The ratios b/a and c/a
 * are the figures to watch; absolute rates depend on the machine. Kafka: KAFKA_BROKERS,
 * else a broker started by the test harness. Results on stdout, progress on stderr.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { BatchingProducer, createKafka, KafkaProducer } from "../packages/bus/src/index.ts";
import { normalizeLine } from "../packages/normalize/src/index.ts";
import { createLogger, createMetrics } from "../packages/service-kit/src/index.ts";
import { CollectorConfigSchema, createCollectorMetrics, createIngest, noopEnricher, type Ingest } from "../services/collector/src/index.ts";
import { startKafkaBroker, type KafkaBroker } from "../test/harness/kafka.ts";
import { repoRoot } from "../test/harness/paths.ts";
import { createTopics, uniqueTopic } from "../test/harness/topics.ts";
import { readLineBatches } from "./lib/lines.ts";
import { printTable } from "./lib/table.ts";
import { TetragonEvents } from "./lib/tetragon-events.ts";
import { machine, measure, progress, type Measurement } from "./lib/timing.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
/** (a) and (b) run alternately this many times and the fastest of each counts: other load on the machine then hits both alike. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FILE = path.join(repoRoot, ".cache/bench/tetragon-events.jsonl");
const CLUSTER = "bench";
/** Lines handed to ingest and not yet acknowledged, as the file tailer allows (its maxInFlight default). */
const MAX_IN_FLIGHT = 1000;

const logger = createLogger({ level: "warn", name: "bench-collector", destination: process.stderr });

async function main(): Promise<void> {
  const generator = new TetragonEvents({ seed: 42, pods: 150 });
  const bytes = await writeEvents(generator, EVENTS);
  const node = generator.node;

  const parseRuns: Measurement[] = [];
  const normalizeRuns: Measurement[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    parseRuns.push(await measure("(a) read + JSON.parse", () => eachLine(`JSON.parse, round ${round}`, (line) => JSON.parse(line))));
    normalizeRuns.push(
      await measure("(b) read + normalizeLine", () =>
        eachLine(`normalize, round ${round}`, (line) => {
          const result = normalizeLine(line, { source: "tetragon", cluster: CLUSTER, node });
          if (result.ok !== true) throw new Error(`generated line not normalized: ${JSON.stringify(result)}`);
        }),
      ),
    );
  }
  const parseOnly = fastest(parseRuns);
  const normalizeOnly = fastest(normalizeRuns);
  const produced = await withKafka((brokers) => measureIngest(brokers, node));

  const results = [parseOnly, normalizeOnly, produced];
  const info = machine();
  console.log(`collector bench: ${EVENTS.toLocaleString("en-US")} Tetragon events, ${(bytes / 1e6).toFixed(0)} MB (${Math.round(bytes / EVENTS)} B/event)`);
  console.log(`machine: ${info.cpus} × ${info.cpuModel}, Node ${info.node}, ${info.date}, load average ${info.loadAverage.toFixed(1)}`);
  console.log(`(a) and (b): fastest of ${ROUNDS} alternating rounds\n`);
  printTable(
    ["pass", "events", "seconds", "events/s", "× (a)"],
    results.map((r) => [r.name, r.events, Number(r.seconds.toFixed(2)), r.eventsPerSecond, r.eventsPerSecond / parseOnly.eventsPerSecond]),
  );
  console.log(`\nb/a = ${ratio(normalizeOnly, parseOnly)}   c/a = ${ratio(produced, parseOnly)}`);
}

function fastest(runs: Measurement[]): Measurement {
  return runs.reduce((best, run) => (run.eventsPerSecond > best.eventsPerSecond ? run : best));
}

function ratio(x: Measurement, base: Measurement): string {
  return (x.eventsPerSecond / base.eventsPerSecond).toFixed(3);
}

/** The same file every run (seeded), regenerated each run so the passes find it in the page cache. */
async function writeEvents(generator: TetragonEvents, count: number): Promise<number> {
  mkdirSync(path.dirname(FILE), { recursive: true });
  const out = createWriteStream(FILE);
  const report = progress(`writing ${FILE}`, count);
  let bytes = 0;
  for (let written = 0; written < count; ) {
    const lines: string[] = [];
    for (const end = Math.min(count, written + 1000); written < end; written++) lines.push(generator.next().line);
    const text = `${lines.join("\n")}\n`;
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, "drain");
    report(written);
  }
  out.end();
  await once(out, "finish");
  return bytes;
}

async function eachLine(label: string, handle: (line: string) => unknown): Promise<number> {
  const report = progress(label, EVENTS);
  let count = 0;
  for await (const lines of readLineBatches(FILE)) {
    for (const line of lines) handle(line);
    count += lines.length;
    report(count);
  }
  return count;
}

async function withKafka(run: (brokers: string[]) => Promise<Measurement>): Promise<Measurement> {
  let broker: KafkaBroker | undefined;
  const given = process.env.KAFKA_BROKERS?.split(",").map((b) => b.trim()).filter(Boolean);
  if (!given?.length) {
    process.stderr.write("starting a Kafka broker (set KAFKA_BROKERS to use a running one)\n");
    broker = await startKafkaBroker();
  }
  try {
    return await run(given?.length ? given : broker!.brokers);
  } finally {
    await broker?.dispose();
  }
}

/** (c): the collector's ingest with the collector's default producer settings, every line awaited until Kafka acknowledged it. */
async function measureIngest(brokers: string[], node: string): Promise<Measurement> {
  const topics = { runtime: uniqueTopic("bench.runtime"), audit: uniqueTopic("bench.audit"), deadletter: uniqueTopic("bench.deadletter") };
  await createTopics(brokers, Object.values(topics));
  const kafka = createKafka({ brokers, clientId: "bench-collector", logger: logger.child({ component: "kafka" }) });
  const producer = new BatchingProducer(new KafkaProducer(kafka), CollectorConfigSchema.parse({}).producer);
  const metrics = createCollectorMetrics(createMetrics("outlier_collector_"));
  const ingest = createIngest({ cluster: CLUSTER, node, topics, producer, enricher: noopEnricher, metrics, logger });
  try {
    const result = await measure("(c) read + normalize + produce (acks=all)", () => ingestAll(ingest));
    if (producer.counters.sent !== result.events) throw new Error(`${result.events} lines ingested but ${producer.counters.sent} records confirmed`);
    return result;
  } finally {
    await producer.close();
  }
}

/** Like the file tailer: up to MAX_IN_FLIGHT lines in flight, waiting for the oldest when full. */
async function ingestAll(ingest: Ingest): Promise<number> {
  const report = progress("produce", EVENTS);
  const inFlight: Promise<unknown>[] = [];
  let lineNo = 0;
  for await (const lines of readLineBatches(FILE)) {
    for (const line of lines) {
      lineNo += 1;
      if (inFlight.length >= MAX_IN_FLIGHT) await inFlight.shift();
      inFlight.push(
        ingest.line(line, { format: "tetragon", location: `${FILE}:${lineNo}` }).then((outcome) => {
          if (outcome !== "produced") throw new Error(`line ${lineNo} was ${outcome}`);
        }),
      );
    }
    report(lineNo);
  }
  await Promise.all(inFlight);
  return lineNo;
}

await main();
