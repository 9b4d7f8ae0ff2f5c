import { runService } from "@outlier/service-kit";
import { ENV_PREFIX, loadDetectorConfig } from "./config.ts";
import { startDetectorService } from "./detector-service.ts";

await runService({ name: "detector", envPrefix: ENV_PREFIX, load: loadDetectorConfig, start: startDetectorService });
