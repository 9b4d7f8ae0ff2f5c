import type { Finding } from "@outlier/contracts";

export interface FindingOptions {
  id: string;
  workload?: string;
  namespace?: string;
  pod?: string;
  /** The workload's outlier.dev/slack-channel annotation. */
  channel?: string;
  labels?: Record<string, string>;
  severity?: Finding["severity"];
  /** Defaults to now, so latencies measured from it are real. */
  time?: string;
}

/** A valid process.unexpected finding, as the detector writes it. */
export function finding(options: FindingOptions): Finding {
  const workload = options.workload ?? "checkout";
  return {
    schema: "outlier.finding.v1",
    id: options.id,
    type: "process.unexpected",
    severity: options.severity ?? "high",
    time: options.time ?? new Date().toISOString(),
    cluster: "prod-eu",
    summary: `Unexpected process /usr/bin/curl in ${workload} (id ${options.id})`,
    workload: {
      kind: "Deployment",
      name: workload,
      namespace: options.namespace ?? "payments",
      labels: options.labels ?? { app: workload, team: "payments" },
      annotations: options.channel ? { "outlier.dev/slack-channel": options.channel } : {},
    },
    pod: options.pod ?? `${workload}-7d9f8-abcde`,
    container: "app",
    node: "node-a",
    process: { binary: "/usr/bin/curl", args: "-s http://10.0.0.9/x", pid: 4242, parent: { binary: "/bin/sh", pid: 4200 }, ancestors: ["/bin/sh"] },
    evidence: {},
    dedupKey: `process.unexpected|${workload}|${options.id}`,
  };
}
