import type { KubernetesObject } from "@kubernetes/client-node";

export interface TestWorkloadOptions {
  kind: "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob";
  namespace?: string;
  name: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const API_VERSIONS: Record<TestWorkloadOptions["kind"], string> = {
  Deployment: "apps/v1",
  ReplicaSet: "apps/v1",
  StatefulSet: "apps/v1",
  DaemonSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
};

/**
 * A workload object as the API server returns it, with the bulk a real one has
 * (managedFields, `kubectl apply`'s last-applied copy, a pod template, status), so
 * tests can check that none of it is kept.
 */
export function testWorkload(options: TestWorkloadOptions): KubernetesObject & Record<string, unknown> {
  const metadata = {
    namespace: options.namespace ?? "shop",
    name: options.name,
    uid: options.uid ?? `uid-${options.kind.toLowerCase()}-${options.name}`,
    resourceVersion: "1",
    generation: 3,
    creationTimestamp: new Date("2025-01-01T00:00:00Z"),
    labels: options.labels ?? { app: options.name },
    annotations: { "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ spec: { replicas: 3 } }), ...options.annotations },
    managedFields: [{ manager: "kubectl-client-side-apply", operation: "Update", apiVersion: API_VERSIONS[options.kind], fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} } }],
  };
  const template = { metadata: { labels: { app: options.name } }, spec: { containers: [{ name: "app", image: "nginx:1.27" }] } };
  return {
    apiVersion: API_VERSIONS[options.kind],
    kind: options.kind,
    metadata,
    spec: options.kind === "CronJob" ? { schedule: "*/5 * * * *", jobTemplate: { spec: { template } } } : { template },
    status: { observedGeneration: 3 },
  };
}
