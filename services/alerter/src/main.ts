import { parseArgs } from "node:util";
import { RoutesError } from "@outlier/routing";
import { ConfigError, createLogger, createMetrics, onShutdown } from "@outlier/service-kit";
import { SecretError } from "@outlier/sinks";
import { startAlerter } from "./alerter.ts";
import { loadAlerterConfig } from "./config.ts";

const { values } = parseArgs({ options: { config: { type: "string", short: "c" } } });
const configFile = values.config ?? process.env.OUTLIER_ALERTER_CONFIG;

let config;
try {
  config = loadAlerterConfig(configFile, process.env);
} catch (error) {
  // Before the logger exists (bad config), stderr is the only place to say why.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
const logger = createLogger({ level: config.logLevel, name: "outlier-alerter", pretty: process.stdout.isTTY });
try {
  const alerter = await startAlerter({ config, logger, registry: createMetrics("outlier_alerter_") });
  onShutdown(logger, () => alerter.stop());
} catch (error) {
  // A bad routing file or a missing secret: say which line or which variable, never a value.
  const usage = error instanceof RoutesError || error instanceof SecretError;
  logger.fatal({ err: error }, usage ? "cannot start: bad routing file or missing secret" : "cannot start");
  process.exit(usage ? 2 : 1);
}
