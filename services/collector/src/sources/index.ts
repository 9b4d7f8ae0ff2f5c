import type { FastifyInstance } from "fastify";
import type { CollectorConfig } from "../config.ts";
import { createAuditFileSource } from "./audit-file.ts";
import { createAuditWebhookSource } from "./audit-webhook.ts";
import { createFalcoFileSource } from "./falco-file.ts";
import { createFalcoHttpSource } from "./falco-http.ts";
import type { Source, SourceDeps } from "./source.ts";
import { createTetragonFileSource } from "./tetragon-file.ts";

/** What the collector hands every source factory; HTTP receivers add their routes to `http`. */
export type CollectorSourceDeps = SourceDeps & { http: FastifyInstance };

type SourceEntry = (config: CollectorConfig, deps: CollectorSourceDeps) => Source | undefined;

/** The one list of sources: each entry returns its source when the config enables it. */
const SOURCES: SourceEntry[] = [
  ({ sources, stateDir }, deps) => sources.tetragonFile && createTetragonFileSource({ ...sources.tetragonFile, stateDir }, deps),
  ({ sources, stateDir }, deps) => sources.falcoFile && createFalcoFileSource({ ...sources.falcoFile, stateDir }, deps),
  ({ sources, stateDir }, deps) => sources.auditFile && createAuditFileSource({ ...sources.auditFile, stateDir }, deps),
  ({ sources }, deps) => (sources.falcoHttp?.enabled ? createFalcoHttpSource(sources.falcoHttp, deps) : undefined),
  ({ sources }, deps) => (sources.auditWebhook?.enabled ? createAuditWebhookSource(sources.auditWebhook, deps) : undefined),
];

export function createSources(config: CollectorConfig, deps: CollectorSourceDeps): Source[] {
  return SOURCES.flatMap((create) => create(config, deps) ?? []);
}
