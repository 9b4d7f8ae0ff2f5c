/**
 * Small, total readers for untrusted JSON: each returns undefined instead of throwing
 * when a field is absent or has the wrong type. Sources omit zero values and write
 * 64-bit numbers as strings, so numbers are read from either form.
 */
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

/** A non-empty string. */
export function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** A safe integer, from a JSON number or a decimal string. */
export function int(v: unknown): number | undefined {
  const n = typeof v === "string" && /^-?\d{1,16}$/.test(v) ? Number(v) : v;
  return typeof n === "number" && Number.isSafeInteger(n) ? n : undefined;
}

/**
 * Any JSON value as short text for an error message. Never throws: `String(v)` would on
 * an object whose `toString` key is not a function.
 */
export function preview(v: unknown, max = 64): string {
  const text = typeof v === "string" ? v : (JSON.stringify(v) ?? typeof v);
  return text.slice(0, max);
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === "boolean" ? v : undefined;
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

/**
 * A string → string map (labels, annotations). `__proto__` is dropped: it is never a
 * valid label or annotation key, and assigning it would replace the map's prototype.
 */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  // Object.keys, not Object.entries: no [key, value] array per entry on this per-event path.
  for (const key of Object.keys(v)) {
    const value = v[key];
    if (key !== "__proto__" && typeof value === "string") out[key] = value;
  }
  return out;
}

/** Copies only the defined values, so optional fields stay absent instead of `undefined`. */
export function compact<T extends object>(o: T): T {
  const out: Obj = {};
  for (const key of Object.keys(o)) {
    const value = (o as Obj)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

/** `containerd://4f1c…` → `4f1c…`, lower-cased, as the k8s pod cache keys containers. */
export function containerId(id: string | undefined): string | undefined {
  return id?.replace(/^[a-z0-9-]+:\/\//, "").toLowerCase() || undefined;
}

/** `sha256:<64 hex>` inside an image reference or image id. */
export function imageDigest(ref: string | undefined): string | undefined {
  return ref ? /sha256:[0-9a-f]{64}/.exec(ref)?.[0] : undefined;
}
