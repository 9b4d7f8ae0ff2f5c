import { createHttpServer, createLogger, createMetrics } from "@outlier/service-kit";
import type { FastifyInstance } from "fastify";
import type { RejectCode } from "@outlier/contracts";
import type { Ingest, IngestOutcome, Origin } from "../ingest.ts";
import { createCollectorMetrics } from "../metrics.ts";
import type { SourceDeps } from "./source.ts";

/** An Ingest that records what it was given; tests set its answer, saturation or failure. */
export class FakeIngest implements Ingest {
  readonly lines: { text: string; origin: Origin }[] = [];
  readonly objects: { body: unknown; origin: Origin }[] = [];
  readonly deadLetters: { code: RejectCode; text: string; origin: Origin }[] = [];
  saturated = false;
  outcome: IngestOutcome = "produced";
  failure: Error | undefined;
  #gate: Promise<void> | undefined;
  #entered: (() => void) | undefined;

  /** Makes the next objects wait until release(); `entered` resolves when one is waiting. */
  hold(): { entered: Promise<void>; release(): void } {
    let release!: () => void;
    this.#gate = new Promise((resolve) => (release = resolve));
    const entered = new Promise<void>((resolve) => (this.#entered = resolve));
    return { entered, release: () => ((this.#gate = undefined), release()) };
  }

  async line(text: string, origin: Origin): Promise<IngestOutcome> {
    if (this.failure) throw this.failure;
    this.lines.push({ text, origin });
    return this.outcome;
  }

  async object(body: unknown, origin: Origin): Promise<IngestOutcome> {
    if (this.#gate) {
      this.#entered?.();
      await this.#gate;
    }
    if (this.failure) throw this.failure;
    this.objects.push({ body, origin });
    return this.outcome;
  }

  async deadLetter(code: RejectCode, _message: string, text: string, origin: Origin): Promise<void> {
    if (this.failure) throw this.failure;
    this.deadLetters.push({ code, text, origin });
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
