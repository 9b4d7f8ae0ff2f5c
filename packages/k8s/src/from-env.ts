import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import { PodCache, type PodCacheOptions } from "./pod-cache.ts";
import { WorkloadMetaCache, type WorkloadMetaCacheOptions } from "./workload-meta-cache.ts";

export interface PodCacheFromEnvOptions extends Omit<PodCacheOptions, "kubeConfig" | "nodeName"> {
  /** The collector's node, from the downward API (`spec.nodeName` → NODE_NAME). */
  nodeName: string | undefined;
  logger: Logger;
}

/**
 * A pod cache for this node, or undefined outside a cluster (no
 * KUBERNETES_SERVICE_HOST and no kubeconfig): the collector then relies on the
 * label/name rules alone. Not started: call `start()`.
 */
export function createPodCacheFromEnv(options: PodCacheFromEnvOptions): PodCache | undefined {
  const { nodeName, ...cacheOptions } = options;
  const kubeConfig = kubeConfigFromEnv();
  if (!kubeConfig) {
    options.logger.info("no Kubernetes API configured: pods resolved from event labels and names only");
    return undefined;
  }
  // Without a node name the watch would cover every pod of the cluster on every node.
  if (!nodeName) throw new Error("the collector's node name is required for the pod cache (set NODE_NAME from spec.nodeName)");
  return new PodCache({ ...cacheOptions, kubeConfig, nodeName });
}

/**
 * The cluster-wide workload labels/annotations cache, or undefined outside a cluster
 * (no KUBERNETES_SERVICE_HOST and no kubeconfig): the detector then uses the labels
 * the events carry. Not started: call `start()`.
 */
export function createWorkloadMetaCacheFromEnv(options: Omit<WorkloadMetaCacheOptions, "kubeConfig">): WorkloadMetaCache | undefined {
  const kubeConfig = kubeConfigFromEnv();
  if (!kubeConfig) {
    options.logger.info("no Kubernetes API configured: workload labels taken from the events' pods, no annotations");
    return undefined;
  }
  return new WorkloadMetaCache({ ...options, kubeConfig });
}

function kubeConfigFromEnv(): KubeConfig | undefined {
  const env = process.env;
  const kubeConfig = new KubeConfig();
  if (env.KUBERNETES_SERVICE_HOST) {
    kubeConfig.loadFromCluster();
    return kubeConfig;
  }
  // One file is enough for a node agent; KUBECONFIG's multi-file merge is not supported.
  const file = env.KUBECONFIG?.split(":").find((path) => path !== "") ?? join(env.HOME ?? homedir(), ".kube", "config");
  if (!existsSync(file)) return undefined;
  kubeConfig.loadFromFile(file);
  return kubeConfig;
}
