import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AlerterProcess } from "../services/alerter/src/testing/alerter-process.ts";
import { freePort } from "./harness/process.ts";
import { startKafkaBroker, type KafkaBroker } from "./harness/kafka.ts";
import { uniqueTopic } from "./harness/topics.ts";

/**
 * Issue 14 item 6: a 20 s Kafka outage wrote 89 error lines in the alerter. The alerter as a
 * process, on a broker of its own (stopped and restarted), a webhook sink nothing calls.
 */
describe("alerter logs through a Kafka outage", () => {
  const dir = mkdtempSync(join(tmpdir(), "outlier-alerter-kafka-outage-"));
  let broker: KafkaBroker;
  let alerter: AlerterProcess | undefined;
  let port: number;
  beforeAll(async () => {
    broker = await startKafkaBroker();
  });
  afterAll(async () => {
    await alerter?.kill();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const status = () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);

  it("writes a bounded number of JSON lines, is 503 while the broker is down and 200 after", async () => {
    port = await freePort();
    const routesFile = join(dir, "routes.yaml");
    writeFileSync(routesFile, "route:\n  receiver: soc\nreceivers:\n  - name: soc\n    webhook_configs:\n      - url: http://127.0.0.1:9/hook\n");
    const config = {
      logLevel: "info",
      routesFile,
      kafka: { brokers: broker.brokers, groupId: uniqueTopic("outage.alerter"), topics: { findings: uniqueTopic("outage.findings"), deadletter: uniqueTopic("outage.deadletter") } },
      redis: { url: inject("redisUrl"), prefix: `outage-${Date.now()}:` },
      http: { port, host: "127.0.0.1" },
    };
    alerter = await AlerterProcess.start(dir, config, {});
    await expect.poll(status, { timeout: 30_000, interval: 200 }).toBe(200);
    const before = alerter.lines.length;

    await broker.stop();
    await expect.poll(status, { timeout: 30_000, interval: 200 }).toBe(503);
    await sleep(20_000);
    await broker.restart();
    const back = Date.now();
    await expect.poll(status, { timeout: 90_000, interval: 200 }).toBe(200);
    const readyAfterMs = Date.now() - back;
    await sleep(2_000);

    const lines = alerter.lines.slice(before);
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as { level: number; msg: string };
      } catch {
        throw new Error(`not a pino line: ${line}`);
      }
    });
    const errors = parsed.filter((l) => l.level >= 50);
    const tally = new Map<string, number>();
    for (const l of parsed) tally.set(`${l.level} ${l.msg}`, (tally.get(`${l.level} ${l.msg}`) ?? 0) + 1);
    console.log(`kafka outage of 20 s: ${lines.length} lines, ${errors.length} at error; ready ${readyAfterMs} ms after the broker was back\n${[...tally].map(([k, n]) => `${n}× ${k}`).join("\n")}`);
    // Before: 165 lines, 148 of them errors (every failed connection, crash, restart, stop and start).
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(errors.length).toBeLessThanOrEqual(2);
    // One line per change of each of the three consumers.
    expect(tally.get("40 kafka consumer crashed; rejoining")).toBe(3);
    expect(tally.get("30 kafka consumer rejoined its group")).toBe(3);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^outlier_alerter_kafka_connection_events_total\{event="lost"\} 3$/m);
    expect(metrics).toMatch(/^outlier_alerter_kafka_connection_events_total\{event="recovered"\} 3$/m);
  }, 240_000);
});
