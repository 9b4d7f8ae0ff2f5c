import type { z } from "zod";
import type { TemplateContext } from "../template.ts";

/** What a sink's destination name may depend on: the receiver and the finding's values. */
export interface TargetContext extends TemplateContext {
  receiver: string;
}

/**
 * One sink kind in the routing file: its YAML key under a receiver (`slack_configs`),
 * the schema of one entry, and the short target name used in destinations
 * ("slack:#payments-oncall", "splunk_hec:soc").
 */
export interface SinkSpec<K extends string, C> {
  kind: K;
  key: `${K}_configs`;
  schema: z.ZodType<C>;
  target(config: C, context: TargetContext): string;
}

export function defineSink<K extends string, C>(spec: SinkSpec<K, C>): SinkSpec<K, C> {
  return spec;
}
