import { reject, type Rejection } from "@outlier/contracts";
import { detectFormat } from "./detect.ts";
import { normalizeFalco } from "./falco.ts";
import { isObj, type Obj } from "./fields.ts";
import { normalizeAudit } from "./k8s-audit.ts";
import { normalizeTetragon } from "./tetragon.ts";
import { skipped, type NormalizeOptions, type NormalizeResult, type SourceFormat } from "./types.ts";

const NORMALIZERS: Record<SourceFormat, (raw: Obj, opts: NormalizeOptions) => NormalizeResult> = {
  tetragon: normalizeTetragon,
  falco: normalizeFalco,
  audit: normalizeAudit,
};

export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

/** One line of a source's output. Never throws: every outcome is a result with a code. */
export function normalizeLine(line: string, opts: NormalizeOptions): NormalizeResult {
  const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  // A UTF-8 byte count is at least the UTF-16 length and at most three times it.
  if (line.length > max || (line.length * 3 > max && Buffer.byteLength(line) > max)) {
    return reject("line_too_long", `line is ${Buffer.byteLength(line)} bytes, over the ${max}-byte limit`);
  }
  if (line.trim() === "") return skipped(opts.source ?? "unknown", "empty_line", "empty line");
  // Tetragon writes protobuf JSON, where every 64-bit integer is a string: no number there can
  // exceed 2^53, so its lines skip the scan for long numbers (which costs half a JSON.parse).
  const parsed = parseJson(line, opts.source !== "tetragon");
  return "ok" in parsed ? parsed : normalizeObject(parsed.value, opts);
}

/** An already-parsed input (an HTTP body). Never throws. */
export function normalizeObject(obj: unknown, opts: NormalizeOptions): NormalizeResult {
  if (!isObj(obj)) return reject("not_an_object", `expected a JSON object, got ${Array.isArray(obj) ? "an array" : obj === null ? "null" : typeof obj}`);
  const source = opts.source ?? detectFormat(obj);
  if (!source) return reject("unknown_format", `not a Tetragon, Falco or Kubernetes audit event (keys: ${Object.keys(obj).slice(0, 8).join(", ")})`);
  try {
    return NORMALIZERS[source](obj, opts);
  } catch (e) {
    // Normalizers are written to be total; this guards the reader against a missed case.
    return reject("invalid_field", `${source} normalizer failed: ${(e as Error).message}`);
  }
}

/**
 * JSON.parse, except that integers beyond 2^53 keep their exact digits as strings
 * (Falco's `evt.time` is a nanosecond count). The reviver only runs on lines that
 * hold such a long number, so ordinary lines parse at full speed.
 */
function parseJson(line: string, mayHoldBigIntegers: boolean): { value: unknown } | Rejection {
  try {
    return { value: mayHoldBigIntegers && /\d{16}/.test(line) ? JSON.parse(line, keepBigIntegers) : JSON.parse(line) };
  } catch (e) {
    return reject("malformed_json", (e as Error).message);
  }
}

function keepBigIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  const unsafe = typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value);
  return unsafe && context?.source && /^-?\d+$/.test(context.source) ? context.source : value;
}
