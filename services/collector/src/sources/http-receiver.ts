import { createHash, timingSafeEqual } from "node:crypto";
import type { TLSSocket } from "node:tls";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Source, SourceDeps } from "./source.ts";

/** Seconds a sender should wait before retrying when the collector cannot take more. */
export const RETRY_AFTER_SECONDS = 5;

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface ReceiverOptions {
  /** Source name and the `receiver` metric label, e.g. "falco". */
  name: string;
  path: string;
  bodyLimit: number;
  /** Decided before the body is read. */
  authorize(request: FastifyRequest): boolean;
  /** Gets the raw body text; resolves once what it produced is durable. */
  handle(body: string): Promise<Answer>;
}

/**
 * The plumbing both HTTP receivers share, on an encapsulated fastify scope: token or
 * client-certificate auth before the body is read (401), 503 + Retry-After while
 * stopped or while the producer buffer is full, the raw body as text (so the
 * normalizer parses it, keeping big integers, and dead-letters what is not JSON),
 * 503 + Retry-After when producing fails, and a counter of answers by status.
 */
export function createHttpReceiver(options: ReceiverOptions, deps: SourceDeps & { http: FastifyInstance }): Source {
  let accepting = false;
  const { ingest, logger, metrics } = deps;

  deps.http.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "string", bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body));

    scope.addHook("onRequest", async (request, reply) => {
      if (!options.authorize(request)) return reply.code(401).send({ error: "unauthorized" });
      if (!accepting || ingest.saturated) {
        return reply.code(503).header("retry-after", String(RETRY_AFTER_SECONDS)).send({ error: accepting ? "busy" : "stopping" });
      }
    });
    scope.addHook("onResponse", async (_request, reply) => {
      metrics.receiverRequests.inc({ receiver: options.name, status: String(reply.statusCode) });
    });
    scope.setErrorHandler(async (error: Error & { statusCode?: number }, _request, reply) => {
      if (error.statusCode !== undefined && error.statusCode < 500) return reply.code(error.statusCode).send({ error: error.message });
      logger.error({ err: error, receiver: options.name }, "receiver could not produce; the sender should retry");
      return reply.code(503).header("retry-after", String(RETRY_AFTER_SECONDS)).send({ error: "unavailable" });
    });

    scope.post(options.path, { logLevel: "warn" }, async (request, reply) => {
      const answer = await options.handle(typeof request.body === "string" ? request.body : "");
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
