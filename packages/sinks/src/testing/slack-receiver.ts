import { HttpReceiver, json, text, type Answer, type ReceivedRequest } from "./http-receiver.ts";

export interface SlackReceiverOptions {
  /** The Incoming Webhook's path (the secret part of its URL). */
  webhookPath: string;
  /** The bot token chat.postMessage accepts. */
  token: string;
  /** Channels that exist for chat.postMessage. */
  channels: string[];
}

/**
 * Answers like Slack. Incoming Webhook: `200 ok`, or a status with a plain-text error
 * code (`invalid_payload`, `no_service`). chat.postMessage: always 200, with
 * `{ok:false,error}` on failure (`not_authed`, `invalid_auth`, `channel_not_found`, `no_text`).
 */
export async function startSlackReceiver(options: SlackReceiverOptions): Promise<HttpReceiver> {
  return HttpReceiver.start((request) => {
    if (request.method !== "POST") return text(405, "method_not_allowed");
    if (request.path === "/api/chat.postMessage") return postMessage(request, options);
    if (request.path !== options.webhookPath) return text(404, "no_service");
    const message = parse(request.body);
    if (!message || !hasContent(message)) return text(400, "invalid_payload");
    return text(200, "ok");
  });
}

function postMessage(request: ReceivedRequest, options: SlackReceiverOptions): Answer {
  const auth = request.headers.authorization;
  if (!auth) return json(200, { ok: false, error: "not_authed" });
  if (auth !== `Bearer ${options.token}`) return json(200, { ok: false, error: "invalid_auth" });
  const message = parse(request.body);
  if (!message) return json(200, { ok: false, error: "invalid_json" });
  if (typeof message.channel !== "string" || !options.channels.includes(message.channel)) return json(200, { ok: false, error: "channel_not_found" });
  if (!hasContent(message)) return json(200, { ok: false, error: "no_text" });
  return json(200, { ok: true, channel: message.channel, ts: `${Date.now() / 1000}`, message: { text: message.text } });
}

/** Slack's rate limit: 429 with Retry-After in seconds. */
export function rateLimited(seconds: number): Answer {
  return text(429, "rate_limited", { "retry-after": String(seconds) });
}

function parse(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function hasContent(message: Record<string, unknown>): boolean {
  return typeof message.text === "string" || Array.isArray(message.blocks) || Array.isArray(message.attachments);
}
