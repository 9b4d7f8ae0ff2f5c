import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { rawClient, type RawClient } from "@outlier/service-kit/testing";
import { TetragonEvents } from "../../bench/lib/tetragon-events.ts";
import { tailTopic, type Tail } from "../../services/detector/src/test-support.ts";
import { expectedId, metricsOf } from "../collector-int-helpers.ts";
import { repoRoot } from "../harness/paths.ts";
import { freePort, stopServer } from "../harness/process.ts";
import { createTopics, uniqueTopic } from "../harness/topics.ts";

/**
 * A monitored pod must not be able to blind the collector (issue 10). The collector runs as
 * its own process (`services/collector/src/main.ts`) against the shared broker; each case is
 * one attack, and each checks that legitimate events written during and after it arrive, that
 * the collector's resident memory stays under MEMORY_BOUND, and that nothing else was lost.
 */
const MEMORY_BOUND = 512 * 1024 * 1024;
const CLUSTER = "hostile";
const NODE = "hostile-node";
const AUDIT_TOKEN = "audit-token-for-the-hostile-suite";
/** Shorter than the defaults (30 s, 10 s, 512), so the suite stays fast; the defaults work the same way. */
const REQUEST_TIMEOUT_MS = 3_000;
const IDLE_TIMEOUT_MS = 2_000;
const MAX_CONNECTIONS = 100;

