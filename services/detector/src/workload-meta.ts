import { setTimeout as sleep } from "node:timers/promises";
import type { WorkloadMeta } from "@outlier/baseline";
import type { RuntimeEvent } from "@outlier/contracts";
import { createWorkloadMetaCacheFromEnv, type WorkloadMetaCache, type WorkloadMetaCacheHealth } from "@outlier/k8s";
import type { Logger } from "pino";

/** The read side of `WorkloadMetaCache` that detection needs. */
export interface WorkloadMetaLookup {
  get(kind: string, namespace: string, name: string): WorkloadMeta | undefined;
}

/**
 * `DetectorDeps.workloadMeta`: the labels and annotations of the event's workload
 * object (Deployment, StatefulSet, DaemonSet, Job, CronJob) from the Kubernetes API.
 * Undefined when the cache does not have it (not synced yet, a ReplicaSet or bare
 * Pod, a host process): the Detector then uses the pod's labels.
 */
export function workloadMetaFor(cache: WorkloadMetaLookup): (event: RuntimeEvent) => WorkloadMeta | undefined {
  return (event) => {
    const { pod, workload } = event;
    if (!pod || !workload) return undefined;
    const meta = cache.get(workload.kind, pod.namespace, workload.name);
    return meta && { labels: meta.labels, annotations: meta.annotations };
  };
}

/** The workload cache the config asks for, to start and stop with the service. */
export interface WorkloadMetaSource {
  /** For `DetectorDeps.workloadMeta`; undefined without a Kubernetes API. */
  readonly lookup: ((event: RuntimeEvent) => WorkloadMeta | undefined) | undefined;
  health(): WorkloadMetaCacheHealth | undefined;
  start(): void;
  /**
   * Resolves true once every kind is listed (at once without a cache), false after
   * `timeoutMs`. Wait before consuming: an event judged before the annotations are
   * known gets the default policy, and could lock a baseline whose
   * `outlier.dev/learning-window` is longer.
   */
  whenSynced(timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * kubernetes.enabled: false → events' labels only; true → the cache is required
 * (in-cluster or kubeconfig); auto → the cache only when running in a pod.
 */
export function createWorkloadMetaSource(enabled: boolean | "auto", deps: { logger: Logger; env: NodeJS.ProcessEnv }): WorkloadMetaSource {
  const wanted = enabled === true || (enabled === "auto" && deps.env.KUBERNETES_SERVICE_HOST !== undefined);
  const cache = wanted ? createWorkloadMetaCacheFromEnv({ logger: deps.logger }) : undefined;
  if (enabled === true && cache === undefined) throw new Error("kubernetes.enabled is true but no Kubernetes API is configured (not in a pod, no kubeconfig)");
  if (!cache) return { lookup: undefined, health: () => undefined, start() {}, whenSynced: async () => true, async stop() {} };
  return cacheSource(cache, deps.logger);
}

function cacheSource(cache: WorkloadMetaCache, logger: Logger): WorkloadMetaSource {
  return {
    lookup: workloadMetaFor(cache),
    health: () => cache.health(),
    start: () => cache.start(),
    async whenSynced(timeoutMs) {
      const synced = await Promise.race([cache.whenSynced().then(() => true), sleep(timeoutMs, false, { ref: false })]);
      if (!synced) logger.warn({ timeoutMs, kinds: cache.health().kinds }, "workload labels and annotations not all listed yet; detecting with what is known");
      return synced;
    },
    stop: () => cache.stop(),
  };
}
