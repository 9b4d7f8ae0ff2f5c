export { startCollector, type Collector, type CollectorOptions } from "./collector.ts";
export { CollectorConfigSchema, loadCollectorConfig, ENV_PREFIX, type CollectorConfig } from "./config.ts";
export { createIngest, type Ingest, type IngestOptions, type IngestOutcome, type Origin, type RecordProducer, type SourceFormat } from "./ingest.ts";
export { noopEnricher, type Enricher } from "./enrich.ts";
export { createCollectorMetrics, registerGauges, type CollectorMetrics } from "./metrics.ts";
export { tailMetrics } from "./tail/metrics.ts";
export type { Source, SourceDeps } from "./sources/source.ts";
