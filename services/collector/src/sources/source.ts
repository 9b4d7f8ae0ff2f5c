import type { Logger } from "pino";
import type { Ingest } from "../ingest.ts";
import type { CollectorMetrics } from "../metrics.ts";

/** A producer of raw events (file tail, HTTP receiver). Every source file exports a `createXSource(config, deps)` factory returning one. */
export interface Source {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What every source factory receives besides its own config section. */
export interface SourceDeps {
  ingest: Ingest;
  logger: Logger;
  metrics: CollectorMetrics;
}
