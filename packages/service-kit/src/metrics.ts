import { collectDefaultMetrics, Counter, Registry } from "prom-client";

/** One registry per process, with Node's default metrics under the service's prefix (e.g. "outlier_collector_"). */
export function createMetrics(prefix: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}

/** A counter whose running total is kept by another part: each scrape adds what grew since the last. */
export function counterOf(registry: Registry, name: string, help: string, read: () => number): void {
  let reported = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      this.inc(now - reported);
      reported = now;
    },
  });
}
