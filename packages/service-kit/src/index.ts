export { createLogger, type Logger, type LoggerOptions } from "./logger.ts";
export { scrubSecrets } from "./scrub.ts";
export { ConfigError, loadConfig, type LoadConfigOptions } from "./config.ts";
export { connectionEventCounter, counterOf, createMetrics, registerConnectionGauges, type ConnectionProbes } from "./metrics.ts";
export { createHttpServer, HttpListenSchema, startHttpServer, type ConnectionLimits, type HttpServerOptions, type Readiness, type StartHttpServerOptions } from "./http.ts";
export { onShutdown } from "./shutdown.ts";
export { runService, type ServiceDefinition } from "./run-service.ts";
