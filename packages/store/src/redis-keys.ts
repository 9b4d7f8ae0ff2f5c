import { workloadKey } from "@outlier/contracts";
import type { BaselineId } from "@outlier/baseline";

/**
 * The Redis layout. Every key of one workload carries the workload key as a
 * `{hash tag}`, so a workload's keys share a Redis Cluster slot.
 *
 *   <p>bl:{cluster/ns/kind/name}:<container>          string  Baseline JSON
 *   <p>bl:{cluster/ns/kind/name}:<container>:entries  hash    binary → BaselineEntry JSON
 *   <p>bl:{cluster/ns/kind/name}:<container>:review   stream  review log (capped)
 *   <p>baselines                                      hash    baseline key → BaselineId JSON (the index)
 *   <p>changes                                        pub/sub baseline keys changed by a person
 */
export interface RedisKeys {
  meta(id: BaselineId): string;
  entries(id: BaselineId): string;
  review(id: BaselineId): string;
  index: string;
  changes: string;
}

export function redisKeys(prefix = "outlier:"): RedisKeys {
  const base = (id: BaselineId) =>
    `${prefix}bl:{${workloadKey(id.cluster, id.namespace, id.kind, id.name)}}:${id.container}`;
  return {
    meta: base,
    entries: (id) => `${base(id)}:entries`,
    review: (id) => `${base(id)}:review`,
    index: `${prefix}baselines`,
    changes: `${prefix}changes`,
  };
}
