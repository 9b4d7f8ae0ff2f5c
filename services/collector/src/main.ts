import { runService } from "@outlier/service-kit";
import { startCollector } from "./collector.ts";
import { ENV_PREFIX, loadCollectorConfig } from "./config.ts";

await runService({ name: "collector", envPrefix: ENV_PREFIX, load: loadCollectorConfig, start: startCollector });
