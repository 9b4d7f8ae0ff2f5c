import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Finding } from "@outlier/contracts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AlerterProcess } from "../services/alerter/src/testing/alerter-process.ts";
import { finding } from "../services/alerter/src/testing/findings.ts";
import { produceFindings, slackPosts, tally } from "../services/alerter/src/testing/scenario.ts";
import type { HttpReceiver } from "../packages/sinks/src/testing/http-receiver.ts";
import { startSlackReceiver } from "../packages/sinks/src/testing/slack-receiver.ts";
import { startSplunkHecReceiver, HEC_PATH, type SplunkHecReceiver } from "../packages/sinks/src/testing/splunk-hec-receiver.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../packages/sinks/src/testing/webhook-receiver.ts";
import { createTopics, uniqueTopic } from "./harness/topics.ts";

const SLACK_PATH = `/services/T0RESTART/B0RESTART/${randomUUID().replace(/-/g, "")}`;
const HEC_TOKEN = randomUUID();
const HMAC_SECRET = randomUUID();
const WORKLOADS = ["checkout", "ledger", "cart", "search", "auth", "mailer"];
const WAVES = 10;

describe("alerter killed mid-stream and started again: nothing lost, nothing posted twice", () => {
  const brokers = inject("kafkaBrokers");
  const dir = mkdtempSync(join(tmpdir(), "outlier-alerter-restart-"));
  const topics = { findings: uniqueTopic("it.findings"), deadletter: uniqueTopic("it.deadletter") };
  const waves: Finding[][] = Array.from({ length: WAVES }, (_, w) =>
    WORKLOADS.map((workload) => finding({ id: `${workload}-${w}`, workload, channel: `#${workload}`, pod: `${workload}-7d9f8-${w % 3}` })),
  );
  const all = waves.flat();
  let slack: HttpReceiver;
  let hec: SplunkHecReceiver;
  let webhook: WebhookReceiver;
  const started: AlerterProcess[] = [];
  let config: object;
  let routesFile: string;
  const env = () => ({ TEST_SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}`, TEST_HEC_TOKEN: HEC_TOKEN, TEST_WEBHOOK_HMAC: HMAC_SECRET });

  beforeAll(async () => {
    await createTopics(brokers, Object.values(topics));
    slack = await startSlackReceiver({ webhookPath: SLACK_PATH, token: "unused", channels: [] });
    hec = await startSplunkHecReceiver(HEC_TOKEN);
    webhook = await startWebhookReceiver(HMAC_SECRET);
    routesFile = join(dir, "routes.yaml");
    writeFileSync(
      routesFile,
      `
route:
  receiver: team-slack
  group_by: [namespace, workload]
  group_wait: 3s
  group_interval: 3s
  routes:
    - receiver: soc
      continue: true
      group_by: [workload]
      group_wait: 500ms
      group_interval: 1s
    - receiver: team-slack
receivers:
  - name: team-slack
    slack_configs:
      - channel: '{{ annotations["outlier.dev/slack-channel"] }}'
        api_url_env: TEST_SLACK_WEBHOOK_URL
  - name: soc
    splunk_hec_configs:
      - url: ${hec.receiver.url}${HEC_PATH}
        token_env: TEST_HEC_TOKEN
    webhook_configs:
      - url: ${webhook.receiver.url}/outlier
        hmac_secret_env: TEST_WEBHOOK_HMAC
`,
    );
    config = {
      logLevel: "info",
      routesFile,
      kafka: { brokers, clientId: "alerter-restart", groupId: uniqueTopic("alerter-restart"), fromBeginning: true, sessionTimeoutMs: 6000, topics },
      redis: { url: inject("redisUrl"), prefix: `t${randomUUID()}:` },
      grouping: { tickMs: 100 },
      http: { port: 0, host: "127.0.0.1" },
    };
  });

  afterAll(async () => {
    await Promise.all(started.map((a) => a.stop()));
    await Promise.all([slack, hec?.receiver, webhook?.receiver].map((r) => r?.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("SIGKILL after some deliveries, start again: every finding reaches every sink exactly once", async () => {
    const first = await AlerterProcess.start(dir, config, env());
    started.push(first);
    const producing = (async () => {
      for (const wave of waves) {
        await produceFindings(brokers, topics.findings, wave);
        await sleep(500);
      }
    })();

    // Kill it while findings are still arriving, and while batches whose findings the SIEMs
    // already have still wait for their Slack group (group_wait 3s): those are redelivered.
    // A kill within milliseconds of a sink's answer, before its Redis mark, is the one window
    // for a duplicate (docs/alerter.md); a crash between deliveries is what is tested here.
    await expect.poll(() => hec.events.length, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(12);
    await sleep(300);
    await first.kill();
    const deliveredBeforeKill = hec.events.length;
    const slackBeforeKill = slack.requests.length;
    expect(deliveredBeforeKill).toBeLessThan(all.length);

    const second = await AlerterProcess.start(dir, config, env());
    started.push(second);
    await producing;

    const ids = all.map((f) => f.id).sort();
    await expect.poll(() => [...new Set(hec.events.map((e) => (e.event as Finding).id))].sort(), { timeout: 90_000, interval: 200 }).toEqual(ids);
    await expect.poll(() => slackPosts(slack).reduce((n, p) => n + p.count, 0), { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(all.length);
    await sleep(3000); // room for a late duplicate to show up

    const hecCounts = tally(hec.events.map((e) => (e.event as Finding).id));
    const webhookCounts = tally(webhook.accepted.flatMap((b) => (b as { findings: Finding[] }).findings.map((f) => f.id)));
    const posts = slackPosts(slack);
    expect([...hecCounts.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect([...webhookCounts.keys()].sort()).toEqual(ids);
    expect([...webhookCounts.entries()].filter(([, n]) => n > 1)).toEqual([]);
    expect(posts.reduce((n, p) => n + p.count, 0)).toBe(all.length);
    expect([...tally(posts.flatMap((p) => p.ids)).entries()].filter(([, n]) => n > 1)).toEqual([]);
    for (const post of posts) expect(post.ids.every((id) => `#${id.split("-")[0]}` === post.channel)).toBe(true);
    // The second process was handed findings the first had delivered, and skipped them.
    const port = Number(/"port":(\d+)/.exec(await second.waitForLog(/"msg":"alerter started"/))?.[1]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(Number(/outlier_alerter_duplicates_skipped_total\{receiver="soc"\} (\d+)/.exec(metrics)?.[1] ?? 0)).toBeGreaterThan(0);
    // Both processes did part of the work.
    expect(slack.requests.length).toBeGreaterThan(slackBeforeKill);
    expect(slackBeforeKill).toBeGreaterThan(0);
  });
});
