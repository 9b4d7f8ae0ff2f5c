import type { SecureContextOptions } from "node:tls";
import Fastify, { type FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { z } from "zod";

/** Where a service listens for /healthz, /readyz, /metrics (and its receivers): every service's `http` config. */
export const HttpListenSchema = z.strictObject({
  port: z.number().int().min(0).max(65535).default(8080),
  host: z.string().default("0.0.0.0"),
});

export interface Readiness {
  ready: boolean;
  /** Why not ready, shown in the /readyz body and logs. */
  reason?: string;
}

export interface HttpServerOptions {
  logger: Logger;
  registry: Registry;
  readiness: () => Readiness;
  /** Largest request body accepted, in bytes (fastify's default is 1 MiB). */
  bodyLimit?: number;
  /**
   * Serve HTTPS. With `ca`, clients are asked for a certificate and it is verified
   * against `ca`, but a connection without one is still accepted (probes, scrapers):
   * routes that need a client certificate check `request.socket.authorized`.
   */
  tls?: Pick<SecureContextOptions, "cert" | "key" | "ca">;
  /** Bounds on what clients may hold (for servers that untrusted clients reach); Node's defaults otherwise. */
  limits?: ConnectionLimits;
  /** Serve /healthz, /readyz and /metrics (default true); false when they have a server of their own. */
  healthRoutes?: boolean;
}

export interface ConnectionLimits {
  /** Headers and body must have arrived within this, else 408 and the connection is closed. */
  requestTimeoutMs: number;
  /** A connection with no request in progress and no traffic for this long is closed (one mid-request waits for requestTimeoutMs). */
  idleTimeoutMs: number;
  /** Open connections at most; more are closed as they arrive. */
  maxConnections: number;
}

export interface StartHttpServerOptions extends HttpServerOptions {
  port: number;
  host: string;
}

/** fastify with /healthz (process alive), /readyz (503 + reason when not ready) and /metrics. Add routes, then listen. */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  // With `https` fastify's type parameter becomes https.Server; routes and inject() work the same, so one type serves both.
  const { limits } = options;
  // Node checks request timeouts every connectionsCheckingInterval (30 s by default): often enough to keep them.
  const checking = limits ? { connectionsCheckingInterval: Math.min(1000, limits.requestTimeoutMs) } : {};
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit,
    // connectionTimeout covers a connection before its first request, keepAliveTimeout one between requests.
    ...(limits ? { requestTimeout: limits.requestTimeoutMs, connectionTimeout: limits.idleTimeoutMs, keepAliveTimeout: limits.idleTimeoutMs, http: checking } : {}),
    ...(options.tls ? { https: { ...options.tls, requestCert: options.tls.ca !== undefined, rejectUnauthorized: false, ...checking } } : {}),
  }) as unknown as FastifyInstance;
  if (limits) {
    app.server.maxConnections = limits.maxConnections;
    app.server.headersTimeout = Math.min(app.server.headersTimeout, limits.requestTimeoutMs);
  }
  if (options.healthRoutes === false) return app;

  // Probes and scrapes are frequent: their request logs go at warn, errors still show.
  const quiet = { logLevel: "warn" } as const;
  app.get("/healthz", quiet, async () => ({ status: "ok" }));
  app.get("/readyz", quiet, async (_request, reply) => {
    const readiness = options.readiness();
    if (readiness.ready) return { status: "ready" };
    return reply.code(503).send({ status: "not ready", reason: readiness.reason ?? "unknown" });
  });
  app.get("/metrics", quiet, async (_request, reply) => {
    const body = await options.registry.metrics();
    return reply.type(options.registry.contentType).send(body);
  });
  return app;
}

/** Creates the server, lets the service add its routes, then listens. Resolves with the listening instance. */
export async function startHttpServer(
  options: StartHttpServerOptions,
  addRoutes: (app: FastifyInstance) => void | Promise<void> = () => {},
): Promise<FastifyInstance> {
  const app = createHttpServer(options);
  await addRoutes(app);
  await app.listen({ port: options.port, host: options.host });
  return app;
}
