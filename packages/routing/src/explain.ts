import { displayText, formatDuration, type Finding } from "@outlier/contracts";
import type { RouteNode, RoutingConfig } from "./config.ts";
import { destinationsFor } from "./destinations.ts";
import { traceRoute, type RouteStep } from "./route.ts";

/**
 * A human-readable trace for `outlier routes test`: the finding's labels, each route
 * node tried (every condition with the value it saw), the nodes skipped, and the
 * receivers and destinations reached.
 */
export function explainRoute(config: RoutingConfig, finding: Finding): string {
  const trace = traceRoute(config, finding);
  const steps = new Map(trace.steps.map((step) => [step.node, step]));
  const lines = [
    // One line per finding whatever its names hold: a newline in a pod name must not forge a line.
    displayText(`finding ${finding.id}: ${finding.type} (${finding.severity})${finding.workload ? ` ${finding.cluster}/${finding.workload.namespace}/${finding.workload.kind}/${finding.workload.name}` : ""}`),
    `labels: ${Object.entries(trace.labels)
      .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
      .join(", ")}`,
    "routes:",
  ];
  const visit = (node: RouteNode, depth: number): void => {
    const step = steps.get(node);
    lines.push(`${"  ".repeat(depth + 1)}${describeNode(node, step)}`);
    if (step?.matched) node.routes.forEach((child) => visit(child, depth + 1));
  };
  visit(config.route, 0);
  lines.push("receivers:");
  for (const match of trace.matches) {
    const { groupWaitMs, groupIntervalMs, repeatIntervalMs } = match.timing;
    const group = Object.entries(match.groupLabels).map(([name, value]) => `${name}=${JSON.stringify(value)}`);
    lines.push(
      `  ${match.receiver} via ${match.routePath}; group {${group.join(", ")}}; ` +
        `wait ${formatDuration(groupWaitMs)}, interval ${formatDuration(groupIntervalMs)}, repeat ${formatDuration(repeatIntervalMs)}` +
        (config.withoutSecrets.has(match.receiver) ? "; could not send: no secret location (api_url_env, token_file, …) in the file" : ""),
    );
  }
  const destinations = destinationsFor(config, finding);
  lines.push(`destinations: ${destinations.length > 0 ? destinations.join(", ") : "(none: the receiver has no sinks)"}`);
  return lines.join("\n");
}

function describeNode(node: RouteNode, step: RouteStep | undefined): string {
  const head = `${node.path} -> ${node.receiver}${node.continue ? " (continue)" : ""}`;
  if (!step) return `${head}: not tried (an earlier sibling matched without continue)`;
  const conditions = step.conditions.map((c) => `${c.condition} ${c.ok ? "✓" : "✗"} (is ${JSON.stringify(c.actual)})`);
  const outcome = step.matched ? "matched" : "no match";
  return conditions.length > 0 ? `${head}: ${outcome}: ${conditions.join(", ")}` : `${head}: ${outcome} (no conditions)`;
}
