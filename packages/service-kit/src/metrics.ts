import { collectDefaultMetrics, Registry } from "prom-client";

/** One registry per process, with Node's default metrics under the service's prefix (e.g. "outlier_collector_"). */
export function createMetrics(prefix: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}
