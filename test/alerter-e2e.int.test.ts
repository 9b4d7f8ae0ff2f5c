import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "@outlier/contracts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { AlerterProcess } from "../services/alerter/src/testing/alerter-process.ts";
import { finding } from "../services/alerter/src/testing/findings.ts";
import { produceFindings, slackPosts, tally, topicSize } from "../services/alerter/src/testing/scenario.ts";
import { startElasticsearchReceiver, type ElasticsearchReceiver } from "../packages/sinks/src/testing/elasticsearch-receiver.ts";
import { HttpReceiver, text } from "../packages/sinks/src/testing/http-receiver.ts";
import { startSlackReceiver } from "../packages/sinks/src/testing/slack-receiver.ts";
import { startSplunkHecReceiver, HEC_PATH, type SplunkHecReceiver } from "../packages/sinks/src/testing/splunk-hec-receiver.ts";
import { startWebhookReceiver, type WebhookReceiver } from "../packages/sinks/src/testing/webhook-receiver.ts";
import { collectMessages, createTopics, uniqueTopic } from "./harness/topics.ts";

// Secrets, all given to the alerter through its environment only.
const SLACK_PATH = `/services/T0SECRET/B0SECRET/${randomUUID().replace(/-/g, "")}`;
const BROKEN_SLACK_PATH = `/services/T0BROKEN/B0BROKEN/${randomUUID().replace(/-/g, "")}`;
const HEC_TOKEN = randomUUID();
const HMAC_SECRET = `hmac-${randomUUID()}`;
const ES_API_KEY = Buffer.from(`id:${randomUUID()}`).toString("base64");

const CHECKOUT = { workload: "checkout", channel: "#payments-oncall", labels: { app: "checkout", team: "payments" } };
const LEDGER = { workload: "ledger", channel: "#ledger", labels: { app: "ledger", team: "bank" } };
const CART = { workload: "cart", labels: { app: "cart", team: "shop" } };

/** 12 findings: checkout on two replicas (payments), ledger, and cart without a channel annotation; every other one high. */
function burst(): Finding[] {
  const findings: Finding[] = [];
  for (let i = 0; i < 6; i++) findings.push(finding({ id: `co-${i}`, ...CHECKOUT, pod: `checkout-7d9f8-${i % 2 ? "aaaaa" : "bbbbb"}`, severity: i % 2 ? "high" : "medium" }));
  for (let i = 0; i < 3; i++) findings.push(finding({ id: `le-${i}`, ...LEDGER, severity: i % 2 ? "high" : "medium" }));
  for (let i = 0; i < 3; i++) findings.push(finding({ id: `ca-${i}`, ...CART, severity: i % 2 ? "high" : "low" }));
  return findings;
}

