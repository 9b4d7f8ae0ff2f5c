import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Finding } from "@outlier/contracts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AlerterProcess } from "../services/alerter/src/testing/alerter-process.ts";
import { finding } from "../services/alerter/src/testing/findings.ts";
import { produceFindings, tally, topicSize } from "../services/alerter/src/testing/scenario.ts";
import { HttpReceiver, text, type ReceivedRequest } from "../packages/sinks/src/testing/http-receiver.ts";
import { rateLimited } from "../packages/sinks/src/testing/slack-receiver.ts";
import { createTopics, uniqueTopic } from "./harness/topics.ts";

const SLACK_PATH = `/services/T0STORM/B0STORM/${randomUUID().replace(/-/g, "")}`;
const STORM_MS = 60_000;
const RETRY_AFTER_S = 10;
/** Requests one channel may make in one Retry-After period: its groups' retries plus new notifications. */
const MAX_PER_PERIOD = 6;

const CHANNELS: Record<string, string> = { checkout: "#payments", ledger: "#payments", cart: "#shop", search: "#shop" };

describe("a 60-second 429 storm at Slack (real timers)", () => {
  const brokers = inject("kafkaBrokers");
  const dir = mkdtempSync(join(tmpdir(), "outlier-alerter-storm-"));
  const topics = { findings: uniqueTopic("it.findings"), deadletter: uniqueTopic("it.deadletter") };
  // Three waves during the storm, four workloads in two channels.
  const waves: Finding[][] = [0, 1, 2].map((w) =>
    Object.entries(CHANNELS).flatMap(([workload, channel]) => [0, 1].map((i) => finding({ id: `${workload}-${w}-${i}`, workload, channel }))),
  );
  const all = waves.flat();
  let stormEnd = Infinity;
  const answered: { request: ReceivedRequest; status: number }[] = [];
  let slack: HttpReceiver;
  let alerter: AlerterProcess;

  beforeAll(async () => {
    await createTopics(brokers, Object.values(topics));
    // Slack during an incident: 429 with Retry-After for every post until the storm ends, then 200 ok.
    slack = await HttpReceiver.start((request) => {
      const answer = request.path !== SLACK_PATH ? text(404, "no_service") : request.at < stormEnd ? rateLimited(RETRY_AFTER_S) : text(200, "ok");
      answered.push({ request, status: answer.status });
      return answer;
    });
    const routesFile = join(dir, "routes.yaml");
    writeFileSync(
      routesFile,
      `
route:
  receiver: team-slack
  group_by: [namespace, workload]
  group_wait: 2s
  group_interval: 10s
receivers:
  - name: team-slack
    slack_configs:
      - channel: '{{ annotations["outlier.dev/slack-channel"] }}'
        api_url_env: TEST_SLACK_WEBHOOK_URL
`,
    );
    // Production delivery settings: nothing tuned for the test.
    alerter = await AlerterProcess.start(
      dir,
      {
        logLevel: "info",
        routesFile,
        kafka: { brokers, clientId: "alerter-storm", groupId: uniqueTopic("alerter-storm"), fromBeginning: true, topics },
        redis: { url: inject("redisUrl"), prefix: `t${randomUUID()}:` },
        http: { port: 0, host: "127.0.0.1" },
      },
      { TEST_SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}` },
    );
  });

  afterAll(async () => {
    await alerter?.stop();
    await slack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("delivers every finding once Slack recovers, dead-letters nothing, and paces its retries by Retry-After", { timeout: 240_000 }, async () => {
    const stormStart = Date.now();
    stormEnd = stormStart + STORM_MS;
    for (const wave of waves) {
      await produceFindings(brokers, topics.findings, wave);
      await sleep(15_000);
    }

    const accepted = () => answered.filter((a) => a.status === 200).map((a) => JSON.parse(a.request.body) as { channel: string; text: string });
    const count = (text: string) => Number(/: (\d+) unexpected process/.exec(text)?.[1] ?? "1");
    await expect.poll(() => accepted().reduce((n, m) => n + count(m.text), 0), { timeout: 150_000, interval: 500 }).toBe(all.length);

    // Nothing was given up on, and nothing was posted twice.
    expect(await topicSize(brokers, topics.deadletter)).toBe(0);
    const listed = accepted().flatMap((m) => [...m.text.matchAll(/\(id ([\w.-]+)\)/g)].map((x) => x[1]!));
    expect([...tally(listed).values()].every((n) => n === 1)).toBe(true);
    for (const message of accepted()) expect(message.channel).toMatch(/^#(payments|shop)$/);

    // No retry storm: per channel and Retry-After period, a handful of requests at most.
    const limited = answered.filter((a) => a.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    const perPeriod = tally(
      limited.map((a) => `${(JSON.parse(a.request.body) as { channel: string }).channel}@${Math.floor((a.request.at - stormStart) / (RETRY_AFTER_S * 1000))}`),
    );
    expect(Math.max(...perPeriod.values())).toBeLessThanOrEqual(MAX_PER_PERIOD);
    expect(limited.length).toBeLessThanOrEqual(2 * MAX_PER_PERIOD * (STORM_MS / (RETRY_AFTER_S * 1000)));
  });
});
