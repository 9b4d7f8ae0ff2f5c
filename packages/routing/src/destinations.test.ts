import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { destinationsFor } from "./destinations.ts";
import { explainRoute } from "./explain.ts";
import { loadRoutes } from "./load.ts";
import { makeFinding } from "./test-finding.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const example = loadRoutes(readFileSync(path.join(repoRoot, "examples/routes.yaml"), "utf8"), { fileName: "examples/routes.yaml" });

describe("destinationsFor on the example file", () => {
  it("sends the payments team's findings to its channel, and archives them", () => {
    expect(destinationsFor(example, makeFinding())).toEqual(["elasticsearch:archive", "slack:#payments-oncall"]);
  });

  it("adds the SIEMs at or above high", () => {
    expect(destinationsFor(example, makeFinding({ severity: "high" }))).toEqual([
      "splunk_hec:soc",
      "syslog:soc",
      "elasticsearch:archive",
      "slack:#payments-oncall",
    ]);
  });

  it("pages and keeps the on-call channel informed for critical findings in prod namespaces", () => {
    const finding = makeFinding({ namespace: "prod-search", labels: { app: "search" }, severity: "critical" });
    expect(destinationsFor(example, finding)).toEqual([
      "splunk_hec:soc",
      "syslog:soc",
      "elasticsearch:archive",
      "webhook:paging-bridge",
      "slack:#prod-oncall",
    ]);
    const sandbox = makeFinding({ namespace: "prod-sandbox-1", labels: { app: "toy" } });
    expect(destinationsFor(example, sandbox)).toEqual(["elasticsearch:archive", "slack:#security-alerts"]);
  });

  it("takes the Slack channel from the workload's annotation, with a default", () => {
    const optedIn = { app: "search", "outlier.dev/notify": "slack" };
    const annotated = makeFinding({ namespace: "search", labels: optedIn, annotations: { "outlier.dev/slack-channel": "#search-team" } });
    expect(destinationsFor(example, annotated)).toEqual(["elasticsearch:archive", "slack:#search-team"]);
    const bare = makeFinding({ namespace: "search", labels: optedIn });
    expect(destinationsFor(example, bare)).toEqual(["elasticsearch:archive", "slack:#security-alerts"]);
  });
});

describe("destinationsFor", () => {
  it("lists each destination once and names Kafka by topic and an Incoming Webhook without channel by receiver", () => {
    const config = loadRoutes(`route:
  receiver: a
  routes:
    - receiver: a
      continue: true
    - receiver: b
receivers:
  - name: a
    kafka_configs:
      - topic: findings.copy
  - name: b
    kafka_configs:
      - topic: findings.copy
    slack_configs:
      - api_url_env: SLACK_WEBHOOK_URL
`);
    expect(destinationsFor(config, makeFinding())).toEqual(["kafka:findings.copy", "slack:b"]);
  });
});

describe("explainRoute", () => {
  it("shows each node tried, the values its matchers saw, and the result", () => {
    const finding = makeFinding({ namespace: "prod-search", labels: { app: "search" }, severity: "critical" });
    const text = explainRoute(example, finding);
    expect(text).toContain('namespace="prod-search"');
    expect(text).toContain("route.routes[0] -> soc (continue): matched: min_severity: high ✓ (is \"critical\")");
    expect(text).toContain('route.routes[2] -> payments-slack: no match: team="payments" ✗ (is "")');
    expect(text).toContain("route.routes[3].routes[0] -> paging-bridge (continue): matched");
    expect(text).toContain("route.routes[4] -> team-slack: not tried");
    expect(text).toContain("paging-bridge via route.routes[3].routes[0]; group {");
    expect(text).toContain("wait 0s, interval 5m, repeat 4h");
    expect(text).toMatch(/destinations: splunk_hec:soc, syslog:soc, elasticsearch:archive, webhook:paging-bridge, slack:#prod-oncall$/);
  });
});
