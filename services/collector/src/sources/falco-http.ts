import type { FastifyInstance } from "fastify";
import { clientCertificateAllowed, createHttpReceiver, tokenMatches } from "./http-receiver.ts";
import type { Source, SourceDeps } from "./source.ts";

export interface FalcoHttpConfig {
  enabled: boolean;
  path: string;
  /**
   * Accepted as a Bearer token or as the password of Basic auth. Falco's http_output
   * cannot add headers, but libcurl sends Basic auth for `url: http://falco:<token>@host/falco`;
   * falcosidekick and other senders can send `Authorization: Bearer <token>`.
   */
  token?: string;
  /** Accept a client certificate verified against http.tls.clientCaFile (http_output.mtls). */
  clientCertificates: boolean;
  /** When not empty, only client certificates with one of these subject CNs. */
  allowedClientNames: string[];
  /** Requests handled at once (503 + Retry-After beyond). */
  maxConcurrentRequests: number;
}

/** Falco's `http_output` posts one JSON alert per request. Answers 200 once the alert is durable in Kafka. */
export function createFalcoHttpSource(config: FalcoHttpConfig, deps: SourceDeps & { http: FastifyInstance }): Source {
  const origin = { format: "falco", location: "http:falco", refuseWhenFull: true } as const;
  return createHttpReceiver(
    {
      name: "falco",
      path: config.path,
      origin,
      bodyLimit: 1024 * 1024,
      maxConcurrentRequests: config.maxConcurrentRequests,
      authorize: (request) =>
        tokenMatches(request.headers.authorization, config.token === undefined ? [] : [config.token]) ||
        (config.clientCertificates && clientCertificateAllowed(request, config.allowedClientNames)),
      async handle(body) {
        const outcome = await deps.ingest.line(body, origin);
        if (outcome === "deadlettered") return { status: 400, body: { error: "not a Falco alert; dead-lettered" } };
        return { status: 200, body: { outcome } };
      },
    },
    deps,
  );
}
