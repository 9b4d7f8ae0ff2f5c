import { createServer } from "node:net";
import { MemoryBus } from "@outlier/bus";
import { loadRoutes } from "@outlier/routing";
import { createLogger } from "@outlier/service-kit";
import { secretResolver } from "@outlier/sinks";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { delivery } from "../../../packages/sinks/src/testing/sink-contract.ts";
import { AlerterConfigSchema } from "./config.ts";
import { createAlerterMetrics } from "./metrics.ts";
import { buildSinks, closeSinks } from "./sinks.ts";

/** A loopback port nothing listens on: a real refused connection, the failure a down receiver gives. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("buildSinks: circuit-breaker gauge", () => {
  it("exports every sink's breaker as closed from the start, and open once it opens", async () => {
    const port = await closedPort();
    const routes = loadRoutes(`
route:
  receiver: soc
receivers:
  - name: soc
    webhook_configs:
      - url: http://127.0.0.1:${port}/hook
`);
    const registry = new Registry();
    const metrics = createAlerterMetrics(registry);
    const settings = AlerterConfigSchema.parse({ delivery: { maxAttempts: 1, breakerFailures: 2, timeoutMs: 2_000 } }).delivery;
    const sinks = buildSinks(routes, {
      secrets: secretResolver({ env: {} }),
      producer: new MemoryBus().producer(),
      deadletterTopic: "dl",
      delivery: settings,
      metrics,
      logger: createLogger({ level: "silent", name: "sinks-test" }),
    });
    const series = `outlier_alerter_sink_circuit_open{sink="webhook:127.0.0.1:${port}/hook"}`;
    expect(await registry.metrics()).toContain(`${series} 0`);

    const sink = sinks.get("soc")![0]!.sink;
    await sink.deliver(delivery());
    expect(await registry.metrics()).toContain(`${series} 0`);
    await sink.deliver(delivery());
    expect(await registry.metrics()).toContain(`${series} 1`);
    await closeSinks(sinks);
  });
});
