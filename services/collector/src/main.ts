import { parseArgs } from "node:util";
import { ConfigError, createLogger, createMetrics, onShutdown } from "@outlier/service-kit";
import { startCollector } from "./collector.ts";
import { loadCollectorConfig } from "./config.ts";

const { values } = parseArgs({ options: { config: { type: "string", short: "c" } } });
const configFile = values.config ?? process.env.OUTLIER_COLLECTOR_CONFIG;

try {
  const config = loadCollectorConfig(configFile, process.env);
  const logger = createLogger({ level: config.logLevel, name: "outlier-collector", pretty: process.stdout.isTTY });
  const collector = await startCollector({ config, logger, registry: createMetrics("outlier_collector_") });
  onShutdown(logger, () => collector.stop());
} catch (error) {
  // Before the logger exists (bad config), stderr is the only place to say why.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
