/**
 * Typed reads from an audit event's `requestObject`, which the contract keeps as
 * `unknown`: the body is whatever the client sent (a full object, or a partial patch),
 * so every field is optional and a wrong type reads as absent.
 */
export type Json = Record<string, unknown>;

export function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function asObjects(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(asObject).filter((v) => v !== undefined) : [];
}

export function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v) => typeof v === "string") : [];
}

export function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function objectName(body: unknown): string | undefined {
  return asString(asObject(asObject(body)?.metadata)?.name) || undefined;
}

/** `metadata.generateName`: the prefix of an object whose name the server will pick. */
export function objectGenerateName(body: unknown): string | undefined {
  return asString(asObject(asObject(body)?.metadata)?.generateName) || undefined;
}

export function objectLabels(body: unknown): Record<string, string> {
  const labels = asObject(asObject(asObject(body)?.metadata)?.labels) ?? {};
  return Object.fromEntries(Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === "string"));
}
