import { stableId, workloadKey, type Finding, type RuntimeEvent, type Severity } from "@outlier/contracts";

/** Falco priorities (syslog names) onto our severities. */
const PRIORITY: Record<string, Severity> = {
  emergency: "critical",
  alert: "critical",
  critical: "critical",
  error: "high",
  warning: "medium",
  notice: "low",
  informational: "info",
  info: "info",
  debug: "info",
};

/**
 * A Falco alert passes through as `falco.<rule>`: Falco already judged it. Not an alert
 * that feeds the detector a process exec it can judge (`fed`): the baseline and the exec
 * sessions judge that process, and passing it through too doubled every process. An exec
 * alert that cannot feed (no container name in its output) still passes through.
 */
export function falcoFinding(event: RuntimeEvent, fed: boolean): Finding | undefined {
  const rule = event.rule;
  if (!rule || fed) return undefined;
  const slug = rule.name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  const type = `falco.${slug}`;
  const where = event.pod && event.workload ? workloadKey(event.cluster, event.pod.namespace, event.workload.kind, event.workload.name) : (event.node ?? "host");
  const dedupKey = `${type}|${where}|${event.pod?.container?.name ?? ""}|${event.process?.binary ?? ""}`;
  const finding: Finding = {
    schema: "outlier.finding.v1",
    id: stableId(type, event.id),
    type,
    severity: PRIORITY[rule.priority.toLowerCase()] ?? "medium",
    time: event.time,
    cluster: event.cluster,
    summary: rule.output ?? rule.name,
    evidence: { rule, source: event.source, sourceKind: event.sourceKind },
    dedupKey,
  };
  if (event.pod && event.workload) {
    finding.workload = { kind: event.workload.kind, name: event.workload.name, namespace: event.pod.namespace, labels: { ...event.pod.labels }, annotations: {} };
    finding.pod = event.pod.name;
  }
  if (event.pod?.container?.name) finding.container = event.pod.container.name;
  if (event.node) finding.node = event.node;
  if (event.process) finding.process = event.process;
  return finding;
}
