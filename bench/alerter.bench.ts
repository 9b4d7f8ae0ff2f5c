/**
 * pnpm bench:alerter — a burst of findings through the alerter, as an incident looks.
 *
 * Produces BENCH_FINDINGS (default 1,000) findings across 10 workloads (5 team channels)
 * at once to a real Kafka broker, runs the alerter (in this process, real Redis) against
 * local receivers that answer like Slack and Splunk HEC, and prints: Slack posts per
 * channel per minute (target ≤ 60: grouping coalesces the burst), SIEM deliveries
 * (target 100 %), and the latency from a finding being produced to Splunk receiving it
 * (p50, p99). Kafka / Redis: KAFKA_BROKERS / REDIS_URL, else servers started by the test
 * harness. Results on stdout, progress and warnings on stderr.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { randomUUID } from "node:crypto";
import type { Finding } from "../packages/contracts/src/index.ts";
import { createLogger, createMetrics } from "../packages/service-kit/src/index.ts";
import { HttpReceiver, text } from "../packages/sinks/src/testing/http-receiver.ts";
import { HEC_PATH, startSplunkHecReceiver } from "../packages/sinks/src/testing/splunk-hec-receiver.ts";
import { AlerterConfigSchema, startAlerter } from "../services/alerter/src/index.ts";
import { finding } from "../services/alerter/src/testing/findings.ts";
import { produceFindings } from "../services/alerter/src/testing/scenario.ts";
import { startKafkaBroker, type KafkaBroker } from "../test/harness/kafka.ts";
import { repoRoot } from "../test/harness/paths.ts";
import { startRedis, type RedisServer } from "../test/harness/redis.ts";
import { createTopics, uniqueTopic } from "../test/harness/topics.ts";
import { printTable } from "./lib/table.ts";
import { machine } from "./lib/timing.ts";

const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 1000);
const WORKLOADS = ["checkout", "cart", "ledger", "billing", "search", "indexer", "auth", "session", "mailer", "notifier"];
/** Two workloads per team channel. */
const channelOf = (i: number) => `#team-${Math.floor(i / 2) + 1}`;
const SLACK_PATH = `/services/T0BENCH/B0BENCH/${randomUUID().replace(/-/g, "")}`;
const HEC_TOKEN = randomUUID();
const DIR = path.join(repoRoot, ".cache/bench");

/** The routing file: team channels from the workload's annotation, digests in Slack, every finding to the SIEM. */
const ROUTES = (hecUrl: string) => `
route:
  receiver: team-slack
  group_by: [namespace, workload]
  group_wait: 10s
  group_interval: 30s
  routes:
    - receiver: siem
      continue: true
      group_by: [namespace, workload]
      group_wait: 1s
      group_interval: 2s
    - receiver: team-slack
receivers:
  - name: team-slack
    slack_configs:
      - channel: '{{ annotations["outlier.dev/slack-channel"] | default "#security" }}'
        api_url_env: BENCH_SLACK_WEBHOOK_URL
  - name: siem
    splunk_hec_configs:
      - url: ${hecUrl}${HEC_PATH}
        token_env: BENCH_HEC_TOKEN
`;

const logger = createLogger({ level: "warn", name: "bench-alerter", destination: process.stderr });

async function main(): Promise<void> {
  const { brokers, redisUrl, stop } = await servers();
  const slackPosts: { channel: string; at: number }[] = [];
  const slack = await HttpReceiver.start((request) => {
    slackPosts.push({ channel: (JSON.parse(request.body) as { channel: string }).channel, at: request.at });
    return text(200, "ok");
  });
  const hec = await startSplunkHecReceiver(HEC_TOKEN);
  const topics = { findings: uniqueTopic("bench.findings"), deadletter: uniqueTopic("bench.deadletter") };
  await createTopics(brokers, Object.values(topics));
  mkdirSync(DIR, { recursive: true });
  const routesFile = path.join(DIR, "alerter-routes.yaml");
  writeFileSync(routesFile, ROUTES(hec.receiver.url));

  const config = AlerterConfigSchema.parse({
    logLevel: "warn",
    routesFile,
    kafka: { brokers, clientId: "bench-alerter", groupId: uniqueTopic("bench-alerter"), fromBeginning: true, topics },
    redis: { url: redisUrl, prefix: `bench${randomUUID()}:` },
    http: { port: 0, host: "127.0.0.1" },
  });
  const alerter = await startAlerter({
    config,
    logger,
    registry: createMetrics("outlier_alerter_"),
    env: { BENCH_SLACK_WEBHOOK_URL: `${slack.url}${SLACK_PATH}`, BENCH_HEC_TOKEN: HEC_TOKEN },
  });

  const burst = findings(FINDINGS);
  const producedAt = new Map<string, number>();
  const started = Date.now();
  await produceFindings(brokers, topics.findings, burst);
  for (const f of burst) producedAt.set(f.id, started);
  process.stderr.write(`produced ${FINDINGS} findings; waiting for the SIEM to have them all\n`);

  const received = new Map<string, number>();
  const deadline = Date.now() + 10 * 60_000;
  while (received.size < FINDINGS && Date.now() < deadline) {
    await sleep(250);
    hec.receiver.requests.forEach((request) => {
      for (const match of request.body.matchAll(/"id":"(bench-[\w-]+)"/g)) if (!received.has(match[1]!)) received.set(match[1]!, request.at);
    });
  }
  const siemDone = Date.now();
  await sleep(12_000); // the last Slack digests follow the SIEM by group_wait
  await alerter.stop();
  await Promise.all([slack.close(), hec.receiver.close()]);
  await stop();

  report({ slackPosts, received, producedAt, started, siemDone });
}

