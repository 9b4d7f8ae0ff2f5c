import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCHEMA_HEADER, workloadKey } from "@outlier/contracts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TetragonEvents } from "../bench/lib/tetragon-events.ts";
import { createLogger, createMetrics } from "../packages/service-kit/src/index.ts";
import { CollectorConfigSchema, startCollector, type Collector } from "../services/collector/src/index.ts";
import { positionFileName } from "../services/collector/src/tail/position-store.ts";
import { eventIdOf, expectedId, metricsOf, topicSize } from "./collector-int-helpers.ts";
import { collectMessages, createTopics, uniqueTopic } from "./harness/topics.ts";

const NODE = "rotation-node";

describe("collector following a Tetragon file through rotations and its own restart", () => {
  const brokers = inject("kafkaBrokers");
  const dir = mkdtempSync(join(tmpdir(), "outlier-collector-rotation-"));
  const log = join(dir, "tetragon.log");
  const stateDir = join(dir, "state");
  const cluster = uniqueTopic("rotation-it");
  const topics = { runtime: uniqueTopic("rotation.runtime"), audit: uniqueTopic("rotation.audit"), deadletter: uniqueTopic("rotation.deadletter") };
  const events = new TetragonEvents({ seed: 23, pods: 120, node: NODE });
  /** Event id → the Kafka key its workload must give. */
  const expected = new Map<string, string>();
  let collector: Collector | undefined;

  const start = async () => {
    const config = CollectorConfigSchema.parse({
      cluster,
      nodeName: NODE,
      logLevel: "warn",
      kafka: { brokers, clientId: "collector-rotation-it", topics },
      producer: { lingerMs: 5 },
      http: { port: 0, host: "127.0.0.1" },
      stateDir,
      sources: { tetragonFile: { path: log } },
      kubernetes: { enabled: false },
    });
    const logger = createLogger({ level: "warn", name: "collector-rotation-it" });
    collector = await startCollector({ config, logger, registry: createMetrics("outlier_collector_"), env: {} });
  };
  const write = (count: number) => {
    const generated = Array.from({ length: count }, () => events.next());
    for (const { line, pod } of generated) {
      expected.set(expectedId(line, "tetragon", cluster, NODE), workloadKey(cluster, pod.namespace, pod.workload.kind, pod.workload.name));
    }
    appendFileSync(log, `${generated.map((e) => e.line).join("\n")}\n`);
  };
  const metric = async (name: string) => (await metricsOf(`http://127.0.0.1:${collector!.port}/metrics`))(name);
  /** Caught up: the saved read position (lines durable in Kafka) is at the end of the file at the path. */
  const caughtUp = () => {
    const saved = JSON.parse(readFileSync(join(stateDir, positionFileName(log)), "utf8")) as { inode: string; position: number };
    const current = statSync(log, { bigint: true });
    return saved.inode === current.ino.toString() && saved.position === Number(current.size);
  };

  beforeAll(async () => {
    await createTopics(brokers, Object.values(topics));
    writeFileSync(log, "");
    await start();
  });
  afterAll(async () => {
    await collector?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("puts every line on Kafka at least once, keyed by workload", { timeout: 180_000 }, async () => {
    // Rotation by rename while lines are still unread: the old file is finished first.
    write(500);
    renameSync(log, `${log}.1`);
    write(300);
    await expect.poll(() => metric("outlier_collector_tail_rotations_total"), { timeout: 30_000 }).toBe(1);
    await expect.poll(caughtUp, { timeout: 30_000 }).toBe(true);

    // Rotated again and stopped straight away, mid-stream; more lines while it is down.
    write(300);
    renameSync(log, `${log}.2`);
    write(200);
    await collector!.stop();
    write(200);
    await start();
    await expect.poll(caughtUp, { timeout: 30_000 }).toBe(true);

    // copytruncate, the writer going on at once. Lines unread at the truncation would be lost
    // by nature (logrotate's copy is not read), so it comes once the tailer has caught up.
    copyFileSync(log, `${log}.3`);
    truncateSync(log, 0);
    write(50);
    await expect.poll(() => metric("outlier_collector_tail_truncations_total"), { timeout: 30_000 }).toBe(1);
    write(250);
    await expect.poll(caughtUp, { timeout: 30_000 }).toBe(true);
    expect(await metric("outlier_collector_tail_gaps_total")).toBe(0);

    const messages = await collectMessages(brokers, topics.runtime, await topicSize(brokers, topics.runtime), 60_000);
    const arrived = new Map<string, number>();
    for (const message of messages) {
      const id = eventIdOf(message.value);
      arrived.set(id, (arrived.get(id) ?? 0) + 1);
      expect(message.key).toBe(expected.get(id));
      expect(message.headers[SCHEMA_HEADER]).toBe("outlier.runtime.v1");
    }
    console.info(`rotation: ${expected.size} lines, ${messages.length} records, ${messages.length - arrived.size} duplicates`);
    expect([...expected.keys()].filter((id) => !arrived.has(id))).toEqual([]);
    expect(arrived.size).toBe(expected.size);
  });
});
