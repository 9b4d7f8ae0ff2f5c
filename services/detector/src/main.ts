import { parseArgs } from "node:util";
import { ConfigError, createLogger, createMetrics, onShutdown } from "@outlier/service-kit";
import { loadDetectorConfig } from "./config.ts";
import { startDetectorService } from "./detector-service.ts";

const { values } = parseArgs({ options: { config: { type: "string", short: "c" } } });
const configFile = values.config ?? process.env.OUTLIER_DETECTOR_CONFIG;

try {
  const config = loadDetectorConfig(configFile, process.env);
  const logger = createLogger({ level: config.logLevel, name: "outlier-detector", pretty: process.stdout.isTTY });
  const detector = await startDetectorService({ config, logger, registry: createMetrics("outlier_detector_") });
  onShutdown(logger, () => detector.stop());
} catch (error) {
  // Before the logger exists (bad config), stderr is the only place to say why.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
