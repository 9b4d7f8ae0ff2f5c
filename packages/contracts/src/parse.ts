import type { z } from "zod";
import { reject, type Rejection } from "./errors.ts";
import { RuntimeEventSchema, type RuntimeEvent } from "./runtime-event.ts";
import { AuditEventSchema, type AuditEvent } from "./audit-event.ts";
import { FindingSchema, type Finding } from "./finding.ts";

export type Parsed<T> = { ok: true; value: T } | Rejection;

function parseWith<T>(schema: z.ZodType<T>, json: string): Parsed<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    return reject("malformed_json", (e as Error).message);
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return reject("schema_violation", `${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
}

export const parseRuntimeEvent = (json: string): Parsed<RuntimeEvent> => parseWith(RuntimeEventSchema, json);
export const parseAuditEvent = (json: string): Parsed<AuditEvent> => parseWith(AuditEventSchema, json);
export const parseFinding = (json: string): Parsed<Finding> => parseWith(FindingSchema, json);
