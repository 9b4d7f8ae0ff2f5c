import { createHttpServer, createLogger, createMetrics } from "@outlier/service-kit";
import type { FastifyInstance } from "fastify";
import type { Ingest, IngestOutcome, Origin } from "../ingest.ts";
import { createCollectorMetrics } from "../metrics.ts";
import type { SourceDeps } from "./source.ts";

/** An Ingest that records what it was given; tests set its answer, saturation or failure. */
export class FakeIngest implements Ingest {
  readonly lines: { text: string; origin: Origin }[] = [];
  readonly objects: { body: unknown; origin: Origin }[] = [];
  saturated = false;
  outcome: IngestOutcome = "produced";
  failure: Error | undefined;

  async line(text: string, origin: Origin): Promise<IngestOutcome> {
    if (this.failure) throw this.failure;
    this.lines.push({ text, origin });
    return this.outcome;
  }

  async object(body: unknown, origin: Origin): Promise<IngestOutcome> {
    if (this.failure) throw this.failure;
    this.objects.push({ body, origin });
    return this.outcome;
  }
}

/** A server and the deps an HTTP source needs, with a fake ingest. */
export function receiverHarness(): { app: FastifyInstance; ingest: FakeIngest; deps: SourceDeps & { http: FastifyInstance } } {
  const logger = createLogger({ level: "silent", name: "test" });
  const registry = createMetrics("outlier_collector_");
  const app = createHttpServer({ logger, registry, readiness: () => ({ ready: true }) });
  const ingest = new FakeIngest();
  return { app, ingest, deps: { ingest, logger, metrics: createCollectorMetrics(registry), http: app } };
}
