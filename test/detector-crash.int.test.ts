import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createKafka, KafkaProducer } from "@outlier/bus";
import { SCHEMA_HEADER, type RuntimeEvent } from "@outlier/contracts";
import { Detector } from "@outlier/detector";
import { MemoryBaselineStore } from "@outlier/store";
import { afterAll, describe, expect, inject, it } from "vitest";
import { exec } from "../packages/detector/src/test-events.ts";
import { DetectorConfigSchema } from "../services/detector/src/config.ts";
import { detectorOptions } from "../services/detector/src/detector-service.ts";
import { groupLag, tailTopic } from "../services/detector/src/test-support.ts";
import { repoRoot } from "./harness/paths.ts";
import { freePort } from "./harness/process.ts";
import { createTopics, uniqueTopic } from "./harness/topics.ts";

const WORKLOADS = 24;
const COMMON = ["/usr/bin/entrypoint", "/usr/local/bin/server", "/bin/sh", "/usr/bin/python3", "/usr/bin/env"];
const UNEXPECTED_PER_WORKLOAD = 25;

/**
 * Two hours of three replicas per workload: an hour of learning, then ordinary work
 * with unexpected binaries mixed in, in event-time order across workloads. Each
 * unexpected binary runs once, so the detector's in-memory cooldown (lost on a
 * restart) cannot change which occurrence of a repeat is reported.
 */
function stream(): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  for (let minute = 0; minute < 120; minute += 5) {
    for (let w = 0; w < WORKLOADS; w++) {
      const workload = `svc-${w}`;
      const pods = [0, 1, 2].map((r) => `${workload}-7d9f8b6c5-${r}`);
      for (const pod of pods) for (const binary of COMMON) events.push(exec({ pod, binary, workload, minutes: minute }));
      if (minute < 65) continue;
      const slot = (minute - 65) / 5; // 0..10
      for (let i = slot; i < UNEXPECTED_PER_WORKLOAD; i += 11) {
        events.push(exec({ pod: pods[i % 3]!, binary: `/tmp/payload-${w}-${i}`, workload, minutes: minute + 1 + i / 100 }));
      }
    }
  }
  return events;
}

/** What an uninterrupted detector finds in the same events (embedded, as `outlier replay` runs it). */
async function uninterrupted(events: RuntimeEvent[]): Promise<Map<string, string>> {
  const detector = new Detector({ store: new MemoryBaselineStore() }, detectorOptions(DetectorConfigSchema.parse({})));
  const ids = new Map<string, string>();
  for (let i = 0; i < events.length; i += 500) {
    for (const f of await detector.process(events.slice(i, i + 500))) ids.set(f.id, f.type);
  }
  return ids;
}

function report(line: string): void {
  process.stdout.write(`${line}\n`);
}

interface DetectorProcess {
  child: ChildProcess;
  port: number;
}