describe("alerter end to end: real Kafka and Redis, local Slack / Splunk HEC / webhook / Elasticsearch receivers", () => {
  const brokers = inject("kafkaBrokers");
  const dir = mkdtempSync(join(tmpdir(), "outlier-alerter-e2e-"));
  const topics = { findings: uniqueTopic("it.findings"), deadletter: uniqueTopic("it.deadletter") };
  const findings = burst();
  const high = findings.filter((f) => f.severity === "high");
  const payments = findings.filter((f) => f.workload?.labels.team === "payments");
  let slack: HttpReceiver;
  let brokenSlack: HttpReceiver;
  let hec: SplunkHecReceiver;
  let webhook: WebhookReceiver;
  let es: ElasticsearchReceiver;
  let alerter: AlerterProcess;
  const secrets = [`${SLACK_PATH}`, SLACK_PATH.split("/").at(-1)!, BROKEN_SLACK_PATH, BROKEN_SLACK_PATH.split("/").at(-1)!, HEC_TOKEN, HMAC_SECRET, ES_API_KEY];

  beforeAll(async () => {
    await createTopics(brokers, Object.values(topics));
    slack = await startSlackReceiver({ webhookPath: SLACK_PATH, token: "unused", channels: [] });
    // A Slack that fails every post, and says which URL failed, with the secret path in it.
    brokenSlack = await HttpReceiver.start((request) => text(500, `internal_error while posting to ${request.path}`));
    hec = await startSplunkHecReceiver(HEC_TOKEN);
    webhook = await startWebhookReceiver(HMAC_SECRET);
    es = await startElasticsearchReceiver({ apiKey: ES_API_KEY });
    const routesFile = join(dir, "routes.yaml");
    writeFileSync(
      routesFile,
      `
route:
  receiver: team-slack
  group_by: [namespace, workload]
  group_wait: 2s
  group_interval: 1m
  routes:
    - receiver: soc
      min_severity: high
      continue: true
      group_by: [cluster]
      group_wait: 1s
      group_interval: 2s
    - receiver: payments-bridge
      matchers: ['team="payments"']
      continue: true
    - receiver: team-slack
receivers:
  - name: team-slack
    slack_configs:
      - channel: '{{ annotations["outlier.dev/slack-channel"] | default "#security" }}'
        api_url_env: TEST_SLACK_WEBHOOK_URL
  - name: soc
    splunk_hec_configs:
      - url: ${hec.receiver.url}${HEC_PATH}
        token_env: TEST_HEC_TOKEN
    webhook_configs:
      - url: ${webhook.receiver.url}/outlier
        hmac_secret_env: TEST_WEBHOOK_HMAC
    elasticsearch_configs:
      - url: ${es.receiver.url}
        index: outlier-findings
        api_key_env: TEST_ES_API_KEY
  - name: payments-bridge
    slack_configs:
      - api_url_env: TEST_BROKEN_SLACK_URL
`,
    );
    alerter = await AlerterProcess.start(
      dir,
      {
        logLevel: "debug",
        routesFile,
        kafka: { brokers, clientId: "alerter-e2e", groupId: uniqueTopic("alerter-e2e"), fromBeginning: true, topics },
        redis: { url: inject("redisUrl"), prefix: `t${randomUUID()}:` },
        delivery: { initialDelayMs: 100, maxDelayMs: 500, maxAttempts: 4 },
        grouping: { tickMs: 100 },
        http: { port: 0, host: "127.0.0.1" },
      },
      {
        TEST_SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}`,
        TEST_BROKEN_SLACK_URL: `${brokenSlack.url}${BROKEN_SLACK_PATH}`,
        TEST_HEC_TOKEN: HEC_TOKEN,
        TEST_WEBHOOK_HMAC: HMAC_SECRET,
        TEST_ES_API_KEY: ES_API_KEY,
      },
    );
    await produceFindings(brokers, topics.findings, findings);
  });

  afterAll(async () => {
    await alerter?.stop();
    await Promise.all([slack, brokenSlack, hec?.receiver, webhook?.receiver, es?.receiver].map((r) => r?.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("posts one grouped Slack message per workload, to the channel its annotation names", async () => {
    await expect.poll(() => slackPosts(slack).reduce((n, p) => n + p.count, 0), { timeout: 60_000, interval: 200 }).toBe(findings.length);
    const posts = slackPosts(slack);
    expect(posts.map((p) => [p.channel, p.count]).sort()).toEqual([
      ["#ledger", 3],
      ["#payments-oncall", 6],
      ["#security", 3],
    ]);
    const listed = posts.flatMap((p) => p.ids);
    for (const post of posts) expect(post.ids.every((id) => id.startsWith({ "#ledger": "le-", "#payments-oncall": "co-", "#security": "ca-" }[post.channel]!))).toBe(true);
    expect([...tally(listed).values()].every((n) => n === 1)).toBe(true);
    expect(JSON.parse(slack.requests.find((r) => r.body.includes("#payments-oncall"))!.body).text).toMatch(/checkout: 6 unexpected processes across 2 replicas/);
  });

  it("delivers every high finding, and only those, to Splunk HEC, the signed webhook and Elasticsearch", async () => {
    const want = high.map((f) => f.id).sort();
    await expect.poll(() => hec.events.map((e) => (e.event as Finding).id).sort(), { timeout: 60_000, interval: 200 }).toEqual(want);
    await expect.poll(() => webhook.accepted.flatMap((b) => (b as { findings: Finding[] }).findings.map((f) => f.id)).sort(), { timeout: 30_000 }).toEqual(want);
    await expect.poll(() => es.documents.size, { timeout: 30_000 }).toBe(want.length);
    expect(hec.events[0]).toMatchObject({ source: "outlier", sourcetype: "outlier:finding" });
  });

  it("dead-letters every delivery of the always-failing sink with its reason, after retries", async () => {
    type Letter = { schema: string; code: string; source: string; message: string; payload: string };
    const readLetters = async () => (await collectMessages(brokers, topics.deadletter, await topicSize(brokers, topics.deadletter))).map((m) => JSON.parse(m.value) as Letter);
    const idsIn = (letters: Letter[]) => letters.flatMap((l) => (JSON.parse(l.payload) as { findings: Finding[] }).findings.map((f) => f.id));
    await expect.poll(async () => idsIn(await readLetters()), { timeout: 60_000, interval: 1000 }).toEqual(expect.arrayContaining(payments.map((f) => f.id)));
    const letters = await readLetters();
    expect(letters[0]).toMatchObject({ schema: "outlier.deadletter.v1", source: "sink:slack:webhook" });
    expect(["server_error", "circuit_open"]).toContain(letters[0]!.code);
    expect(brokenSlack.requests.length).toBeGreaterThanOrEqual(4); // the first delivery tried maxAttempts times
    expect(letters[0]!.message).not.toContain(BROKEN_SLACK_PATH.split("/").at(-1)!);
    expect(alerter.lines.some((l) => l.includes('"msg":"delivery attempt failed; retrying"'))).toBe(true);
  });

  it("never writes a secret into its logs, error paths included", async () => {
    await expect.poll(() => alerter.lines.some((l) => l.includes('"msg":"delivery failed; dead-lettered"')), { timeout: 30_000 }).toBe(true);
    expect(alerter.lines.filter((l) => l.includes("slack:webhook")).length).toBeGreaterThanOrEqual(4); // retries and dead letters of the failing sink
    for (const line of alerter.lines) {
      for (const secret of secrets) expect(line, `log line leaks a secret: ${line}`).not.toContain(secret);
    }
  });
});
