import type { Finding } from "@outlier/contracts";
import type { TemplateContext } from "./template.ts";

/**
 * The labels routes match on: the workload's labels, then cluster, namespace, workload,
 * kind, container, type and severity. The finding's own values win over a workload
 * label of the same name, so a label cannot pretend to be a severity.
 */
export function findingLabels(finding: Finding): Record<string, string> {
  const labels: Record<string, string> = { ...finding.workload?.labels };
  const own: Record<string, string | undefined> = {
    cluster: finding.cluster,
    namespace: finding.workload?.namespace ?? finding.namespace,
    workload: finding.workload?.name,
    kind: finding.workload?.kind,
    container: finding.container,
    type: finding.type,
    severity: finding.severity,
  };
  for (const [name, value] of Object.entries(own)) {
    if (value === undefined) delete labels[name];
    else labels[name] = value;
  }
  return labels;
}

/** What templates (e.g. a Slack channel) may read from a finding. */
export function templateContext(finding: Finding): TemplateContext {
  return { labels: findingLabels(finding), annotations: finding.workload?.annotations ?? {} };
}
