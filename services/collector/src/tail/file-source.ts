import type { SourceFormat } from "../ingest.ts";
import type { Source, SourceDeps } from "../sources/source.ts";
import { FileTailer, type FileTailerOptions } from "./file-tailer.ts";
import { tailMetrics } from "./metrics.ts";
import { createFilePositionStore } from "./position-store.ts";

/** What every file source is configured with. */
export interface FileSourceConfig {
  /** The JSON-lines file to follow. */
  path: string;
  /** Where the read position is kept across restarts (one small file per path). */
  stateDir: string;
  pollIntervalMs?: number;
  maxLineBytes?: number;
}

/**
 * A source that tails `config.path` and hands each line to ingest as `format`, with
 * the location `path:lineNo`. A line counts as done once ingest has it durable in Kafka.
 */
export function createFileSource(name: string, format: SourceFormat, config: FileSourceConfig, deps: SourceDeps): Source {
  const options: FileTailerOptions = {
    path: config.path,
    positionStore: createFilePositionStore(config.stateDir, config.path),
    onLine: (line, lineNo) => deps.ingest.line(line, { format, location: `${config.path}:${lineNo}` }),
    logger: deps.logger.child({ source: name }),
    metrics: tailMetrics(deps.metrics.registry),
    pollIntervalMs: config.pollIntervalMs,
    maxLineBytes: config.maxLineBytes,
  };
  let tailer: FileTailer | undefined;
  return {
    name,
    async start() {
      tailer = new FileTailer(options);
      await tailer.start();
    },
    async stop() {
      await tailer?.stop();
      tailer = undefined;
    },
  };
}
