import { readFileSync } from "node:fs";
import { LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";

/** A configuration that cannot be loaded; `problems` has one line per bad key, pointing at where it was set. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

export interface LoadConfigOptions {
  /** A YAML file; its values override the schema's defaults. */
  file?: string;
  /** Environment; `<PREFIX>_<PATH>` overrides the file, `<PREFIX>_<PATH>_FILE` reads the value from a file (mounted secrets; a missing file leaves the key unset). */
  env: NodeJS.ProcessEnv;
  /** e.g. "OUTLIER_COLLECTOR". */
  prefix: string;
}

/**
 * Defaults (in the schema) < YAML file < environment, validated by the schema.
 * The env name of a key is its path in SCREAMING_SNAKE_CASE after the prefix:
 * kafka.clientId → OUTLIER_COLLECTOR_KAFKA_CLIENT_ID. Lists are comma-separated.
 */
export function loadConfig<T>(schema: z.ZodType<T>, options: LoadConfigOptions): T {
  const file = options.file === undefined ? undefined : readYaml(options.file);
  const merged = file?.value ?? {};
  const fromEnv = applyEnv(schema, merged, options.env, options.prefix);
  const result = schema.safeParse(merged);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const path = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path;
      const key = path.join(".") || "(root)";
      const where = fromEnv.get(key) ?? (file ? file.locate(path) : undefined);
      return `${key}: ${issue.message}${where ? ` (${where})` : ""}`;
    }),
  );
}

interface YamlFile {
  value: Record<string, unknown>;
  /** "file:line" of the nearest node on `path`. */
  locate(path: PropertyKey[]): string | undefined;
}

function readYaml(file: string): YamlFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([`cannot read config file ${file}: ${(e as Error).message}`]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    throw new ConfigError(doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? "?"}: ${e.message.split("\n")[0]}`));
  }
  const value: unknown = withoutNulls(doc.toJS()) ?? {};
  if (typeof value !== "object" || Array.isArray(value)) throw new ConfigError([`${file}: the top level must be a mapping`]);
  return {
    value: value as Record<string, unknown>,
    locate: (path) => locate(doc, lineCounter, file, path),
  };
}

/** A key left empty in YAML (`sources:` with everything below commented out) means "not set". */
function withoutNulls(value: unknown): unknown {
  if (value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

function locate(doc: Document, lineCounter: LineCounter, file: string, path: PropertyKey[]): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const node: unknown = doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return `${file}:${lineCounter.linePos(range[0]).line}`;
  }
  return undefined;
}

/** Sets every env-provided key in `target`; returns key path → env var name, for error messages. */
function applyEnv(schema: z.ZodType, target: Record<string, unknown>, env: NodeJS.ProcessEnv, prefix: string): Map<string, string> {
  const origins = new Map<string, string>();
  const base = prefix.replace(/_+$/, "");
  for (const leaf of leavesOf(schema, [])) {
    const name = [base, ...leaf.path.map(toSnake)].join("_");
    const raw = readEnv(env, name);
    if (raw === undefined) continue;
    setIn(target, leaf.path, coerce(raw.value, leaf.kinds));
    origins.set(leaf.path.join("."), `env ${raw.from}`);
  }
  return origins;
}

function readEnv(env: NodeJS.ProcessEnv, name: string): { value: string; from: string } | undefined {
  const direct = env[name];
  const fileName = env[`${name}_FILE`];
  if (direct !== undefined && fileName !== undefined) throw new ConfigError([`both ${name} and ${name}_FILE are set; use one`]);
  if (direct !== undefined) return { value: direct, from: name };
  if (fileName === undefined) return undefined;
  try {
    return { value: readFileSync(fileName, "utf8").trim(), from: `${name}_FILE` };
  } catch (e) {
    // A missing file is an unset value: Kubernetes mounts an optional Secret without the key when it is
    // absent (e.g. no Redis password). A value the schema requires is still reported as missing.
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new ConfigError([`${name}_FILE: cannot read ${fileName}: ${(e as Error).message}`]);
  }
}

function toSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

function setIn(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

type Kind = "string" | "number" | "boolean" | "list" | "json";
interface Leaf {
  path: string[];
  kinds: Set<Kind>;
}

/** The subset of zod's internal schema definition this loader walks. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  options?: z.ZodType[];
  element?: z.ZodType;
  values?: unknown[];
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

function defOf(schema: z.ZodType): Def {
  let def = schema._zod.def as unknown as Def;
  while (WRAPPERS.has(def.type) || def.type === "pipe") {
    const inner = def.type === "pipe" ? def.in : def.innerType;
    if (!inner) break;
    def = inner._zod.def as unknown as Def;
  }
  return def;
}

function leavesOf(schema: z.ZodType, path: string[]): Leaf[] {
  const def = defOf(schema);
  if (def.type === "object" && def.shape) return Object.entries(def.shape).flatMap(([key, child]) => leavesOf(child, [...path, key]));
  return [{ path, kinds: kindsOf(def) }];
}

function kindsOf(def: Def): Set<Kind> {
  switch (def.type) {
    case "string":
    case "enum":
      return new Set(["string"]);
    case "number":
    case "int":
      return new Set(["number"]);
    case "boolean":
      return new Set(["boolean"]);
    case "literal":
      return new Set((def.values ?? []).map((v): Kind => (typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "string")));
    case "union":
      return new Set((def.options ?? []).flatMap((o) => [...kindsOf(defOf(o))]));
    case "array": {
      const element = def.element ? kindsOf(defOf(def.element)) : new Set<Kind>();
      return new Set([[...element].every((k) => k === "string") ? "list" : "json"]);
    }
    default:
      return new Set(["json"]);
  }
}

function coerce(raw: string, kinds: Set<Kind>): unknown {
  const value = raw.trim();
  if (kinds.has("json") || (kinds.has("list") && value.startsWith("["))) {
    try {
      return JSON.parse(value);
    } catch {
      return raw; // left to the schema to reject, with the env var named
    }
  }
  if (kinds.has("list")) return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (kinds.has("boolean") && (value === "true" || value === "false")) return value === "true";
  if (kinds.has("number") && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return raw;
}
