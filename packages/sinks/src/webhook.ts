import { createHmac } from "node:crypto";
import type { Finding } from "@outlier/contracts";
import type { SinkConfigOf } from "@outlier/routing";
import { HttpClient } from "./http.ts";
import type { SecretResolver } from "./secrets.ts";
import type { Delivery, Sink } from "./sink.ts";

/** A generic JSON webhook; with an HMAC secret, every request is signed. */

export const SIGNATURE_HEADER = "x-outlier-signature";
export const TIMESTAMP_HEADER = "x-outlier-timestamp";

export interface WebhookPayload {
  schema: "outlier.webhook.v1";
  receiver: string;
  groupKey: string;
  summary: string;
  total: number;
  findings: Finding[];
}

export function webhookPayload(delivery: Delivery): WebhookPayload {
  return {
    schema: "outlier.webhook.v1",
    receiver: delivery.receiver,
    groupKey: delivery.groupKey,
    summary: delivery.summary,
    total: delivery.total ?? delivery.findings.length,
    findings: delivery.findings,
  };
}

/**
 * `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>`: the timestamp is signed too,
 * so a receiver can refuse old requests (replays).
 */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export class WebhookSink implements Sink {
  readonly name: string;
  readonly #url: string;
  readonly #secret: string | undefined;
  readonly #http: HttpClient;
  readonly #now: () => number;

  constructor(config: SinkConfigOf<"webhook">, secrets: SecretResolver, now: () => number = Date.now) {
    this.#url = config.url;
    const signed = config.hmac_secret_env !== undefined || config.hmac_secret_file !== undefined;
    this.#secret = signed ? secrets.read({ env: config.hmac_secret_env, file: config.hmac_secret_file }, "webhook hmac_secret") : undefined;
    this.#http = new HttpClient(this.#secret ? [this.#secret] : []);
    this.#now = now;
    const url = new URL(config.url);
    this.name = `webhook:${url.host}${url.pathname}`;
  }

  async deliver(delivery: Delivery, signal?: AbortSignal): Promise<void> {
    const body = JSON.stringify(webhookPayload(delivery));
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.#secret) {
      const timestamp = String(Math.floor(this.#now() / 1000));
      headers[TIMESTAMP_HEADER] = timestamp;
      headers[SIGNATURE_HEADER] = webhookSignature(this.#secret, timestamp, body);
    }
    const res = await this.#http.post(this.#url, headers, body, signal);
    if (res.status < 200 || res.status >= 300) throw this.#http.failure(res);
  }

  close(): Promise<void> {
    return this.#http.close();
  }
}
