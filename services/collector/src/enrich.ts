import type { RuntimeEvent } from "@outlier/contracts";

/** Adds what only the cluster knows (pod labels, owner workload, image digest) to a runtime event. Never rejects. */
export interface Enricher {
  enrich(event: RuntimeEvent): Promise<RuntimeEvent>;
}

/** Outside a cluster (or with kubernetes.enabled=false): events keep what their source wrote. */
export const noopEnricher: Enricher = {
  enrich: async (event) => event,
};
