import { createFileSource, type FileSourceConfig } from "../tail/file-source.ts";
import type { Source, SourceDeps } from "./source.ts";

/** Tails Tetragon's JSON export (export-filename). */
export function createTetragonFileSource(config: FileSourceConfig, deps: SourceDeps): Source {
  return createFileSource("tetragon-file", "tetragon", config, deps);
}
