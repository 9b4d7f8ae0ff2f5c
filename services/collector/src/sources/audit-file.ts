import { createFileSource, type FileSourceConfig } from "../tail/file-source.ts";
import type { Source, SourceDeps } from "./source.ts";

/** Tails the API server's audit log (--audit-log-path), JSON lines. */
export function createAuditFileSource(config: FileSourceConfig, deps: SourceDeps): Source {
  return createFileSource("audit-file", "audit", config, deps);
}
