import type { FastifyInstance } from "fastify";
import { LRUCache } from "lru-cache";
import type { IngestOutcome } from "../ingest.ts";
import { clientCertificateAllowed, createHttpReceiver, tokenMatches } from "./http-receiver.ts";
import type { Source, SourceDeps } from "./source.ts";

export interface AuditWebhookConfig {
  enabled: boolean;
  path: string;
  /** Tokens accepted: the `token` of the API server's webhook kubeconfig (Bearer), or a Basic-auth password. */
  tokens: string[];
  /** Accept a client certificate verified against http.tls.clientCaFile. */
  clientCertificates: boolean;
  /** When not empty, only client certificates with one of these subject CNs. */
  allowedClientNames: string[];
  maxBodyBytes: number;
  /** Events per EventList at most (413 beyond). */
  maxItems: number;
  /** Requests handled at once (503 + Retry-After beyond). */
  maxConcurrentRequests: number;
  dedup: { maxEntries: number; ttlSeconds: number };
}

/**
 * The Kubernetes audit webhook backend: POSTs of an audit EventList (or a single
 * Event). The API server retries failed batches, so items already produced are
 * dropped on auditID+stage. An id is remembered only once it is durable: a batch that
 * failed half-way is produced again in full (downstream is idempotent on the event id).
 */
export function createAuditWebhookSource(config: AuditWebhookConfig, deps: SourceDeps & { http: FastifyInstance }): Source {
  const origin = { format: "audit", location: "http:audit", refuseWhenFull: true } as const;
  const seen = new LRUCache<string, true>({ max: config.dedup.maxEntries, ttl: config.dedup.ttlSeconds * 1000 });

  async function ingestItem(item: unknown): Promise<IngestOutcome | "duplicate"> {
    const id = dedupId(item);
    if (id !== undefined && seen.has(id)) {
      deps.metrics.auditDuplicates.inc();
      return "duplicate";
    }
    const outcome = await deps.ingest.object(item, origin);
    if (id !== undefined) seen.set(id, true);
    return outcome;
  }

  return createHttpReceiver(
    {
      name: "audit",
      path: config.path,
      origin,
      bodyLimit: config.maxBodyBytes,
      maxItems: config.maxItems,
      maxConcurrentRequests: config.maxConcurrentRequests,
      authorize: (request) =>
        tokenMatches(request.headers.authorization, config.tokens) ||
        (config.clientCertificates && clientCertificateAllowed(request, config.allowedClientNames)),
      async handle(body) {
        const parsed = parseJsonObject(body);
        if (parsed === undefined) {
          await deps.ingest.line(body, origin); // the normalizer rejects it with its code and it is dead-lettered
          return { status: 400, body: { error: "body is not a JSON object; dead-lettered" } };
        }
        const items = Array.isArray(parsed.items) ? (parsed.items as unknown[]) : [parsed];
        const outcomes = await Promise.all(items.map(ingestItem));
        return { status: 200, body: countOutcomes(outcomes) };
      },
    },
    deps,
  );
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function dedupId(item: unknown): string | undefined {
  const { auditID, stage } = (typeof item === "object" && item !== null ? item : {}) as { auditID?: unknown; stage?: unknown };
  return typeof auditID === "string" && typeof stage === "string" ? `${auditID}/${stage}` : undefined;
}

function countOutcomes(outcomes: (IngestOutcome | "duplicate")[]): Record<string, number> {
  const counts: Record<string, number> = { produced: 0, skipped: 0, deadlettered: 0, duplicate: 0 };
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}
