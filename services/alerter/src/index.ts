export { startAlerter, readRoutes, type Alerter, type AlerterOptions } from "./alerter.ts";
export { AlerterConfigSchema, loadAlerterConfig, ENV_PREFIX, type AlerterConfig } from "./config.ts";
export { Dispatcher, sinkDestination, type DispatcherOptions, type ReceiverSink } from "./dispatcher.ts";
export { createAlerterMetrics, registerGauges, type AlerterMetrics } from "./metrics.ts";
export { buildSinks, closeSinks, type SinkDeps } from "./sinks.ts";
