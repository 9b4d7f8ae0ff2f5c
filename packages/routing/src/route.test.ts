import { describe, expect, it } from "vitest";
import { findingLabels } from "./labels.ts";
import { loadRoutes } from "./load.ts";
import { routeFinding } from "./route.ts";
import { makeFinding } from "./test-finding.ts";

const RECEIVERS = ["default", "payments", "prod", "not-kube", "critical", "siem", "audit"]
  .map((name) => `  - name: ${name}\n`)
  .join("");

function receiversFor(routes: string, finding = makeFinding()): string[] {
  const config = loadRoutes(`route:\n  receiver: default\n  routes:\n${routes}receivers:\n${RECEIVERS}`);
  return routeFinding(config, finding).map((m) => m.receiver);
}

describe("findingLabels", () => {
  it("merges workload labels with the finding's own values, which win", () => {
    const finding = makeFinding({ labels: { app: "checkout", severity: "low", team: "payments" }, severity: "high" });
    expect(findingLabels(finding)).toEqual({
      app: "checkout",
      team: "payments",
      cluster: "prod-eu",
      namespace: "payments",
      workload: "checkout",
      kind: "Deployment",
      container: "app",
      type: "process.unexpected",
      severity: "high",
    });
  });
  it("leaves out what a finding without a workload does not have", () => {
    const { workload: _, ...rest } = makeFinding();
    expect(Object.keys(findingLabels({ ...rest, container: undefined }))).toEqual(["cluster", "type", "severity"]);
  });
});

describe("routeFinding", () => {
  it("matches on workload labels", () => {
    const routes = `    - receiver: payments\n      matchers: ['team="payments"']\n`;
    expect(receiversFor(routes)).toEqual(["payments"]);
    expect(receiversFor(routes, makeFinding({ labels: { team: "search" } }))).toEqual(["default"]);
  });

  it("anchors regex matchers like Alertmanager", () => {
    const routes = `    - receiver: prod\n      matchers: ['namespace=~"prod-.*"']\n`;
    expect(receiversFor(routes, makeFinding({ namespace: "prod-payments" }))).toEqual(["prod"]);
    expect(receiversFor(routes, makeFinding({ namespace: "preprod-payments" }))).toEqual(["default"]);
  });

  it("supports != and !~", () => {
    const routes = `    - receiver: not-kube\n      matchers: ['namespace!~"kube-.*"', 'kind!="Pod"']\n`;
    expect(receiversFor(routes, makeFinding({ namespace: "payments" }))).toEqual(["not-kube"]);
    expect(receiversFor(routes, makeFinding({ namespace: "kube-system" }))).toEqual(["default"]);
  });

  it("stops at the first matching child unless it continues", () => {
    const stop = `    - receiver: payments\n      matchers: ['team="payments"']\n    - receiver: prod\n      matchers: ['cluster="prod-eu"']\n`;
    expect(receiversFor(stop)).toEqual(["payments"]);
    const go = `    - receiver: payments\n      matchers: ['team="payments"']\n      continue: true\n    - receiver: prod\n      matchers: ['cluster="prod-eu"']\n`;
    expect(receiversFor(go)).toEqual(["payments", "prod"]);
  });

  it("falls back to the parent when no child matches, and to the root's receiver at the top", () => {
    const nested = `    - receiver: prod
      matchers: ['cluster="prod-eu"']
      routes:
        - receiver: critical
          matchers: ['severity="critical"']
`;
    expect(receiversFor(nested)).toEqual(["prod"]);
    expect(receiversFor(nested, makeFinding({ severity: "critical" }))).toEqual(["critical"]);
    expect(receiversFor(nested, makeFinding({ cluster: "staging" }))).toEqual(["default"]);
  });

  it("matches severity ordering with min_severity", () => {
    const routes = `    - receiver: siem\n      min_severity: high\n      continue: true\n`;
    expect(receiversFor(routes, makeFinding({ severity: "high" }))).toEqual(["siem"]);
    expect(receiversFor(routes, makeFinding({ severity: "critical" }))).toEqual(["siem"]);
    expect(receiversFor(routes, makeFinding({ severity: "medium" }))).toEqual(["default"]);
  });

  it("reports the matchers, group and inherited timing of each match", () => {
    const config = loadRoutes(`route:
  receiver: default
  group_by: [namespace, workload]
  repeat_interval: 12h
  routes:
    - receiver: siem
      min_severity: high
      continue: true
      group_wait: 5s
    - matchers: ['team="payments"']
      routes:
        - receiver: payments
          matchers: ['app=~"check.*"']
          group_by: [app]
receivers:
${RECEIVERS}`);
    const matches = routeFinding(config, makeFinding({ severity: "critical" }));
    expect(matches).toEqual([
      {
        receiver: "siem",
        routePath: "route.routes[0]",
        matchers: ["min_severity: high"],
        groupKey: 'route.routes[0]:siem:{namespace="payments",workload="checkout"}',
        groupLabels: { namespace: "payments", workload: "checkout" },
        timing: { groupWaitMs: 5_000, groupIntervalMs: 300_000, repeatIntervalMs: 43_200_000 },
      },
      {
        receiver: "payments",
        routePath: "route.routes[1].routes[0]",
        matchers: ['team="payments"', 'app=~"check.*"'],
        groupKey: 'route.routes[1].routes[0]:payments:{app="checkout"}',
        groupLabels: { app: "checkout" },
        timing: { groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 43_200_000 },
      },
    ]);
  });

  it("groups by every label with '...'", () => {
    const config = loadRoutes(`route:\n  receiver: default\n  group_by: ['...']\nreceivers:\n${RECEIVERS}`);
    const [match] = routeFinding(config, makeFinding());
    expect(Object.keys(match!.groupLabels)).toEqual(Object.keys(findingLabels(makeFinding())).sort());
  });
});
