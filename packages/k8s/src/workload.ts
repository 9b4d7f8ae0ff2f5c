import type { V1OwnerReference, V1Pod } from "@kubernetes/client-node";
import { cronJobOfJobName, type WorkloadRef } from "@outlier/contracts";

export type OwnerWorkload = WorkloadRef & { resolvedBy: "owner-reference" };

const POD_TEMPLATE_HASH = "pod-template-hash";

/**
 * The workload that owns a pod, from its controller owner reference, without reading
 * any other object (the collector's RBAC is pods only). Undefined when the pod has no
 * name or is owned by a kind Outlier does not model (custom controllers,
 * ReplicationController): the caller then keeps its label/name inference.
 */
export function workloadFromPod(pod: V1Pod): OwnerWorkload | undefined {
  const podName = pod.metadata?.name;
  if (!podName) return undefined;
  const owner = controllerOf(pod.metadata?.ownerReferences);
  if (!owner) return ownedBy("Pod", podName);
  switch (owner.kind) {
    case "ReplicaSet":
      return fromReplicaSet(owner.name, pod.metadata?.labels?.[POD_TEMPLATE_HASH]);
    case "StatefulSet":
    case "DaemonSet":
      return ownedBy(owner.kind, owner.name);
    case "Job":
      return fromJob(owner.name);
    case "Node":
      // A static pod's mirror: the kubelet runs it from a manifest; it is its own workload.
      return ownedBy("Pod", podName);
    default:
      return undefined;
  }
}

function controllerOf(owners: V1OwnerReference[] | undefined): V1OwnerReference | undefined {
  return owners?.find((o) => o.controller === true) ?? owners?.[0];
}

function fromReplicaSet(replicaSetName: string, podTemplateHash: string | undefined): OwnerWorkload {
  const suffix = `-${podTemplateHash}`;
  if (podTemplateHash && replicaSetName.endsWith(suffix) && replicaSetName.length > suffix.length) {
    return ownedBy("Deployment", replicaSetName.slice(0, -suffix.length));
  }
  return ownedBy("ReplicaSet", replicaSetName);
}

/**
 * Pods carry no CronJob label and the Job's `batch.kubernetes.io/cronjob-scheduled-timestamp`
 * annotation is on the Job, not the pod, so with pods-only RBAC the Job's name is all we have.
 */
function fromJob(jobName: string): OwnerWorkload {
  const cronJob = cronJobOfJobName(jobName);
  return cronJob ? ownedBy("CronJob", cronJob) : ownedBy("Job", jobName);
}

function ownedBy(kind: OwnerWorkload["kind"], name: string): OwnerWorkload {
  return { kind, name, resolvedBy: "owner-reference" };
}
