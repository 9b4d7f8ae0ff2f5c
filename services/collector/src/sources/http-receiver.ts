import { createHash, timingSafeEqual } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Origin } from "../ingest.ts";
import { jsonShape } from "./json-shape.ts";
import type { Source, SourceDeps } from "./source.ts";

/** Seconds a sender should wait before retrying when the collector cannot take more. */
export const RETRY_AFTER_SECONDS = 5;

/** Deepest JSON a receiver takes: Kubernetes objects nest about 15 levels; deeper is refused before parsing. */
export const MAX_JSON_DEPTH = 64;

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface ReceiverOptions {
  /** Source name and the `receiver` metric label, e.g. "falco". */
  name: string;
  path: string;
  /** Where dead-lettered bodies say they came from. */
  origin: Origin;
  bodyLimit: number;
  /** Requests handled at once (from authorization to answer); more get 503 + Retry-After. */
  maxConcurrentRequests: number;
  /** Elements of an array directly in the top-level object (an EventList's items) at most, else 413; unchecked when absent. */
  maxItems?: number;
  /** Decided before the body is read. */
  authorize(request: FastifyRequest): boolean;
  /** Gets the raw body text; resolves once what it produced is durable. */
  handle(body: string): Promise<Answer>;
}

/**
 * The plumbing both HTTP receivers share, on an encapsulated fastify scope: token or
 * client-certificate auth before the body is read (401), 503 + Retry-After while
 * stopped, while the producer buffer is full or beyond maxConcurrentRequests, the raw
 * body as text (so the normalizer parses it, keeping big integers, and dead-letters what
 * is not JSON), its shape checked before parsing (400 and dead-lettered when nested
 * deeper than MAX_JSON_DEPTH, 413 over maxItems), 429 + Retry-After when the producer
 * refuses more waiting records, 503 + Retry-After when producing fails, the connection
 * closed after every error answer, and a counter of answers by status.
 */
export function createHttpReceiver(options: ReceiverOptions, deps: SourceDeps & { http: FastifyInstance }): Source {
  let accepting = false;
  let inFlight = 0;
  const { ingest, logger, metrics } = deps;
  const retryLater = (reply: FastifyReply, status: number, error: string) =>
    reply.code(status).header("retry-after", String(RETRY_AFTER_SECONDS)).send({ error });

  /** The answer for a body whose shape is refused before parsing, or undefined when it may be parsed. */
  async function refusedShape(body: string): Promise<Answer | undefined> {
    const shape = jsonShape(body, { maxDepth: MAX_JSON_DEPTH, maxItems: options.maxItems ?? Number.POSITIVE_INFINITY });
    if (shape.depth > MAX_JSON_DEPTH) {
      await ingest.deadLetter("too_deeply_nested", `JSON nested deeper than ${MAX_JSON_DEPTH} levels`, body, options.origin);
      return { status: 400, body: { error: `JSON nested deeper than ${MAX_JSON_DEPTH} levels; dead-lettered` } };
    }
    if (options.maxItems !== undefined && shape.items > options.maxItems) return { status: 413, body: { error: `more than ${options.maxItems} items in one request` } };
    return undefined;
  }

  deps.http.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));

    scope.addHook("onRequest", async (request, reply) => {
      if (!options.authorize(request)) return reply.code(401).send({ error: "unauthorized" });
      if (!accepting) return retryLater(reply, 503, "stopping");
      if (ingest.saturated || inFlight >= options.maxConcurrentRequests) return retryLater(reply, 503, "busy");
      inFlight++;
      // "close" comes once the answer is sent or the connection is gone, whichever ends the request.
      reply.raw.once("close", () => inFlight--);
    });
    // A sender that got an error opens a new connection to retry; one that sent junk or no credentials loses its socket.
    scope.addHook("onSend", async (_request, reply) => {
      if (reply.statusCode >= 400) reply.header("connection", "close");
    });
    scope.addHook("onResponse", async (_request, reply) => {
      metrics.receiverRequests.inc({ receiver: options.name, status: String(reply.statusCode) });
    });
    scope.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, _request, reply) => {
      if (error.statusCode !== undefined && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message });
      if (error.code === "bus_buffer_full") return retryLater(reply, 429, "busy");
      logger.error({ err: error, receiver: options.name }, "receiver could not produce; the sender should retry");
      return retryLater(reply, 503, "unavailable");
    });

    scope.post(options.path, { logLevel: "warn" }, async (request, reply) => {
      const body = typeof request.body === "string" ? request.body : "";
      const answer = (await refusedShape(body)) ?? (await options.handle(body));
      return reply.code(answer.status).send(answer.body);
    });
  });

  return {
    name: options.name,
    async start() {
      accepting = true;
    },
    async stop() {
      accepting = false;
    },
  };
}

/**
 * The token a request presents: a Bearer token, or the password of Basic auth (what
 * libcurl, and so Falco's http_output, sends for `http://user:token@host/path`).
 */
function presentedToken(authorization: string | undefined): string | undefined {
  const words = (authorization ?? "").trim().split(/\s+/);
  // "Bearer <token> junk" is malformed, not a token followed by noise (RFC 6750 allows one token).
  if (words.length !== 2) return undefined;
  const [scheme, credentials] = words;
  if (!credentials) return undefined;
  if (/^bearer$/i.test(scheme ?? "")) return credentials;
  if (!/^basic$/i.test(scheme ?? "")) return undefined;
  const decoded = Buffer.from(credentials, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? undefined : decoded.slice(colon + 1);
}

/** Compares in constant time: both sides are hashed first, so lengths do not leak either. */
export function tokenMatches(authorization: string | undefined, tokens: readonly string[]): boolean {
  const token = presentedToken(authorization);
  if (token === undefined || token === "") return false;
  const presented = createHash("sha256").update(token).digest();
  let ok = false;
  for (const expected of tokens) {
    if (timingSafeEqual(presented, createHash("sha256").update(expected).digest())) ok = true;
  }
  return ok;
}

/** A TLS client certificate verified against the server's CA, optionally restricted to some subject common names. */
export function clientCertificateAllowed(request: FastifyRequest, allowedNames: readonly string[]): boolean {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (!socket.encrypted || !socket.authorized || !socket.getPeerCertificate) return false;
  if (allowedNames.length === 0) return true;
  const commonName = socket.getPeerCertificate().subject?.CN;
  return typeof commonName === "string" && allowedNames.includes(commonName);
}