function findings(count: number): Finding[] {
  return Array.from({ length: count }, (_, i) => {
    const w = i % WORKLOADS.length;
    const workload = WORKLOADS[w]!;
    return finding({ id: `bench-${i}`, workload, channel: channelOf(w), pod: `${workload}-7d9f8-${i % 3}`, namespace: `ns-${Math.floor(w / 2) + 1}` });
  });
}

interface Results {
  slackPosts: { channel: string; at: number }[];
  received: Map<string, number>;
  producedAt: Map<string, number>;
  started: number;
  siemDone: number;
}

function report({ slackPosts, received, producedAt, started, siemDone }: Results): void {
  const info = machine();
  console.log(`alerter bench: ${FINDINGS.toLocaleString("en-US")} findings across ${WORKLOADS.length} workloads, ${new Set(WORKLOADS.map((_, i) => channelOf(i))).size} Slack channels, produced at once`);
  console.log(`machine: ${info.cpus} × ${info.cpuModel}, Node ${info.node}, ${info.date}, load average ${info.loadAverage.toFixed(1)}`);
  console.log(`timing: Slack group_wait 10s / group_interval 30s; SIEM group_wait 1s / group_interval 2s\n`);

  const channels = [...new Set(slackPosts.map((p) => p.channel))].sort();
  printTable(
    ["Slack channel", "posts", "max posts in any minute"],
    channels.map((channel) => {
      const posts = slackPosts.filter((p) => p.channel === channel);
      const perMinute = new Map<number, number>();
      for (const p of posts) perMinute.set(Math.floor((p.at - started) / 60_000), (perMinute.get(Math.floor((p.at - started) / 60_000)) ?? 0) + 1);
      return [channel, String(posts.length), String(Math.max(...perMinute.values()))];
    }),
  );
  const latencies = [...received].map(([id, at]) => at - (producedAt.get(id) ?? at)).sort((a, b) => a - b);
  console.log("");
  printTable(
    ["SIEM (Splunk HEC)", "value"],
    [
      ["deliveries", `${received.size} / ${FINDINGS} (${((100 * received.size) / FINDINGS).toFixed(1)} %)`],
      ["latency p50, produced → received", `${(percentile(latencies, 0.5) / 1000).toFixed(2)} s`],
      ["latency p99", `${(percentile(latencies, 0.99) / 1000).toFixed(2)} s`],
      ["latency max", `${((latencies.at(-1) ?? 0) / 1000).toFixed(2)} s`],
      ["all received after", `${((siemDone - started) / 1000).toFixed(1)} s`],
    ],
  );
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

async function servers(): Promise<{ brokers: string[]; redisUrl: string; stop(): Promise<void> }> {
  const given = process.env.KAFKA_BROKERS?.split(",").map((b) => b.trim()).filter(Boolean) ?? [];
  process.stderr.write(`${given.length ? "" : "starting a Kafka broker (set KAFKA_BROKERS to use a running one); "}${process.env.REDIS_URL ? "" : "starting redis-server (or set REDIS_URL)"}\n`);
  const [broker, redis]: [KafkaBroker | undefined, RedisServer | undefined] = await Promise.all([
    given.length ? undefined : startKafkaBroker(),
    process.env.REDIS_URL ? undefined : startRedis(),
  ]);
  return {
    brokers: given.length ? given : broker!.brokers,
    redisUrl: process.env.REDIS_URL ?? redis!.url,
    async stop() {
      await Promise.all([broker?.dispose(), redis?.dispose()]);
    },
  };
}

await main();
