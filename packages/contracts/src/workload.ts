import { z } from "zod";

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "ReplicaSet", "Pod", "Host"] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

/** Which rule decided an event's workload; kept in the event so a wrong guess can be traced. */
export const WORKLOAD_RULES = [
  "tetragon-workload", // Tetragon's own workload / workload_kind fields
  "owner-reference", // the Kubernetes API: pod owner references (collector pod cache)
  "label:pod-template-hash", // ReplicaSet name minus the hash → Deployment
  "label:statefulset", // controller-revision-hash + statefulset.kubernetes.io/pod-name
  "label:daemonset", // controller-revision-hash + pod-template-generation
  "label:job-name", // job-name / batch.kubernetes.io/job-name
  "label:cronjob", // a Job name ending in a CronJob's scheduled-time suffix
  "pod-name", // the pod name pattern alone
  "bare-pod", // nothing better: the pod is its own workload
  "host", // a host process, outside any pod
] as const;
export type WorkloadRule = (typeof WORKLOAD_RULES)[number];

export const WorkloadRefSchema = z.object({
  kind: z.enum(WORKLOAD_KINDS),
  name: z.string().min(1),
  resolvedBy: z.enum(WORKLOAD_RULES),
});
export type WorkloadRef = z.infer<typeof WorkloadRefSchema>;

/** Kafka key and partitioning unit: every replica of one workload lands on one partition. */
export function workloadKey(cluster: string, namespace: string, kind: string, name: string): string {
  return `${cluster}/${namespace}/${kind}/${name}`;
}
