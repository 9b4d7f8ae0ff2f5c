export { normalizeContainerId, MIN_CONTAINER_ID_PREFIX } from "./container-id.ts";
export { workloadFromPod, type OwnerWorkload } from "./workload.ts";
export { podFacts, containerIdsOf, digestFromImageId, type PodFacts, type ContainerFacts, type ContainerKind } from "./pod-facts.ts";
export { PodIndex, type PodIndexOptions, type PodLookup, type PodMatch, type PodQuery } from "./pod-index.ts";
export { Backoff, type BackoffOptions } from "./backoff.ts";
export { PodCache, type PodCacheOptions, type PodCacheHealth } from "./pod-cache.ts";
export { EventCache, type EventCacheOptions, type CacheOutcome, type ReleaseReason } from "./event-cache.ts";
export { PodEnricher, ENRICH_RESULTS, type EnrichResult, type PodEnricherOptions } from "./pod-enricher.ts";
export {
  WorkloadMetaCache,
  WORKLOAD_META_KINDS,
  type WorkloadMeta,
  type WorkloadMetaKind,
  type WorkloadMetaCacheOptions,
  type WorkloadMetaCacheHealth,
} from "./workload-meta-cache.ts";
export { createPodCacheFromEnv, createWorkloadMetaCacheFromEnv, type PodCacheFromEnvOptions } from "./from-env.ts";
