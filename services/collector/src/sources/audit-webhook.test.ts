import { BufferFullError } from "@outlier/bus";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createAuditWebhookSource, type AuditWebhookConfig } from "./audit-webhook.ts";
import { receiverHarness, type FakeIngest } from "./testing.ts";

const TOKEN = "audit-token-0123456789abcdef";
const CONFIG: AuditWebhookConfig = {
  enabled: true,
  path: "/audit",
  tokens: ["other-token-0123456789abcdef", TOKEN],
  clientCertificates: false,
  allowedClientNames: [],
  maxBodyBytes: 4096,
  maxItems: 10,
  maxConcurrentRequests: 1,
  dedup: { maxEntries: 1000, ttlSeconds: 600 },
};

function auditEvent(auditID: string, stage: string) {
  return { kind: "Event", apiVersion: "audit.k8s.io/v1", level: "Metadata", auditID, stage, verb: "get", requestURI: "/api/v1/pods" };
}

function eventList(...items: object[]) {
  return JSON.stringify({ kind: "EventList", apiVersion: "audit.k8s.io/v1", metadata: {}, items });
}

describe("audit webhook receiver", () => {
  let app: FastifyInstance;
  let ingest: FakeIngest;

  beforeEach(async () => {
    const harness = receiverHarness();
    ({ app, ingest } = harness);
    await createAuditWebhookSource(CONFIG, harness.deps).start();
  });
  afterEach(() => app.close());

  const post = (body: string, authorization = `Bearer ${TOKEN}`) =>
    app.inject({ method: "POST", url: "/audit", payload: body, headers: { "content-type": "application/json", authorization } });

  it("refuses requests without a configured token", async () => {
    expect((await post(eventList(auditEvent("a", "ResponseComplete")), "")).statusCode).toBe(401);
    expect((await post(eventList(auditEvent("a", "ResponseComplete")), "Bearer nope-nope-nope-nope")).statusCode).toBe(401);
    expect(ingest.objects).toHaveLength(0);
  });

  it("ingests every item of an EventList and a single Event, answering 200 after all", async () => {
    const batch = await post(eventList(auditEvent("a", "RequestReceived"), auditEvent("a", "ResponseComplete"), auditEvent("b", "ResponseComplete")));
    expect(batch.statusCode).toBe(200);
    expect(batch.json()).toEqual({ produced: 3, skipped: 0, deadlettered: 0, duplicate: 0 });
    expect((await post(JSON.stringify(auditEvent("c", "ResponseComplete")))).statusCode).toBe(200);
    expect(ingest.objects.map((o) => (o.body as { auditID: string }).auditID)).toEqual(["a", "a", "b", "c"]);
    expect(ingest.objects[0]?.origin).toEqual({ format: "audit", location: "http:audit", refuseWhenFull: true });
  });

  it("produces each auditID+stage once when the API server retries a batch", async () => {
    const batch = eventList(auditEvent("a", "ResponseStarted"), auditEvent("b", "ResponseComplete"));
    await post(batch);
    const retried = await post(eventList(auditEvent("b", "ResponseComplete"), auditEvent("a", "ResponseStarted"), auditEvent("a", "ResponseComplete")));
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ produced: 1, duplicate: 2 });
    expect(ingest.objects.map((o) => (o.body as { auditID: string; stage: string }).stage)).toEqual(["ResponseStarted", "ResponseComplete", "ResponseComplete"]);
    const metrics = await app.inject("/metrics");
    expect(metrics.body).toContain("outlier_collector_audit_duplicates_total 2");
  });

  it("produces a batch again when it failed before it was durable", async () => {
    ingest.failure = new Error("broker down");
    expect((await post(eventList(auditEvent("a", "ResponseComplete")))).statusCode).toBe(503);
    ingest.failure = undefined;
    expect((await post(eventList(auditEvent("a", "ResponseComplete")))).json()).toMatchObject({ produced: 1, duplicate: 0 });
  });

  it("answers 413 over maxBodyBytes", async () => {
    const big = eventList(...Array.from({ length: 100 }, (_, i) => auditEvent(`id-${i}`, "ResponseComplete")));
    expect(big.length).toBeGreaterThan(CONFIG.maxBodyBytes);
    expect((await post(big)).statusCode).toBe(413);
    expect(ingest.objects).toHaveLength(0);
  });

  it("answers 413 for an EventList over maxItems, before parsing it, and closes the connection", async () => {
    const many = eventList(...Array.from({ length: 11 }, () => ({})));
    const response = await post(many);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({ error: "more than 10 items in one request" });
    expect(response.headers.connection).toBe("close");
    expect(ingest.objects).toHaveLength(0);
  });

  it("answers 400 for JSON nested deeper than 64 levels and dead-letters it, instead of asking for a retry", async () => {
    const deep = `{"kind":"EventList","items":[${'{"a":'.repeat(200)}1${"}".repeat(200)}]}`;
    const response = await post(deep);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ error: "JSON nested deeper than 64 levels; dead-lettered" });
    expect(ingest.deadLetters).toEqual([{ code: "too_deeply_nested", text: deep, origin: { format: "audit", location: "http:audit", refuseWhenFull: true } }]);
    expect(ingest.objects).toHaveLength(0);
  });

  it("answers 429 with Retry-After when the producer refuses more waiting records", async () => {
    ingest.failure = new BufferFullError("producer buffer full");
    const response = await post(eventList(auditEvent("a", "ResponseComplete")));
    expect(response.statusCode).toBe(429);
    expect(response.headers["retry-after"]).toBe("5");
  });

  it("answers 503 beyond maxConcurrentRequests, and closes the connection after a 401", async () => {
    const held = ingest.hold();
    const first = post(eventList(auditEvent("a", "ResponseComplete")));
    await held.entered;
    const second = await post(eventList(auditEvent("b", "ResponseComplete")));
    expect(second.statusCode).toBe(503);
    expect(second.headers.connection).toBe("close");
    held.release();
    expect((await first).statusCode).toBe(200);
    expect((await post(eventList(auditEvent("c", "ResponseComplete")))).statusCode).toBe(200);
    expect((await post("{}", "Bearer nope-nope-nope-nope")).headers.connection).toBe("close");
  });

  it("answers 400 for a body that is not a JSON object and dead-letters it", async () => {
    ingest.outcome = "deadlettered";
    expect((await post("{\"kind\":\"EventList\",")).statusCode).toBe(400);
    expect(ingest.lines.map((l) => l.text)).toEqual(['{"kind":"EventList",']);
  });

  it("answers 503 with Retry-After while the producer buffer is full", async () => {
    ingest.saturated = true;
    const busy = await post(eventList(auditEvent("a", "ResponseComplete")));
    expect(busy.statusCode).toBe(503);
    expect(busy.headers["retry-after"]).toBe("5");
    expect(ingest.objects).toHaveLength(0);
  });

  it("counts answers by status", async () => {
    await post(eventList(auditEvent("a", "ResponseComplete")));
    await post("{}", "");
    const metrics = (await app.inject("/metrics")).body;
    expect(metrics).toContain('outlier_collector_receiver_requests_total{receiver="audit",status="200"} 1');
    expect(metrics).toContain('outlier_collector_receiver_requests_total{receiver="audit",status="401"} 1');
  });
});

describe("audit webhook receiver when stopped", () => {
  it("answers 503 so the API server retries elsewhere", async () => {
    const { app, deps, ingest } = receiverHarness();
    const source = createAuditWebhookSource(CONFIG, deps);
    await source.start();
    await source.stop();
    const response = await app.inject({ method: "POST", url: "/audit", payload: "{}", headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(503);
    expect(ingest.objects).toHaveLength(0);
    await app.close();
  });
});
