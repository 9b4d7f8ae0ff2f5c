import type { AddressInfo } from "node:net";
import { Counter } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createHttpServer, startHttpServer } from "./http.ts";
import { createLogger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";

describe("createHttpServer", () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  function server(readiness: () => { ready: boolean; reason?: string }) {
    const registry = createMetrics("outlier_test_");
    new Counter({ name: "outlier_test_things_total", help: "things", registers: [registry] }).inc(3);
    app = createHttpServer({ logger: createLogger({ level: "silent", name: "test" }), registry, readiness });
    return app;
  }

  it("answers /healthz while alive and /readyz by the readiness check", async () => {
    let readiness: { ready: boolean; reason?: string } = { ready: false, reason: "kafka unreachable" };
    const app = server(() => readiness);
    expect((await app.inject("/healthz")).statusCode).toBe(200);
    const notReady = await app.inject("/readyz");
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toEqual({ status: "not ready", reason: "kafka unreachable" });
    readiness = { ready: true };
    expect((await app.inject("/readyz")).statusCode).toBe(200);
  });

  it("serves the registry in Prometheus text format with default metrics", async () => {
    const response = await server(() => ({ ready: true })).inject("/metrics");
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/plain");
    expect(response.body).toContain("outlier_test_things_total 3");
    expect(response.body).toContain("outlier_test_process_cpu_seconds_total");
  });

  it("startHttpServer adds the service's routes before it listens", async () => {
    app = await startHttpServer(
      { port: 0, host: "127.0.0.1", logger: createLogger({ level: "silent", name: "test" }), registry: createMetrics("outlier_t2_"), readiness: () => ({ ready: true }) },
      (server) => {
        server.get("/hello", async () => ({ hello: "world" }));
      },
    );
    const { port } = app.server.address() as AddressInfo;
    expect(await (await fetch(`http://127.0.0.1:${port}/hello`)).json()).toEqual({ hello: "world" });
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
  });
});
