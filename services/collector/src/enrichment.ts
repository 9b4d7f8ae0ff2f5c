import { createPodCacheFromEnv, PodEnricher, type PodCache } from "@outlier/k8s";
import type { Logger } from "pino";
import type { CollectorConfig } from "./config.ts";
import { markPodSpecNoise } from "./enrich-noise.ts";
import { noopEnricher, type Enricher } from "./enrich.ts";
import type { CollectorMetrics } from "./metrics.ts";

/** The enricher the config asks for, with the pod cache behind it (if any) to start and stop. */
export interface Enrichment {
  readonly enricher: Enricher;
  /** Events held until their pod appears. */
  pending(): number;
  /** The pod cache's restarts and full lists (zeros without one). */
  informer(): { restarts: number; lists: number };
  start(): void;
  /** Releases held events (un-enriched) and stops watching pods. */
  stop(): Promise<void>;
}

/**
 * kubernetes.enabled: false → no enrichment; true → a pod cache is required (in-cluster or
 * kubeconfig); auto → a pod cache only when running in a pod.
 */
export function createEnrichment(config: CollectorConfig, deps: { logger: Logger; metrics: CollectorMetrics; env: NodeJS.ProcessEnv }): Enrichment {
  const mode = config.kubernetes.enabled;
  const wanted = mode === true || (mode === "auto" && deps.env.KUBERNETES_SERVICE_HOST !== undefined);
  const cache = wanted ? createPodCacheFromEnv({ nodeName: config.nodeName, logger: deps.logger }) : undefined;
  if (mode === true && cache === undefined) throw new Error("kubernetes.enabled is true but no Kubernetes API is configured (not in a pod, no kubeconfig)");
  return cache ? podEnrichment(cache, deps.metrics) : { enricher: noopEnricher, pending: () => 0, informer: () => ({ restarts: 0, lists: 0 }), start() {}, async stop() {} };
}

function podEnrichment(cache: PodCache, metrics: CollectorMetrics): Enrichment {
  const enricher = new PodEnricher({ pods: cache, onResult: (result) => metrics.enrichResults.inc({ result }), mark: markPodSpecNoise });
  return {
    enricher,
    pending: () => enricher.pendingCount,
    informer: () => cache.health(),
    start: () => cache.start(),
    async stop() {
      enricher.close();
      await cache.stop();
    },
  };
}
