import { z } from "zod";
import { parseDuration, SEVERITIES } from "@outlier/contracts";
import { parseMatcher } from "./matcher.ts";
import { SINKS, type SinkConfig } from "./sinks/index.ts";

/** The routing file as written, validated field by field (cross-references are checked in load.ts). */

const matcher = z.string().transform((text, ctx) => {
  const parsed = parseMatcher(text);
  if (parsed.ok) return parsed.matcher;
  ctx.addIssue({ code: "custom", message: parsed.error });
  return z.NEVER;
});

// YAML reads an unquoted `0` as a number; Alertmanager accepts it as a duration.
const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(String(value));
  if (ms !== undefined) return ms;
  ctx.addIssue({ code: "custom", message: `bad duration ${JSON.stringify(value)}: expected e.g. 30s, 5m, 1h30m` });
  return z.NEVER;
});

const RouteSchema = z.strictObject({
  receiver: z.string().min(1).optional(),
  matchers: z.array(matcher).optional(),
  min_severity: z.enum(SEVERITIES).optional(),
  continue: z.boolean().optional(),
  group_by: z.array(z.string().min(1)).optional(),
  group_wait: duration.optional(),
  group_interval: duration.optional(),
  repeat_interval: duration.optional(),
  get routes() {
    return z.array(RouteSchema).optional();
  },
});
export type RawRoute = z.output<typeof RouteSchema>;

type AnySinkSpec = (typeof SINKS)[number];
type SinkShape = { [S in AnySinkSpec as S["key"]]: z.ZodOptional<z.ZodArray<S["schema"]>> };
const sinkShape = Object.fromEntries(SINKS.map((sink) => [sink.key, z.array(sink.schema).optional()])) as SinkShape;

const ReceiverSchema = z.strictObject({ name: z.string().min(1), ...sinkShape });
export type RawReceiver = z.output<typeof ReceiverSchema>;

export const RoutesFileSchema = z.strictObject({
  route: RouteSchema,
  receivers: z.array(ReceiverSchema).min(1),
});
export type RawRoutesFile = z.output<typeof RoutesFileSchema>;

/** A receiver's sink entries, in the order of SINKS, each tagged with its kind. */
export function sinkConfigs(receiver: RawReceiver): SinkConfig[] {
  return SINKS.flatMap((sink) => (receiver[sink.key] ?? []).map((config) => ({ kind: sink.kind, ...config }) as SinkConfig));
}
