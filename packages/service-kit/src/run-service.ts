import { parseArgs } from "node:util";
import type { Registry } from "prom-client";
import { ConfigError } from "./config.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";
import { onShutdown } from "./shutdown.ts";

export interface ServiceDefinition<C extends { logLevel: string }> {
  /** "collector": logs as outlier-collector, metrics under outlier_collector_. */
  name: string;
  /** "OUTLIER_COLLECTOR": <envPrefix>_CONFIG names the config file when --config is not given. */
  envPrefix: string;
  load(file: string | undefined, env: NodeJS.ProcessEnv): C;
  start(deps: { config: C; logger: Logger; registry: Registry }): Promise<{ stop(): Promise<void> }>;
  /** Start-up failures the operator must fix (a bad routing file, a missing secret): exit 2, logged with this message. */
  usageError?: { is(error: unknown): boolean; message: string };
}

/**
 * A service's main: `--config FILE` (or <envPrefix>_CONFIG), config, logger, metrics registry,
 * start, and stop on SIGTERM/SIGINT. Exits 2 on a bad configuration, 1 on other start-up failures.
 */
export async function runService<C extends { logLevel: string }>(service: ServiceDefinition<C>): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: "string", short: "c" } } });
  let config: C;
  try {
    config = service.load(values.config ?? process.env[`${service.envPrefix}_CONFIG`], process.env);
  } catch (error) {
    // Before the logger exists, stderr is the only place to say why.
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  const logger = createLogger({ level: config.logLevel, name: `outlier-${service.name}`, pretty: process.stdout.isTTY });
  try {
    const running = await service.start({ config, logger, registry: createMetrics(`outlier_${service.name}_`) });
    onShutdown(logger, () => running.stop());
  } catch (error) {
    const usage = service.usageError?.is(error) ?? false;
    logger.fatal({ err: error }, usage ? `cannot start: ${service.usageError?.message}` : "cannot start");
    process.exit(usage ? 2 : 1);
  }
}
