import { MemoryBus } from "@outlier/bus";
import { loadRoutes } from "@outlier/routing";
import { describe, expect, it } from "vitest";
import { createSink, secretResolver, SecretError } from "./index.ts";

const ROUTES = `
route:
  receiver: all
receivers:
  - name: all
    slack_configs:
      - channel: '{{ annotations["outlier.dev/slack-channel"] | default "#security" }}'
        api_url_env: SLACK_URL
    webhook_configs:
      - url: https://hooks.example.com/outlier
        hmac_secret_env: HOOK_SECRET
    splunk_hec_configs:
      - url: https://splunk.example.com:8088/services/collector/event
        token_env: HEC_TOKEN
    elasticsearch_configs:
      - url: https://es.example.com:9200
        index: outlier-findings
    syslog_configs:
      - host: siem.example.com
        port: 6514
    kafka_configs:
      - topic: soc.findings
`;

const ENV = { SLACK_URL: "https://hooks.slack.com/services/T/B/x", HOOK_SECRET: "s", HEC_TOKEN: "t" };

function sinkConfigs() {
  return loadRoutes(ROUTES).receivers.get("all")!.sinks;
}

describe("createSink", () => {
  it("builds one sender per sink kind from the routing file, named kind:target", async () => {
    const env = { secrets: secretResolver({ env: ENV }), producer: new MemoryBus().producer() };
    const sinks = sinkConfigs().map((config) => createSink(config, env));
    expect(sinks.map((s) => s.name)).toEqual([
      'slack:{{ annotations["outlier.dev/slack-channel"] | default "#security" }}',
      "webhook:hooks.example.com/outlier",
      "splunk_hec:splunk.example.com:8088",
      "elasticsearch:outlier-findings",
      "syslog:siem.example.com:6514",
      "kafka:soc.findings",
    ]);
    expect(sinks[0]!.pacing?.intervalMs).toBe(1_000);
    await Promise.all(sinks.map((s) => s.close()));
  });

  it("fails at start-up, naming the variable, when a secret is missing", () => {
    const [slack] = sinkConfigs();
    expect(() => createSink(slack!, { secrets: secretResolver({ env: {} }) })).toThrow(SecretError);
    expect(() => createSink(slack!, { secrets: secretResolver({ env: {} }) })).toThrow("environment variable SLACK_URL");
  });

  it("needs brokers or the alerter's producer for a Kafka sink", () => {
    const kafka = sinkConfigs().find((c) => c.kind === "kafka")!;
    expect(() => createSink(kafka, { secrets: secretResolver({ env: {} }) })).toThrow("no brokers configured and no producer given");
  });
});
