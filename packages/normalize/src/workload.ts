import { controllerOfPodName, cronJobOfJobName, WORKLOAD_KINDS, type WorkloadKind, type WorkloadRef } from "@outlier/contracts";

/**
 * Workload inference without an API server: from what the event itself says about
 * its pod. Rules, first match wins (resolvedBy names the rule):
 *
 * 1. Tetragon's own `workload` (+ `workload_kind` when present) → "tetragon-workload".
 * 2. Labels the controllers stamp on their pods:
 *    - `pod-template-hash` → Deployment: the pod name minus `-<hash>-<suffix>`;
 *    - `controller-revision-hash` + `statefulset.kubernetes.io/pod-name` → StatefulSet
 *      (pod name minus `-<ordinal>`);
 *    - `controller-revision-hash` + `pod-template-generation` → DaemonSet (pod name
 *      minus `-<5 chars>`);
 *    - `job-name` / `batch.kubernetes.io/job-name` → Job, or CronJob when the Job name
 *      ends in the CronJob controller's scheduled-time suffix (8–10 digits).
 * 3. The pod name alone (`controllerOfPodName` in contracts): `<name>-<6–10>-<5>` →
 *    Deployment, `<name>-<digits>` → StatefulSet, `<name>-<5>` → DaemonSet.
 * 4. Otherwise the pod is its own workload: kind Pod, "bare-pod".
 */
export interface PodIdentity {
  namespace: string;
  name: string;
  labels: Record<string, string>;
}

export interface WorkloadHint {
  workload?: string;
  workloadKind?: string;
}

export function inferWorkload(pod: PodIdentity, hint: WorkloadHint = {}): WorkloadRef {
  const inferred = fromLabels(pod) ?? fromPodName(pod.name) ?? { kind: "Pod", name: pod.name, resolvedBy: "bare-pod" };
  if (!hint.workload) return inferred;
  return { kind: tetragonKind(hint.workload, hint.workloadKind, pod, inferred), name: hint.workload, resolvedBy: "tetragon-workload" };
}

/** A process outside any pod: the node is its "workload" ("unknown" when the node is not named either). */
export function hostWorkload(node: string | undefined): WorkloadRef {
  return { kind: "Host", name: node ?? "unknown", resolvedBy: "host" };
}

/**
 * Tetragon before 2024 sends `workload` without `workload_kind`. Its workload is the
 * top controller's name: take the kind our own rules found for that same name, Pod
 * when it is the pod's own name, else our kind guess (Deployment when we found none,
 * the commonest controller whose name differs from its pods').
 */
function tetragonKind(name: string, kind: string | undefined, pod: PodIdentity, inferred: WorkloadRef): WorkloadKind {
  if (isWorkloadKind(kind) && kind !== "Host") return kind;
  if (name === inferred.name) return inferred.kind;
  if (name === pod.name) return "Pod";
  return inferred.kind === "Pod" ? "Deployment" : inferred.kind;
}

function isWorkloadKind(kind: string | undefined): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind ?? "");
}

function fromLabels({ name, labels }: PodIdentity): WorkloadRef | undefined {
  const hash = labels["pod-template-hash"];
  if (hash) return { kind: "Deployment", name: deploymentName(name, hash), resolvedBy: "label:pod-template-hash" };
  if (labels["controller-revision-hash"] && labels["statefulset.kubernetes.io/pod-name"]) {
    return { kind: "StatefulSet", name: name.replace(/-\d+$/, ""), resolvedBy: "label:statefulset" };
  }
  if (labels["controller-revision-hash"] && labels["pod-template-generation"]) {
    return { kind: "DaemonSet", name: name.replace(/-[a-z0-9]{5}$/, ""), resolvedBy: "label:daemonset" };
  }
  const job = labels["batch.kubernetes.io/job-name"] ?? labels["job-name"];
  if (!job) return undefined;
  const cronJob = cronJobOfJobName(job);
  return cronJob ? { kind: "CronJob", name: cronJob, resolvedBy: "label:cronjob" } : { kind: "Job", name: job, resolvedBy: "label:job-name" };
}

/** `web-6f87496b94-qdlh8` with hash `6f87496b94` → `web`. Old (pre-1.11) hashes are not in the name: drop two segments. */
function deploymentName(podName: string, hash: string): string {
  const at = podName.lastIndexOf(`-${hash}-`);
  if (at > 0) return podName.slice(0, at);
  return /^(.+)-[^-]+-[^-]+$/.exec(podName)?.[1] ?? podName;
}

function fromPodName(name: string): WorkloadRef | undefined {
  const controller = controllerOfPodName(name);
  return controller && { ...controller, resolvedBy: "pod-name" };
}
