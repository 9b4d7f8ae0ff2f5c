export { DetectorService, startDetectorService, detectorOptions, redisParts, type DetectorServiceDeps, type RedisParts, type RunningDetector, type StartOptions } from "./detector-service.ts";
export { DetectorConfigSchema, loadDetectorConfig, ENV_PREFIX, type DetectorConfig } from "./config.ts";
export { createDetectorMetrics, registerGauges, type DetectorMetrics } from "./metrics.ts";
export { deadLetterRecord, parseRecord } from "./records.ts";
