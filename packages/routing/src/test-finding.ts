import type { Finding } from "@outlier/contracts";

/** A valid finding for tests: a process.unexpected in prod-eu/payments/checkout, with overrides. */
export function makeFinding(overrides: Partial<Finding> & { labels?: Record<string, string>; annotations?: Record<string, string>; namespace?: string; name?: string } = {}): Finding {
  const { labels, annotations, namespace, name, ...rest } = overrides;
  return {
    schema: "outlier.finding.v1",
    id: "f-1",
    type: "process.unexpected",
    severity: "medium",
    time: "2024-05-01T10:00:00.000000000Z",
    cluster: "prod-eu",
    summary: "unexpected process /usr/bin/curl",
    workload: {
      kind: "Deployment",
      name: name ?? "checkout",
      namespace: namespace ?? "payments",
      labels: labels ?? { app: "checkout", team: "payments" },
      annotations: annotations ?? {},
    },
    pod: "checkout-7d9f8-abcde",
    container: "app",
    evidence: {},
    dedupKey: "checkout/app//usr/bin/curl",
    ...rest,
  };
}
