import { DEFAULT_REDIS_PREFIX } from "./redis-config.ts";
import { workloadKey } from "@outlier/contracts";
import type { BaselineId } from "@outlier/baseline";

/** A workload: a baseline id without its container. */
export type WorkloadId = Omit<BaselineId, "container">;

/**
 * The Redis layout. Every key of one workload carries the workload key as a
 * `{hash tag}`, so a workload's keys share a Redis Cluster slot.
 *
 *   <p>bl:{cluster/ns/kind/name}:<container>          string  Baseline JSON
 *   <p>bl:{cluster/ns/kind/name}:<container>:entries  hash    binary → BaselineEntry JSON
 *   <p>bl:{cluster/ns/kind/name}:<container>:review   stream  review log (capped)
 *   <p>bl:{cluster/ns/kind/name}:<container>:replicas string  last replica window + deviations JSON (with a TTL)
 *   <p>bl:{cluster/ns/kind/name}:<container>:replicas-deviation string  last window with a deviation (TTL 7 d)
 *   <p>bl:{cluster/ns/kind/name}:<container>:decisions hash   binary → approved | denied, by a person (wins over entries)
 *   <p>wl:{cluster/ns/kind/name}:labels               string  workload labels JSON (for `-l SELECTOR`)
 *   <p>baselines                                      hash    baseline key → BaselineId JSON (the index)
 *   <p>changes                                        pub/sub baseline keys changed by a person
 *   <p>replica-requests                               pub/sub baseline keys whose replica window the CLI asks for
 *   <p>findings                                       stream  recent findings (capped), for the CLI
 */
export interface RedisKeys {
  meta(id: BaselineId): string;
  entries(id: BaselineId): string;
  review(id: BaselineId): string;
  replicas(id: BaselineId): string;
  replicaDeviation(id: BaselineId): string;
  decisions(id: BaselineId): string;
  labels(id: WorkloadId): string;
  index: string;
  changes: string;
  replicaRequests: string;
  findings: string;
}

export function redisKeys(prefix = DEFAULT_REDIS_PREFIX): RedisKeys {
  const base = (id: BaselineId) =>
    `${prefix}bl:{${workloadKey(id.cluster, id.namespace, id.kind, id.name)}}:${id.container}`;
  return {
    meta: base,
    entries: (id) => `${base(id)}:entries`,
    review: (id) => `${base(id)}:review`,
    replicas: (id) => `${base(id)}:replicas`,
    replicaDeviation: (id) => `${base(id)}:replicas-deviation`,
    decisions: (id) => `${base(id)}:decisions`,
    labels: (id) => `${prefix}wl:{${workloadKey(id.cluster, id.namespace, id.kind, id.name)}}:labels`,
    index: `${prefix}baselines`,
    changes: `${prefix}changes`,
    replicaRequests: `${prefix}replica-requests`,
    findings: `${prefix}findings`,
  };
}
