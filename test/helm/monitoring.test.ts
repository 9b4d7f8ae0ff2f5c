import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createAlerterMetrics, registerGauges as registerAlerterGauges } from "@outlier/alerter";
import { createCollectorMetrics, registerGauges as registerCollectorGauges, tailMetrics } from "@outlier/collector";
import { createDetectorMetrics, registerGauges as registerDetectorGauges } from "@outlier/detector-service";
import { createMetrics, registerConnectionGauges } from "@outlier/service-kit";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHART } from "./chart.ts";

/** Labels Prometheus adds to every series from the scrape target (ServiceMonitor), not from the code. */
const TARGET_LABELS = new Set(["namespace", "pod", "service", "job", "instance", "container", "endpoint"]);

/** Every series name the three services expose, with its label names, built from their own metric code. */
function registeredSeries(): Map<string, Set<string>> {
  const zero = () => 0;
  const informer = () => ({ restarts: 0, lists: 0 });
  const collector = createMetrics("outlier_collector_");
  createCollectorMetrics(collector);
  registerCollectorGauges(collector, { producerBuffered: zero, enrichPending: zero, podCache: informer });
  tailMetrics(collector);
  const detector = createMetrics("outlier_detector_");
  createDetectorMetrics(detector);
  registerDetectorGauges(detector, { storeRoundTrips: zero, cachedBaselines: zero, deferredExecs: zero, workloadMeta: informer });
  const connections = { kafkaConnected: () => true, redisConnected: () => true, consumerLag: () => [] };
  registerConnectionGauges(detector, "outlier_detector_", connections);
  const alerter = createMetrics("outlier_alerter_");
  createAlerterMetrics(alerter);
  registerAlerterGauges(alerter, { pending: zero });
  registerConnectionGauges(alerter, "outlier_alerter_", connections);

  const series = new Map<string, Set<string>>();
  for (const registry of [collector, detector, alerter]) {
    for (const metric of registry.getMetricsAsArray()) {
      const labels = new Set((metric as { labelNames?: readonly string[] }).labelNames ?? []);
      // prom-client's types declare `type` a numeric enum; at run time it is the Prometheus type name.
      const type = String(metric.type);
      if (type === "histogram") {
        series.set(`${metric.name}_bucket`, new Set([...labels, "le"]));
        series.set(`${metric.name}_sum`, labels);
        series.set(`${metric.name}_count`, labels);
      } else if (type === "summary") {
        series.set(metric.name, new Set([...labels, "quantile"]));
        series.set(`${metric.name}_sum`, labels);
        series.set(`${metric.name}_count`, labels);
      } else {
        series.set(metric.name, labels);
      }
    }
  }
  return series;
}

interface Problem {
  expr: string;
  problem: string;
}

/**
 * What a PromQL expression references that the code does not register: unknown metric names,
 * label names in selectors and in by (...) that none of its metrics carries.
 */
function check(expr: string, series: Map<string, Set<string>>): { metrics: string[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const metrics: string[] = [];
  const known = new Set(TARGET_LABELS);
  for (const match of expr.matchAll(/\b(outlier_[a-z0-9_]+)(\{[^}]*\})?/g)) {
    const [, name, selector] = match;
    metrics.push(name!);
    const labels = series.get(name!);
    if (!labels) {
      problems.push({ expr, problem: `metric ${name} is not registered` });
      continue;
    }
    for (const label of labels) known.add(label);
    for (const [, label] of (selector ?? "").matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)) {
      if (!labels.has(label!) && !TARGET_LABELS.has(label!)) problems.push({ expr, problem: `${name} has no label ${label}` });
    }
  }
  for (const [, list] of expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
    for (const label of list!.split(",").map((l) => l.trim()).filter(Boolean)) {
      if (!known.has(label)) problems.push({ expr, problem: `by (${label}): no metric here has that label` });
    }
  }
  return { metrics, problems };
}

const series = registeredSeries();

describe("Grafana dashboard and Prometheus rules name only metrics the code registers", () => {
  it("the registry check itself knows the services' metrics and rejects a made-up one", () => {
    expect(series.get("outlier_alerter_dead_letters_total")).toEqual(new Set(["source", "code"]));
    expect(series.has("outlier_detector_batch_duration_seconds_bucket")).toBe(true);
    expect(series.has("outlier_collector_process_resident_memory_bytes")).toBe(true);
    expect(check('sum by (sink) (rate(outlier_alerter_made_up_lag{group="x"}[5m]))', series).problems.map((p) => p.problem)).toEqual([
      "metric outlier_alerter_made_up_lag is not registered",
      "by (sink): no metric here has that label",
    ]);
    expect(check('sum by (sinks) (outlier_alerter_deliveries_total{results="x"})', series).problems.map((p) => p.problem)).toEqual([
      "outlier_alerter_deliveries_total has no label results",
      "by (sinks): no metric here has that label",
    ]);
  });

  it("files/prometheus-rules.yaml", () => {
    const rules = (parse(readFileSync(join(CHART, "files", "prometheus-rules.yaml"), "utf8")) as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> })
      .groups.flatMap((g) => g.rules);
    const results = rules.map((r) => check(r.expr, series));
    expect(results.flatMap((r) => r.problems)).toEqual([]);
    // The three alerts the chart promises: dead letters, an open sink circuit, falling behind.
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(["OutlierFindingsDeadLettered", "OutlierSinkCircuitOpen", "OutlierDetectorFallingBehind", "OutlierAlerterFallingBehind"]));
    expect(results.every((r) => r.metrics.length > 0)).toBe(true);
  });

  it("files/grafana-dashboard.json", () => {
    const dashboard = JSON.parse(readFileSync(join(CHART, "files", "grafana-dashboard.json"), "utf8")) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
      templating: { list: Array<{ definition?: string }> };
    };
    const exprs = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
      ...dashboard.templating.list.flatMap((v) => (v.definition ? [v.definition] : [])),
    ];
    const results = exprs.map((expr) => check(expr, series));
    expect(results.flatMap((r) => r.problems)).toEqual([]);
    expect(results.every((r) => r.metrics.length > 0)).toBe(true);
    // Every service's own metrics are on it, not just the process ones.
    const shown = new Set(results.flatMap((r) => r.metrics));
    const own = [...series.keys()].filter((name) => !/_(process|nodejs)_/.test(name) && !/_(sum|count)$/.test(name));
    expect(own.filter((name) => !shown.has(name))).toEqual([]);
  });
});
