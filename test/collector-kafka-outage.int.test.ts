import { appendFileSync, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SCHEMA_HEADER, TOPICS } from "@outlier/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TetragonEvents } from "../bench/lib/tetragon-events.ts";
import { createLogger, createMetrics } from "../packages/service-kit/src/index.ts";
import { CollectorConfigSchema, startCollector, type Collector } from "../services/collector/src/index.ts";
import { RETRY_AFTER_SECONDS } from "../services/collector/src/sources/http-receiver.ts";
import { startKafkaBroker, type KafkaBroker } from "./harness/kafka.ts";
import { fixturesDir } from "./harness/paths.ts";
import { collectMessages, createTopics } from "./harness/topics.ts";
import { eventIdOf, expectedId, metricsOf, topicSize } from "./collector-int-helpers.ts";

const CLUSTER = "outage-it";
const NODE = "outage-node";
const FALCO_TOKEN = "falco-token-for-the-outage-test";
/** Tetragon lines before the outage, and again during it. */
const LINES_PER_PHASE = 2_000;
const FALCO_ALERTS = 15;
/** How long the broker stays down once stopped. */
const OUTAGE_MS = 15_000;
const falcoFixture = join(fixturesDir, "falco/falco-website-alerts.jsonl");

// A broker of its own: this test stops it, which the shared one must never be. Being alone on
// it, the collector uses the contract's topic names.
describe.skipIf(!existsSync(falcoFixture))(`collector while Kafka is down for a while${existsSync(falcoFixture) ? "" : " (absent: ../shared/fixtures not found, suite skipped)"}`, () => {
  const dir = mkdtempSync(join(tmpdir(), "outlier-collector-outage-"));
  const tetragonLog = join(dir, "tetragon.log");
  const events = new TetragonEvents({ seed: 11, pods: 120, node: NODE });
  let broker: KafkaBroker;
  let collector: Collector;

  beforeAll(async () => {
    broker = await startKafkaBroker();
    await createTopics(broker.brokers, [TOPICS.runtime, TOPICS.audit, TOPICS.deadletter]);
    writeFileSync(tetragonLog, "");
    const config = CollectorConfigSchema.parse({
      cluster: CLUSTER,
      nodeName: NODE,
      kafka: { brokers: broker.brokers, clientId: "collector-outage-it" },
      // A small buffer, so the outage fills it and the Falco receiver has to push back.
      producer: { batchSize: 50, lingerMs: 5, maxBuffered: 100 },
      http: { port: 0, host: "127.0.0.1" },
      stateDir: join(dir, "state"),
      sources: { tetragonFile: { path: tetragonLog }, falcoHttp: { token: FALCO_TOKEN } },
      kubernetes: { enabled: false },
    });
    // KafkaJS logs every refused connection at error level: keep the outage's noise in a file.
    const logger = createLogger({ level: "warn", name: "collector-outage-it", destination: createWriteStream(join(dir, "collector.log")) });
    collector = await startCollector({ config, logger, registry: createMetrics("outlier_collector_"), env: {} });
  });
  afterAll(async () => {
    await collector?.stop();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (path: string) => `http://127.0.0.1:${collector.port}${path}`;
  const readyz = async () => (await fetch(url("/readyz"))).status;

  it("delivers every Tetragon line and Falco alert of an outage once Kafka is back, pushing back with 503 meanwhile", { timeout: 300_000 }, async () => {
    await expect.poll(readyz, { timeout: 30_000 }).toBe(200);
    const probes = watch(readyz);
    const expected = new Set<string>();
    const writeTetragon = (count: number) => {
      const lines = Array.from({ length: count }, () => events.next("process_exec").line);
      for (const line of lines) expected.add(expectedId(line, "tetragon", CLUSTER, NODE));
      appendFileSync(tetragonLog, `${lines.join("\n")}\n`);
    };

    for (let i = 0; i < LINES_PER_PHASE / 200; i++) writeTetragon(200);

    probes.phase = "outage";
    await broker.stop();
    const outageEnds = Date.now() + OUTAGE_MS;
    writeTetragon(200);
    await expect.poll(() => collector.readiness().reason, { timeout: 30_000 }).toBe("producer buffer full");
    const alerts = falcoAlerts(FALCO_ALERTS);
    for (const alert of alerts) expected.add(expectedId(alert, "falco", CLUSTER, NODE));
    const falco = postLikeFalco(alerts, url("/falco"));
    // The rest of the outage's lines arrive spread over it, as a node keeps running processes.
    for (let i = 1; i < LINES_PER_PHASE / 200; i++) {
      await sleep(OUTAGE_MS / (LINES_PER_PHASE / 200));
      writeTetragon(200);
    }
    await sleep(Math.max(0, outageEnds - Date.now()));
    await broker.restart();
    probes.phase = "after";

    await expect.poll(readyz, { timeout: 90_000, interval: 500 }).toBe(200);
    const answers = await falco;
    const produced = () => metricsOf(url("/metrics")).then((m) => m("outlier_collector_events_produced_total"));
    await expect.poll(produced, { timeout: 90_000, interval: 500 }).toBeGreaterThanOrEqual(expected.size);
    probes.stop();

    const messages = await collectMessages(broker.brokers, TOPICS.runtime, await topicSize(broker.brokers, TOPICS.runtime), 60_000);
    const arrived = new Map<string, number>();
    for (const message of messages) {
      expect(message.headers[SCHEMA_HEADER]).toBe("outlier.runtime.v1");
      const id = eventIdOf(message.value);
      arrived.set(id, (arrived.get(id) ?? 0) + 1);
    }
    const duplicates = messages.length - arrived.size;
    console.info(`kafka outage: ${expected.size} events, ${messages.length} records, ${duplicates} duplicates; falco answers ${JSON.stringify(answers.statuses)}`);

    expect([...expected].filter((id) => !arrived.has(id))).toEqual([]);
    expect([...arrived.keys()].filter((id) => !expected.has(id))).toEqual([]);
    expect(answers.statuses[503]).toBeGreaterThan(0);
    expect(answers.retryAfter).toEqual([String(RETRY_AFTER_SECONDS)]);
    expect(answers.statuses[200]).toBe(FALCO_ALERTS);
    expect(probes.seen.outage).toContain(503);
    expect(probes.seen.after.at(-1)).toBe(200);

    const metrics = await metricsOf(url("/metrics"));
    expect(metrics("outlier_collector_producer_dropped_total")).toBe(0);
    expect(metrics("outlier_collector_rejected_total")).toBe(0);
    expect(metrics("outlier_collector_tail_gaps_total")).toBe(0);
    expect(metrics("outlier_collector_producer_retries_total")).toBeGreaterThan(0);
  });
});

/** Distinct "Terminal shell in container" alerts from the real sample, each with its own time. */
function falcoAlerts(count: number): string[] {
  const template = readFileSync(falcoFixture, "utf8").split("\n").find((line) => line.includes('"rule":"Terminal shell in container"'))!;
  return Array.from({ length: count }, (_, i) =>
    template.replace(/"time":"[^"]+"/, `"time":"2025-06-02T09:00:00.${String(i + 1).padStart(9, "0")}Z"`),
  );
}

/**
 * Posts alerts one at a time, as Falco's http_output does, retrying each until it is
 * accepted: after Retry-After seconds on 503, after a second on a refused connection.
 */
async function postLikeFalco(alerts: string[], url: string): Promise<{ statuses: Record<number, number>; retryAfter: string[] }> {
  const statuses: Record<number, number> = {};
  const retryAfter = new Set<string>();
  for (const alert of alerts) {
    for (;;) {
      const response = await fetch(url, { method: "POST", body: alert, headers: { "content-type": "application/json", authorization: `Bearer ${FALCO_TOKEN}` } });
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      await response.arrayBuffer();
      if (response.status === 200) break;
      if (response.status !== 503) throw new Error(`falco receiver answered ${response.status}`);
      const after = response.headers.get("retry-after") ?? "";
      retryAfter.add(after);
      await sleep(Number(after) * 1000 || 1000);
    }
  }
  return { statuses, retryAfter: [...retryAfter] };
}

/** Polls a status every 200 ms and files each answer under the phase it was seen in. */
function watch(status: () => Promise<number>) {
  const seen: Record<"before" | "outage" | "after", number[]> = { before: [], outage: [], after: [] };
  const probes = { phase: "before" as keyof typeof seen, seen, stop: () => clearInterval(timer) };
  const timer = setInterval(() => {
    const phase = probes.phase;
    status().then((code) => seen[phase].push(code), () => seen[phase].push(0));
  }, 200);
  return probes;
}