describe("detector killed with SIGKILL mid-stream", () => {
  const brokers = inject("kafkaBrokers");
  const topics = { runtime: uniqueTopic("crash.runtime"), audit: uniqueTopic("crash.audit"), findings: uniqueTopic("crash.findings"), deadletter: uniqueTopic("crash.deadletter") };
  const groupId = uniqueTopic("crash.detector");
  // Both detector processes share the group and the Redis prefix: the second one carries on the first one's work.
  const prefix = `crash-${randomUUID()}:`;
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "outlier-detector-crash-"));
  const children: ChildProcess[] = [];

  /** `node services/detector/src/main.ts` in its own process group, configured by environment. */
  async function startDetector(name: string): Promise<DetectorProcess> {
    const port = await freePort();
    const log = fs.openSync(path.join(logDir, `${name}.log`), "a");
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      OUTLIER_DETECTOR_LOG_LEVEL: "warn",
      OUTLIER_DETECTOR_KAFKA_BROKERS: brokers.join(","),
      OUTLIER_DETECTOR_KAFKA_GROUP_ID: groupId,
      // The killed member's partitions are handed over when its session times out.
      OUTLIER_DETECTOR_KAFKA_SESSION_TIMEOUT_MS: "6000",
      OUTLIER_DETECTOR_KAFKA_TOPICS_RUNTIME: topics.runtime,
      OUTLIER_DETECTOR_KAFKA_TOPICS_AUDIT: topics.audit,
      OUTLIER_DETECTOR_KAFKA_TOPICS_FINDINGS: topics.findings,
      OUTLIER_DETECTOR_KAFKA_TOPICS_DEADLETTER: topics.deadletter,
      OUTLIER_DETECTOR_REDIS_URL: inject("redisUrl"),
      OUTLIER_DETECTOR_REDIS_PREFIX: prefix,
      OUTLIER_DETECTOR_HTTP_HOST: "127.0.0.1",
      OUTLIER_DETECTOR_HTTP_PORT: String(port),
    };
    const child = spawn(process.execPath, ["services/detector/src/main.ts"], { cwd: repoRoot, env, detached: true, stdio: ["ignore", log, log] });
    fs.closeSync(log);
    children.push(child);
    await expect.poll(() => ready(port), { timeout: 60_000, interval: 200 }).toBe(true);
    return { child, port };
  }
  async function ready(port: number): Promise<boolean> {
    return fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
  }

  /** The whole process group: nothing the detector started survives it. */
  function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(-child.pid, signal);
  }

  afterAll(async () => {
    for (const child of children) killGroup(child, "SIGKILL");
    if (process.env.OUTLIER_KEEP_SERVERS === undefined) fs.rmSync(logDir, { recursive: true, force: true });
  });

  it("loses no finding but replica.deviation (windows are in memory until issue 13): after a restart, every other finding of an uninterrupted run is on the findings topic", async () => {
    const events = stream();
    expect(events.length).toBeGreaterThanOrEqual(5_000);
    const expected = await uninterrupted(events);
    const unexpected = [...expected.values()].filter((t) => t === "process.unexpected").length;
    expect(unexpected).toBe(WORKLOADS * UNEXPECTED_PER_WORKLOAD);

    await createTopics(brokers, Object.values(topics), 3);
    const findings = await tailTopic(brokers, topics.findings);
    const producer = new KafkaProducer(createKafka({ brokers, clientId: "crash-feeder" }));
    try {
      const first = await startDetector("first");
      // Feed in chunks while the detector works, and kill it once a third of the unexpected binaries were reported.
      const records = events.map((e) => ({ topic: topics.runtime, key: `c1/shop/Deployment/${e.workload!.name}`, value: JSON.stringify(e), headers: { [SCHEMA_HEADER]: e.schema } }));
      let fed = 0;
      const feeding = (async () => {
        for (; fed < records.length; fed += 200) {
          await producer.send(records.slice(fed, fed + 200));
          await sleep(40);
        }
      })();
      await expect.poll(() => findings.messages.length, { timeout: 60_000, interval: 20 }).toBeGreaterThan(unexpected / 3);
      const exited = once(first.child, "exit");
      killGroup(first.child, "SIGKILL");
      const [, signal] = (await exited) as [number | null, string | null];
      const lagAtKill = await groupLag(brokers, groupId, [topics.runtime]);
      report(`killed the detector (${signal}) with ${findings.messages.length} findings out, ${Math.min(fed, records.length)} of ${records.length} events fed, lag ${lagAtKill}`);
      expect(signal).toBe("SIGKILL");
      await feeding;
      expect(await groupLag(brokers, groupId, [topics.runtime])).toBeGreaterThan(0);

      const second = await startDetector("second");
      await expect.poll(() => groupLag(brokers, groupId, [topics.runtime]), { timeout: 90_000, interval: 250 }).toBe(0);
      const seen = () => new Set(findings.messages.map((m) => (JSON.parse(m.value) as { id: string }).id));
      await expect.poll(() => [...expected.keys()].filter((id) => expected.get(id) !== "replica.deviation" && !seen().has(id)).length, { timeout: 20_000 }).toBe(0);
      const exited2 = once(second.child, "exit");
      killGroup(second.child, "SIGTERM");
      expect((await exited2)[0]).toBe(0);

      const counts = new Map<string, number>();
      for (const m of findings.messages) {
        const id = (JSON.parse(m.value) as { id: string }).id;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
      const missing = [...expected].filter(([id]) => !counts.has(id));
      const byType = (list: [string, string][]) => Object.fromEntries(Object.entries(Object.groupBy(list, ([, type]) => type)).map(([t, l]) => [t, l?.length]));
      const extra = [...counts.keys()].filter((id) => !expected.has(id)).length;
      report(
        `uninterrupted run: ${expected.size} findings ${JSON.stringify(byType([...expected]))}; crash run: ${counts.size} distinct, ` +
          `${duplicates} duplicates (at-least-once), ${extra} not in the uninterrupted run, replica.deviation not yet restart-safe (issue 13), missing ${JSON.stringify(byType(missing))}`,
      );
      // Replica comparisons run on in-memory windows that a restart loses (docs/detector.md); every other finding must be there.
      expect(missing.filter(([, type]) => type !== "replica.deviation")).toEqual([]);
    } finally {
      await producer.close();
      await findings.stop();
    }
  });
});
