import { Agent, request } from "undici";
import { DeliveryError } from "./sink.ts";
import { safeText } from "./safe-text.ts";

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One HTTP client per sink: its own connection pool (closed with the sink), and every
 * error turned into a DeliveryError whose message has the sink's secrets removed.
 */
export class HttpClient {
  readonly #agent = new Agent({ connect: { timeout: 10_000 } });
  readonly #secrets: readonly string[];

  constructor(secrets: readonly string[]) {
    this.#secrets = secrets;
  }

  async post(url: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<HttpResponse> {
    try {
      const res = await request(url, { method: "POST", headers, body, signal: signal ?? null, dispatcher: this.#agent });
      return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
    } catch (error) {
      throw this.networkError(error);
    }
  }

  /** The DeliveryError for a non-2xx answer: 429 and 5xx are retried, other 4xx are not. */
  failure(res: HttpResponse, detail: string = res.body): DeliveryError {
    const message = `HTTP ${res.status}: ${safeText(detail, this.#secrets)}`;
    const retryAfterMs = parseRetryAfter(header(res, "retry-after"));
    if (res.status === 429) return new DeliveryError("rate_limited", message, { retryable: true, status: res.status, retryAfterMs });
    if (res.status >= 500 || res.status === 408) {
      return new DeliveryError("server_error", message, { retryable: true, status: res.status, retryAfterMs });
    }
    return new DeliveryError("rejected", message, { retryable: false, status: res.status });
  }

  networkError(error: unknown): DeliveryError {
    const err = error as { name?: string; code?: string; message?: string };
    if (err.name === "AbortError") return new DeliveryError("timeout", "request aborted", { retryable: true });
    const what = [err.code, err.message].filter(Boolean).join(" ");
    return new DeliveryError("network", safeText(what || String(error), this.#secrets), { retryable: true });
  }

  /** Text made safe for an error message with this client's secrets. */
  safe(text: string): string {
    return safeText(text, this.#secrets);
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

export function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Retry-After as delay-seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
