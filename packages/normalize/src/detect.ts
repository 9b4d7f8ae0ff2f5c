import type { Obj } from "./fields.ts";
import type { SourceFormat } from "./types.ts";

/**
 * Which source wrote this object, from its shape alone:
 * - audit: `kind` Event / EventList, or auditID + stage + verb;
 * - falco: `rule` with `output` or `priority`;
 * - tetragon: a `process_*` object key, or both `node_name` and `time`.
 */
export function detectFormat(obj: Record<string, unknown>): SourceFormat | undefined {
  if (obj["kind"] === "Event" || obj["kind"] === "EventList" || has(obj, "auditID", "stage", "verb")) return "audit";
  if (typeof obj["rule"] === "string" && (has(obj, "output") || has(obj, "priority"))) return "falco";
  const processKey = Object.keys(obj).some((k) => k.startsWith("process_") && typeof obj[k] === "object" && obj[k] !== null);
  if (processKey || has(obj, "node_name", "time")) return "tetragon";
  return undefined;
}

function has(obj: Obj, ...keys: string[]): boolean {
  return keys.every((k) => Object.hasOwn(obj, k));
}
