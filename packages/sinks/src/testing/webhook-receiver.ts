import { createHmac, timingSafeEqual } from "node:crypto";
import { HttpReceiver, json } from "./http-receiver.ts";

export interface WebhookReceiver {
  receiver: HttpReceiver;
  /** Bodies accepted (signature valid). */
  accepted: unknown[];
}

const MAX_SKEW_S = 300;

/**
 * A webhook endpoint that checks the signature as a careful integrator would:
 * `x-outlier-signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`, a timestamp
 * within five minutes, a constant-time comparison; 401 otherwise.
 */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const accepted: unknown[] = [];
  const receiver = await HttpReceiver.start((request) => {
    const timestamp = String(request.headers["x-outlier-timestamp"] ?? "");
    const signature = Buffer.from(String(request.headers["x-outlier-signature"] ?? ""));
    const expected = Buffer.from(`v1=${createHmac("sha256", secret).update(`${timestamp}.${request.body}`).digest("hex")}`);
    const fresh = Math.abs(Date.now() / 1000 - Number(timestamp)) <= MAX_SKEW_S;
    if (!fresh || signature.length !== expected.length || !timingSafeEqual(signature, expected)) return json(401, { error: "bad signature" });
    accepted.push(JSON.parse(request.body));
    return json(202, { accepted: true });
  });
  return { receiver, accepted };
}
