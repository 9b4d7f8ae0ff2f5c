import type { SinkConfigOf } from "@outlier/routing";
import { afterEach, describe, expect, it } from "vitest";
import { secretResolver } from "./secrets.ts";
import { execSession, unexpectedProcess } from "./testing/findings.ts";
import { json } from "./testing/http-receiver.ts";
import { delivery, describeHttpSinkContract } from "./testing/sink-contract.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./testing/webhook-receiver.ts";
import { WebhookSink, webhookPayload, webhookSignature } from "./webhook.ts";

const SECRET = "hmac-secret-for-tests";

function config(url: string): SinkConfigOf<"webhook"> {
  return { kind: "webhook", url, hmac_secret_env: "HOOK_SECRET" };
}

describe("webhookPayload and webhookSignature", () => {
  it("carries the group and its findings", () => {
    const payload = webhookPayload(delivery({ findings: [unexpectedProcess(), execSession()], total: 9 }));
    expect(payload).toMatchObject({ schema: "outlier.webhook.v1", receiver: "payments", total: 9, summary: "checkout: 1 unexpected process" });
    expect(payload.findings.map((f) => f.id)).toEqual(["f-unexpected-1", "f-exec-1"]);
  });

  it("signs the timestamp and the body (a known HMAC-SHA256 vector)", () => {
    // echo -n '1700000000.{}' | openssl dgst -sha256 -hmac key
    expect(webhookSignature("key", "1700000000", "{}")).toBe("v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae");
  });
});

describe("WebhookSink against a signature-checking receiver", () => {
  let hook: WebhookReceiver;
  afterEach(async () => hook.receiver.close());

  it("is accepted with the right secret", async () => {
    hook = await startWebhookReceiver(SECRET);
    const sink = new WebhookSink(config(`${hook.receiver.url}/hook`), secretResolver({ env: { HOOK_SECRET: SECRET } }));
    await sink.deliver(delivery());
    expect(hook.accepted).toHaveLength(1);
    await sink.close();
  });

  it("is refused (401, not retryable) with another secret", async () => {
    hook = await startWebhookReceiver(SECRET);
    const sink = new WebhookSink(config(`${hook.receiver.url}/hook`), secretResolver({ env: { HOOK_SECRET: "other" } }));
    await expect(sink.deliver(delivery())).rejects.toMatchObject({ reason: "rejected", retryable: false, status: 401 });
    expect(hook.accepted).toHaveLength(0);
    await sink.close();
  });

  it("is refused when the signed timestamp is stale (replay)", async () => {
    hook = await startWebhookReceiver(SECRET);
    const sink = new WebhookSink(config(`${hook.receiver.url}/hook`), secretResolver({ env: { HOOK_SECRET: SECRET } }), () => Date.now() - 3_600_000);
    await expect(sink.deliver(delivery())).rejects.toMatchObject({ status: 401 });
    await sink.close();
  });
});

describeHttpSinkContract("webhook", {
  async start() {
    const hook = await startWebhookReceiver(SECRET);
    const sink = new WebhookSink(config(`${hook.receiver.url}/hook`), secretResolver({ env: { HOOK_SECRET: SECRET } }));
    return {
      sink,
      receiver: hook.receiver,
      accepted: () => hook.accepted.length,
      close: async () => {
        await sink.close();
        await hook.receiver.close();
      },
    };
  },
  rateLimited: (seconds) => json(429, { error: "slow down" }, { "retry-after": String(seconds) }),
  serverError: json(502, { error: "bad gateway" }),
});
