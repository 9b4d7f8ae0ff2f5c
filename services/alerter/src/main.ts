import { RoutesError } from "@outlier/routing";
import { runService } from "@outlier/service-kit";
import { SecretError } from "@outlier/sinks";
import { startAlerter } from "./alerter.ts";
import { ENV_PREFIX, loadAlerterConfig } from "./config.ts";

await runService({
  name: "alerter",
  envPrefix: ENV_PREFIX,
  load: loadAlerterConfig,
  start: startAlerter,
  // Say which line of the routing file or which variable, never a value.
  usageError: { is: (error) => error instanceof RoutesError || error instanceof SecretError, message: "bad routing file or missing secret" },
});
