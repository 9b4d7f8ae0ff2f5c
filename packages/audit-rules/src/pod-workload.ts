import { deploymentOfPodName, type Finding } from "@outlier/contracts";

type FindingWorkload = NonNullable<Finding["workload"]>;

/**
 * The Deployment a pod belongs to, from its name alone (`<deployment>-<hash>-<suffix>`,
 * or the ReplicaSet's `generateName` on a pod create). Other kinds cannot be told apart
 * from a name with confidence (`web-0`, `agent-x7k2p`), so they stay undefined and the
 * caller resolves them from the pod itself.
 */
export function workloadFromPodName(
  namespace: string,
  podName: string,
  labels: Record<string, string> = {},
): FindingWorkload | undefined {
  const name = deploymentOfPodName(podName);
  return name ? { kind: "Deployment", name, namespace, labels, annotations: {} } : undefined;
}
