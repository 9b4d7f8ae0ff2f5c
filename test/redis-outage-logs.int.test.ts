import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "./harness/process.ts";
import { startRedis, type RedisServer } from "./harness/redis.ts";
import { uniqueTopic } from "./harness/topics.ts";

const repoRoot = path.resolve(import.meta.dirname, "..");

/**
 * Issue 14 item 6: a 20 s Redis outage made ioredis print "[ioredis] Unhandled error event"
 * and stack lines outside pino, 162 of them. The detector as a process, a redis-server of its own.
 */
describe("detector logs through a Redis outage", () => {
  const brokers = inject("kafkaBrokers");
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "outlier-redis-outage-"));
  const logFile = path.join(logDir, "detector.log");
  let redis: RedisServer;
  let child: ChildProcess | undefined;
  let port: number;

  beforeAll(async () => {
    redis = await startRedis();
    port = await freePort();
    const log = fs.openSync(logFile, "a");
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      OUTLIER_DETECTOR_LOG_LEVEL: "info",
      OUTLIER_DETECTOR_KAFKA_BROKERS: brokers.join(","),
      OUTLIER_DETECTOR_KAFKA_GROUP_ID: uniqueTopic("redis-outage.detector"),
      OUTLIER_DETECTOR_KAFKA_TOPICS_RUNTIME: uniqueTopic("redis-outage.runtime"),
      OUTLIER_DETECTOR_KAFKA_TOPICS_AUDIT: uniqueTopic("redis-outage.audit"),
      OUTLIER_DETECTOR_KAFKA_TOPICS_FINDINGS: uniqueTopic("redis-outage.findings"),
      OUTLIER_DETECTOR_KAFKA_TOPICS_DEADLETTER: uniqueTopic("redis-outage.deadletter"),
      OUTLIER_DETECTOR_KUBERNETES_ENABLED: "false",
      OUTLIER_DETECTOR_REDIS_URL: redis.url,
      OUTLIER_DETECTOR_REDIS_PREFIX: `outage-${randomUUID()}:`,
      OUTLIER_DETECTOR_HTTP_HOST: "127.0.0.1",
      OUTLIER_DETECTOR_HTTP_PORT: String(port),
    };
    // stdout and stderr both: ioredis's own output went to stderr.
    child = spawn(process.execPath, ["services/detector/src/main.ts"], { cwd: repoRoot, env, detached: true, stdio: ["ignore", log, log] });
    fs.closeSync(log);
  });
  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
    await redis?.dispose();
    if (process.env.OUTLIER_KEEP_SERVERS === undefined) fs.rmSync(logDir, { recursive: true, force: true });
  });

  const status = () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);

  it("writes a few JSON lines (lost, retrying, recovered per connection), is 503 meanwhile, and counts the changes", async () => {
    await expect.poll(status, { timeout: 60_000, interval: 200 }).toBe(200);
    const before = fs.readFileSync(logFile, "utf8").split("\n").filter(Boolean).length;
    await redis.stop();
    await expect.poll(status, { timeout: 10_000, interval: 200 }).toBe(503);
    await sleep(20_000);
    await redis.restart();
    await expect.poll(status, { timeout: 30_000, interval: 200 }).toBe(200);
    await sleep(2_000); // the subscriber connections come back too

    const lines = fs.readFileSync(logFile, "utf8").split("\n").filter(Boolean).slice(before);
    const parsed = lines.map((line) => {
      try {
        return JSON.parse(line) as { component?: string; msg: string; redis?: string };
      } catch {
        throw new Error(`not a pino line: ${line}`);
      }
    });
    const redisLines = parsed.filter((l) => l.component === "redis");
    console.log(`redis outage of 20 s: ${lines.length} log lines, ${redisLines.length} about redis: ${redisLines.map((l) => `${l.redis} ${l.msg}`).join(" | ")}`);
    // Three clients (commands, the baseline-change and replica-request subscribers), three changes each at most.
    expect(redisLines.length).toBeLessThanOrEqual(9);
    expect(lines.length).toBeLessThanOrEqual(20);
    expect(redisLines.filter((l) => l.redis === "main").map((l) => l.msg)).toEqual([
      "redis connection lost; reconnecting",
      "redis still unreachable; retrying with backoff",
      "redis connection recovered",
    ]);

    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
    for (const event of ["lost", "retrying", "recovered"]) {
      expect(metrics).toMatch(new RegExp(`^outlier_detector_redis_connection_events_total\\{event="${event}"\\} [1-9]\\d*$`, "m"));
    }
  }, 180_000);
});
