import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A request as the receiver saw it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request was complete. */
  at: number;
  /** The status answered, once answered. */
  status?: number;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (a slow service). */
  delayMs?: number;
}

/**
 * A real HTTP server on 127.0.0.1 for sink tests. `handle` is the service's normal
 * behaviour; `script` queues answers (429, 5xx, slow) that take precedence, in order.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  readonly #server: Server;
  readonly #script: Answer[] = [];
  #url = "";

  private constructor(handle: (request: ReceivedRequest) => Answer) {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const request: ReceivedRequest = {
          method: req.method ?? "",
          path: req.url ?? "",
          headers: req.headers,
          body: Buffer.concat(chunks).toString("utf8"),
          at: Date.now(),
        };
        this.requests.push(request);
        const answer = this.#script.shift() ?? handle(request);
        void respond(request, answer);
      });
      async function respond(request: ReceivedRequest, answer: Answer): Promise<void> {
        if (answer.delayMs) await sleep(answer.delayMs);
        if (res.destroyed) return;
        request.status = answer.status;
        res.writeHead(answer.status, answer.headers ?? {});
        res.end(answer.body ?? "");
      }
    });
  }

  static async start(handle: (request: ReceivedRequest) => Answer): Promise<HttpReceiver> {
    const receiver = new HttpReceiver(handle);
    await new Promise<void>((resolve) => receiver.#server.listen(0, "127.0.0.1", resolve));
    receiver.#url = `http://127.0.0.1:${(receiver.#server.address() as AddressInfo).port}`;
    return receiver;
  }

  get url(): string {
    return this.#url;
  }

  /** The next answers, before the normal behaviour resumes. */
  script(...answers: Answer[]): void {
    this.#script.push(...answers);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

export function text(status: number, body: string, headers: Record<string, string> = {}): Answer {
  return { status, headers: { "content-type": "text/plain", ...headers }, body };
}
