import type { FastifyInstance } from "fastify";
import { bearerMatches, createHttpReceiver } from "./http-receiver.ts";
import type { Source, SourceDeps } from "./source.ts";

export interface FalcoHttpConfig {
  enabled: boolean;
  path: string;
  /** Bearer token Falco sends (http_output.custom_headers: "Authorization: Bearer <token>"); without one every request is refused. */
  token?: string;
}

/** Falco's `http_output` posts one JSON alert per request. Answers 200 once the alert is durable in Kafka. */
export function createFalcoHttpSource(config: FalcoHttpConfig, deps: SourceDeps & { http: FastifyInstance }): Source {
  const origin = { format: "falco", location: "http:falco" } as const;
  return createHttpReceiver(
    {
      name: "falco",
      path: config.path,
      bodyLimit: 1024 * 1024,
      authorize: (request) => bearerMatches(request.headers.authorization, config.token === undefined ? [] : [config.token]),
      async handle(body) {
        const outcome = await deps.ingest.line(body, origin);
        if (outcome === "deadlettered") return { status: 400, body: { error: "not a Falco alert; dead-lettered" } };
        return { status: 200, body: { outcome } };
      },
    },
    deps,
  );
}
