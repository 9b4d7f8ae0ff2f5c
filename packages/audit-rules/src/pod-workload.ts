import type { Finding } from "@outlier/contracts";

type FindingWorkload = NonNullable<Finding["workload"]>;

// Kubernetes' random-suffix alphabet (no vowels, no 0/1/3): ReplicaSet pod-template
// hashes and generated pod-name suffixes are drawn from it.
const SAFE = "[bcdfghjklmnpqrstvwxz2456789]";
const DEPLOYMENT_POD = new RegExp(`^(.+)-${SAFE}{6,10}-${SAFE}{5}$`);
const DEPLOYMENT_GENERATE_NAME = new RegExp(`^(.+)-${SAFE}{6,10}-$`);

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
  const name = (DEPLOYMENT_POD.exec(podName) ?? DEPLOYMENT_GENERATE_NAME.exec(podName))?.[1];
  return name ? { kind: "Deployment", name, namespace, labels, annotations: {} } : undefined;
}
