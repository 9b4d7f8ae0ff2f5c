import type { Finding } from "@outlier/contracts";
import type { RoutingConfig } from "./config.ts";
import { templateContext } from "./labels.ts";
import { routeFinding } from "./route.ts";
import { SINKS, type SinkConfig, type SinkSpec, type TargetContext } from "./sinks/index.ts";

/**
 * Where a finding goes, as "kind:target" ("slack:#payments-oncall", "splunk_hec:soc"):
 * the Slack channel from its template, the Kafka topic, otherwise the receiver's name.
 * Each destination is listed once, in routing order.
 */
export function destinationsFor(config: RoutingConfig, finding: Finding): string[] {
  const context = templateContext(finding);
  const destinations = new Set<string>();
  for (const match of routeFinding(config, finding)) {
    for (const sink of config.receivers.get(match.receiver)?.sinks ?? []) {
      destinations.add(destination(sink, { ...context, receiver: match.receiver }));
    }
  }
  return [...destinations];
}

export function destination(sink: SinkConfig, context: TargetContext): string {
  const spec = SINKS.find((s) => s.kind === sink.kind) as SinkSpec<string, SinkConfig>;
  return `${sink.kind}:${spec.target(sink, context)}`;
}
