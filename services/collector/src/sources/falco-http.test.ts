import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { createFalcoHttpSource } from "./falco-http.ts";
import { receiverHarness, type FakeIngest } from "./testing.ts";

const TOKEN = "falco-token-0123456789abcdef";
const ALERT = '{"output":"shell","priority":"Notice","rule":"Terminal shell in container","time":"2024-01-01T00:00:00.000000000Z","output_fields":{"evt.time":1704067200000000001}}';

describe("falco http receiver", () => {
  let app: FastifyInstance;
  let ingest: FakeIngest;

  beforeEach(async () => {
    const harness = receiverHarness();
    ({ app, ingest } = harness);
    await createFalcoHttpSource({ enabled: true, path: "/falco", token: TOKEN, clientCertificates: false, allowedClientNames: [], maxConcurrentRequests: 8 }, harness.deps).start();
  });
  afterEach(() => app.close());

  const post = (body: string, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }) =>
    app.inject({ method: "POST", url: "/falco", payload: body, headers: { "content-type": "application/json", ...headers } });

  it("refuses requests without the bearer token or with a wrong one, before ingesting", async () => {
    expect((await post(ALERT, {})).statusCode).toBe(401);
    expect((await post(ALERT, { authorization: "Bearer wrong-token-0123456789" })).statusCode).toBe(401);
    expect((await post(ALERT, { authorization: TOKEN })).statusCode).toBe(401);
    expect((await post(ALERT, { authorization: `Bearer ${TOKEN} junk` })).statusCode).toBe(401);
    expect((await post(ALERT, { authorization: `Basic ${Buffer.from(`falco:${TOKEN}`).toString("base64")} junk` })).statusCode).toBe(401);
    expect(ingest.lines).toHaveLength(0);
  });

  it("accepts the token as a Basic-auth password, as libcurl sends it for http://falco:<token>@host/falco", async () => {
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    expect((await post(ALERT, { authorization: basic("falco", TOKEN) })).statusCode).toBe(200);
    expect((await post(ALERT, { authorization: basic("falco", "not-the-token-at-all") })).statusCode).toBe(401);
    expect((await post(ALERT, { authorization: basic(TOKEN, "") })).statusCode).toBe(401);
  });

  it("ingests the raw body (big integers intact) and answers 200 once it is produced", async () => {
    const response = await post(ALERT);
    expect(response.statusCode).toBe(200);
    expect(ingest.lines).toEqual([{ text: ALERT, origin: { format: "falco", location: "http:falco", refuseWhenFull: true } }]);
  });

  it("answers 400 for a body the normalizer dead-lettered", async () => {
    ingest.outcome = "deadlettered";
    const response = await post("{not json");
    expect(response.statusCode).toBe(400);
    expect(ingest.lines.map((l) => l.text)).toEqual(["{not json"]);
  });

  it("answers 503 with Retry-After while the producer buffer is full", async () => {
    ingest.saturated = true;
    const response = await post(ALERT);
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("5");
    expect(ingest.lines).toHaveLength(0);
  });

  it("answers 503 with Retry-After when producing fails, so the sender can retry", async () => {
    ingest.failure = new Error("broker down");
    const response = await post(ALERT);
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("5");
  });
});

describe("falco http receiver without a token configured", () => {
  it("refuses every request", async () => {
    const { app, deps } = receiverHarness();
    await createFalcoHttpSource({ enabled: true, path: "/falco", clientCertificates: false, allowedClientNames: [], maxConcurrentRequests: 8 }, deps).start();
    const response = await app.inject({ method: "POST", url: "/falco", payload: ALERT, headers: { authorization: "Bearer " } });
    expect(response.statusCode).toBe(401);
    await app.close();
  });
});