describe("collector under attack from a monitored workload", () => {
  const brokers = inject("kafkaBrokers");
  const dir = mkdtempSync(join(tmpdir(), "outlier-hostile-"));
  const tetragonLog = join(dir, "tetragon.log");
  const topics = { runtime: uniqueTopic("hostile.runtime"), audit: uniqueTopic("hostile.audit"), deadletter: uniqueTopic("hostile.deadletter") };
  const events = new TetragonEvents({ seed: 10, pods: 30, node: NODE });
  let collector: ChildProcess;
  let startCollector: () => Promise<void>;
  let port: number;
  let metricsPort: number;
  let runtime: Tail;
  let audit: Tail;
  let deadletter: Tail;
  /** Legitimate event ids written so far, and whether each reached Kafka. */
  const legitRuntime = new Set<string>();
  const legitAudit = new Set<string>();
  const peaks: Record<string, number> = {};

  beforeAll(async () => {
    await createTopics(brokers, Object.values(topics));
    [runtime, audit, deadletter] = await Promise.all([tailTopic(brokers, topics.runtime), tailTopic(brokers, topics.audit), tailTopic(brokers, topics.deadletter)]);
    writeFileSync(tetragonLog, "");
    [port, metricsPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_NAME: NODE,
      OUTLIER_COLLECTOR_CLUSTER: CLUSTER,
      OUTLIER_COLLECTOR_LOG_LEVEL: "warn",
      OUTLIER_COLLECTOR_KAFKA_BROKERS: brokers.join(","),
      OUTLIER_COLLECTOR_KAFKA_TOPICS_RUNTIME: topics.runtime,
      OUTLIER_COLLECTOR_KAFKA_TOPICS_AUDIT: topics.audit,
      OUTLIER_COLLECTOR_KAFKA_TOPICS_DEADLETTER: topics.deadletter,
      OUTLIER_COLLECTOR_HTTP_HOST: "127.0.0.1",
      OUTLIER_COLLECTOR_HTTP_PORT: String(port),
      OUTLIER_COLLECTOR_HTTP_METRICS_PORT: String(metricsPort),
      OUTLIER_COLLECTOR_HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      OUTLIER_COLLECTOR_HTTP_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      OUTLIER_COLLECTOR_HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
      OUTLIER_COLLECTOR_STATE_DIR: join(dir, "state"),
      OUTLIER_COLLECTOR_SOURCES_TETRAGON_FILE_PATH: tetragonLog,
      OUTLIER_COLLECTOR_SOURCES_AUDIT_WEBHOOK_TOKENS: AUDIT_TOKEN,
      OUTLIER_COLLECTOR_KUBERNETES_ENABLED: "false",
    };
    startCollector = async () => {
      const log = openSync(join(dir, "collector.log"), "a");
      collector = spawn(process.execPath, ["services/collector/src/main.ts"], { cwd: repoRoot, env, stdio: ["ignore", log, log] });
      closeSync(log);
      const deadline = Date.now() + 60_000;
      while ((await readyz()) !== 200) {
        if (Date.now() > deadline) throw new Error(`collector not ready in 60 s; see ${join(dir, "collector.log")}`);
        await sleep(250);
      }
    };
    await startCollector();
    const rss = (await metrics())("outlier_collector_process_resident_memory_bytes");
    console.info(`hostile: resident memory before any attack ${Math.round(rss / 1024 / 1024)} MiB`);
  });

  afterAll(async () => {
    if (collector) await stopServer(collector);
    await Promise.all([runtime, audit, deadletter].map((tail) => tail?.stop()));
    console.info(`hostile: peak resident memory per attack (MiB): ${JSON.stringify(peaks)}`);
    if (process.env.OUTLIER_KEEP_SERVERS === undefined) rmSync(dir, { recursive: true, force: true });
  });

  const url = (path: string, on = port) => `http://127.0.0.1:${on}${path}`;
  async function readyz(): Promise<number> {
    return fetch(url("/readyz", metricsPort)).then((r) => r.status, () => 0);
  }
  const metrics = () => metricsOf(url("/metrics", metricsPort));
  const postAudit = (body: string, authorization = `Bearer ${AUDIT_TOKEN}`) =>
    fetch(url("/audit"), { method: "POST", body, headers: { "content-type": "application/json", authorization } });

  /** Legitimate traffic: a few exec lines on the node and one audit event, remembered to be checked later. */
  async function legitTraffic(): Promise<void> {
    const lines = Array.from({ length: 10 }, () => events.next("process_exec").line);
    for (const line of lines) legitRuntime.add(expectedId(line, "tetragon", CLUSTER, NODE));
    appendFileSync(tetragonLog, `${lines.join("\n")}\n`);
    const auditID = randomUUID();
    legitAudit.add(`${auditID}/ResponseComplete`);
    await postLikeApiServer(JSON.stringify(auditEvent(auditID)));
  }

  /** Posts until 200, as the API server's webhook backend retries: a connection flood may refuse it for a while. */
  async function postLikeApiServer(body: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const status = await postAudit(body).then(async (r) => (await r.arrayBuffer(), r.status), () => 0);
      if (status === 200) return;
      if (![0, 429, 503].includes(status) || Date.now() > deadline) throw new Error(`legitimate audit event answered ${status}`);
      await sleep(250);
    }
  }

  /** Runs `attack` while legitimate traffic flows and memory is sampled; then checks every legitimate event arrived. */
  async function underAttack(name: string, attack: () => Promise<void>): Promise<void> {
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const rss = await metrics().then((m) => m("outlier_collector_process_resident_memory_bytes"), () => 0);
        peak = Math.max(peak, rss);
        await sleep(100);
      }
    })();
    let flowing = true;
    const legit = (async () => {
      while (flowing) {
        await legitTraffic();
        await sleep(200);
      }
    })();
    try {
      await attack();
    } finally {
      flowing = false;
      await legit;
    }
    await legitTraffic(); // and after it
    await expect.poll(() => missing(runtime, legitRuntime, (v) => (JSON.parse(v) as { id: string }).id), { timeout: 60_000, interval: 250 }).toEqual([]);
    await expect.poll(() => missing(audit, legitAudit, (v) => (JSON.parse(v) as { id: string }).id), { timeout: 60_000, interval: 250 }).toEqual([]);
    expect(await readyz()).toBe(200);
    sampling = false;
    await sampler;
    peaks[name] = Math.round(peak / 1024 / 1024);
    console.info(`hostile: ${name}: peak resident memory ${peaks[name]} MiB (bound ${MEMORY_BOUND / 1024 / 1024} MiB)`);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(MEMORY_BOUND);
  }

  it("600 exec lines of 5.4 KB on one workload and one with 900 KB of arguments: all produced, the long one cut and marked", async () => {
    const pod = events.pods[0]!;
    const burst: string[] = [];
    await underAttack("exec burst", async () => {
      for (let i = 0; i < 600; i++) burst.push(withArguments(events.next("process_exec", pod).line, randomBytes(2_048).toString("hex")));
      burst.push(withArguments(events.next("process_exec", pod).line, randomBytes(450 * 1024).toString("hex")));
      appendFileSync(tetragonLog, `${burst.join("\n")}\n`);
      const ids = new Set(burst.map((line) => expectedId(line, "tetragon", CLUSTER, NODE)));
      await expect.poll(() => missing(runtime, ids, (v) => (JSON.parse(v) as { id: string }).id), { timeout: 60_000, interval: 250 }).toEqual([]);
    });
    const longId = expectedId(burst.at(-1)!, "tetragon", CLUSTER, NODE);
    const long = runtime.messages.find((m) => m.value.includes(longId))!;
    expect(Buffer.byteLength(long.value)).toBeLessThanOrEqual(256 * 1024);
    expect((JSON.parse(long.value) as { process: { args: string } }).process.args).toMatch(/…\[truncated \d+ bytes\]$/);
    const m = await metrics();
    expect(m("outlier_collector_truncated_total")).toBe(1);
    expect(m("outlier_collector_producer_buffered")).toBe(0);
  });

  it("a restart after the burst neither drops records at shutdown nor wedges on what it reads again", async () => {
    await stopServer(collector);
    const log = readFileSync(join(dir, "collector.log"), "utf8");
    expect(log).not.toContain("records dropped at shutdown");
    await startCollector();
    await underAttack("restart", async () => {
      await sleep(1_000);
    });
    expect((await metrics())("outlier_collector_producer_buffered")).toBe(0);
  });

  it("a 3.6 MB audit Event is produced cut to size; one that cannot be cut to size is dead-lettered; both answered 200", async () => {
    const bigID = randomUUID();
    const manyID = randomUUID();
    await underAttack("audit 3.6 MB event", async () => {
      const big = auditEvent(bigID, { metadata: { name: "p", annotations: { note: randomBytes(1_800 * 1024).toString("hex") } } });
      const bigBody = JSON.stringify(big);
      expect(bigBody.length).toBeGreaterThan(3_600_000);
      const answer = await postAudit(bigBody);
      expect(answer.status).toBe(200);
      expect(await answer.json()).toMatchObject({ produced: 1 });
      const labels = Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`l${i}`, `v${i}`]));
      const many = await postAudit(JSON.stringify(auditEvent(manyID, { metadata: { name: "p", labels } })));
      expect(many.status).toBe(200);
      expect(await many.json()).toMatchObject({ deadlettered: 1 });
    });
    await expect.poll(() => audit.messages.some((m) => m.value.includes(bigID)), { timeout: 30_000 }).toBe(true);
    const cut = audit.messages.find((m) => m.value.includes(bigID))!;
    expect(Buffer.byteLength(cut.value)).toBeLessThanOrEqual(256 * 1024);
    expect(cut.value).toMatch(/…\[truncated \d+ bytes\]/);
    await expect.poll(() => deadletter.messages.some((m) => m.value.includes("record_too_large") && m.value.includes(manyID)), { timeout: 30_000 }).toBe(true);
  });

  it("EventLists of 1,000,000 empty items, ten at once, are refused with 413 (or 503 beyond the concurrent requests) before parsing", async () => {
    const body = JSON.stringify({ kind: "EventList", apiVersion: "audit.k8s.io/v1", items: Array.from({ length: 1_000_000 }, () => ({})) });
    const statuses: number[] = [];
    await underAttack("1,000,000 items", async () => {
      for (let round = 0; round < 3; round++) {
        const answers = await Promise.all(Array.from({ length: 10 }, () => postAudit(body)));
        statuses.push(...answers.map((a) => a.status));
      }
    });
    expect(new Set(statuses).size).toBeGreaterThan(0);
    expect(statuses.filter((s) => s !== 413 && s !== 503)).toEqual([]);
    expect(statuses).toContain(413);
  });

  it("an item nested 100,000 levels deep gets 400 with the reason and is dead-lettered, not a 503 to retry forever", async () => {
    const deepID = randomUUID();
    await underAttack("deep JSON", async () => {
      const deep = `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[{"auditID":"${deepID}","x":${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}}]}`;
      const answer = await postAudit(deep);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toEqual({ error: "JSON nested deeper than 64 levels; dead-lettered" });
    });
    await expect.poll(() => deadletter.messages.some((m) => m.value.includes("too_deeply_nested") && m.value.includes(deepID)), { timeout: 30_000 }).toBe(true);
  });

  it("200 unauthenticated slow connections are closed after their 401, an authenticated slow upload after the request timeout", async () => {
    const closed: number[] = [];
    let slowUpload: RawClient | undefined;
    await underAttack("slow connections", async () => {
      // The upload first: past maxConnections, later connections are closed at once.
      slowUpload = rawClient(port);
      slowUpload.socket.write(`POST /audit HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${AUDIT_TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 1000000\r\n\r\n{`);
      await sleep(200);
      const clients = Array.from({ length: 200 }, () => rawClient(port));
      for (const client of clients) client.socket.write(`POST /audit HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n{`);
      const drip = setInterval(() => [...clients, slowUpload!].forEach((c) => c.socket.writable && c.socket.write(" ")), 500);
      try {
        closed.push(...(await Promise.all(clients.map((c) => c.closedAfter))));
        await slowUpload.closedAfter;
      } finally {
        clearInterval(drip);
      }
    });
    console.info(`hostile: slow connections closed after at most ${Math.max(...closed)} ms; the slow upload after ${await slowUpload!.closedAfter} ms`);
    expect(Math.max(...closed)).toBeLessThan(5_000);
    expect(await slowUpload!.closedAfter).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
    expect(await slowUpload!.closedAfter).toBeLessThan(REQUEST_TIMEOUT_MS + 3_000);
    expect(slowUpload!.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it("connections beyond maxConnections are refused while probes on the metrics port still answer, and idle ones are closed", async () => {
    const clients: RawClient[] = [];
    await underAttack("connection flood", async () => {
      clients.push(...Array.from({ length: MAX_CONNECTIONS + 50 }, () => rawClient(port)));
      await sleep(500);
      expect(await readyz()).toBe(200);
      const closedAfter = await Promise.all(clients.map((c) => c.closedAfter));
      expect(Math.max(...closedAfter)).toBeLessThan(IDLE_TIMEOUT_MS + 3_000);
      expect(closedAfter.filter((ms) => ms < IDLE_TIMEOUT_MS / 2).length).toBeGreaterThanOrEqual(40);
    });
  });

  it("refuses 'Bearer <token> junk', and serves no metrics on the receivers' port", async () => {
    expect((await postAudit(JSON.stringify(auditEvent(randomUUID())), `Bearer ${AUDIT_TOKEN} junk`)).status).toBe(401);
    expect((await fetch(url("/metrics"))).status).toBe(404);
  });

  it("lost nothing since the restart: no record dropped, no tail gap; what was refused is counted by code", async () => {
    const m = await metrics();
    expect(m("outlier_collector_producer_dropped_total")).toBe(0);
    expect(m("outlier_collector_tail_gaps_total")).toBe(0);
    const text = await (await fetch(url("/metrics", metricsPort))).text();
    expect(text).toContain('outlier_collector_rejected_total{source="audit",code="record_too_large"} 1');
    expect(text).toContain('outlier_collector_rejected_total{source="audit",code="too_deeply_nested"} 1');
    expect(text).toContain('outlier_collector_truncated_total{source="audit"} 1');
  });
});

function auditEvent(auditID: string, requestObject?: object): object {
  const now = new Date().toISOString();
  return {
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: "Request",
    auditID,
    stage: "ResponseComplete",
    requestURI: "/api/v1/namespaces/shop/pods",
    verb: "create",
    user: { username: "system:serviceaccount:kube-system:replicaset-controller", groups: ["system:serviceaccounts"] },
    sourceIPs: ["10.0.0.10"],
    objectRef: { resource: "pods", namespace: "shop", name: "p", apiVersion: "v1" },
    responseStatus: { code: 201 },
    requestReceivedTimestamp: now,
    stageTimestamp: now,
    ...(requestObject ? { requestObject } : {}),
  };
}

function withArguments(line: string, args: string): string {
  const event = JSON.parse(line) as { process_exec: { process: { arguments: string } } };
  event.process_exec.process.arguments = args;
  return JSON.stringify(event);
}

/** Ids of `expected` not yet among the tail's messages. */
function missing(tail: Tail, expected: Set<string>, idOf: (value: string) => string): string[] {
  const seen = new Set(tail.messages.map((m) => idOf(m.value)));
  return [...expected].filter((id) => !seen.has(id));
}
