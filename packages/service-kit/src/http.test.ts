import type { AddressInfo } from "node:net";
import { Counter } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createHttpServer, startHttpServer } from "./http.ts";
import { createLogger } from "./logger.ts";
import { createMetrics } from "./metrics.ts";
import { rawClient } from "./testing/raw-client.ts";

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

describe("createHttpServer with connection limits", () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  async function listening(limits: { requestTimeoutMs: number; idleTimeoutMs: number; maxConnections: number }, healthRoutes = true) {
    app = createHttpServer({ logger: createLogger({ level: "silent", name: "test" }), registry: createMetrics("outlier_t3_"), readiness: () => ({ ready: true }), limits, healthRoutes });
    app.post("/in", async () => ({ ok: true }));
    await app.listen({ port: 0, host: "127.0.0.1" });
    return (app.server.address() as AddressInfo).port;
  }


  it("closes a silent connection, an idle kept-alive one, and one that stalls or trickles its body past the request timeout (408)", async () => {
    const port = await listening({ requestTimeoutMs: 1500, idleTimeoutMs: 500, maxConnections: 10 });
    const silent = rawClient(port);
    const stalled = rawClient(port);
    stalled.socket.write("POST /in HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\nx");
    const idleAfterRequest = rawClient(port);
    idleAfterRequest.socket.write("POST /in HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n");
    const trickle = rawClient(port);
    trickle.socket.write("POST /in HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n");
    const drip = setInterval(() => trickle.socket.write("x"), 100);
    try {
      expect(await silent.closedAfter).toBeLessThan(1500);
      expect(await idleAfterRequest.closedAfter).toBeLessThan(2500); // Node adds a second to keepAliveTimeout
      expect(await stalled.closedAfter).toBeLessThan(4000);
      expect(await trickle.closedAfter).toBeLessThan(4000);
      expect(trickle.received()).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      clearInterval(drip);
    }
  });

  it("refuses connections beyond maxConnections", async () => {
    const port = await listening({ requestTimeoutMs: 5000, idleTimeoutMs: 5000, maxConnections: 2 });
    const held = [rawClient(port), rawClient(port)];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = rawClient(port);
    expect(await third.closedAfter).toBeLessThan(1000);
    for (const { socket } of held) socket.destroy();
  });

  it("leaves /healthz, /readyz and /metrics out when they are served on a port of their own", async () => {
    const port = await listening({ requestTimeoutMs: 5000, idleTimeoutMs: 5000, maxConnections: 10 }, false);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/in`, { method: "POST" })).status).toBe(200);
  });
});
