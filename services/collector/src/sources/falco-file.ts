import { createFileSource, type FileSourceConfig } from "../tail/file-source.ts";
import type { Source, SourceDeps } from "./source.ts";

/** Tails Falco's file_output with json_output: true. */
export function createFalcoFileSource(config: FileSourceConfig, deps: SourceDeps): Source {
  return createFileSource("falco-file", "falco", config, deps);
}
