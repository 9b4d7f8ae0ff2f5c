export { normalizeLine, normalizeObject, DEFAULT_MAX_LINE_BYTES } from "./normalize.ts";
export { detectFormat } from "./detect.ts";
export { inferWorkload, hostWorkload, type PodIdentity, type WorkloadHint } from "./workload.ts";
export { SOURCE_FORMATS, type SourceFormat, type Normalized, type NormalizeOptions, type NormalizeResult } from "./types.ts";
