import { z } from "zod";
import { endpointUrl, envName, filePath, inlineSecret, requireOneOf } from "./fields.ts";
import { defineSink } from "./sink.ts";

/** Splunk HTTP Event Collector. */
const schema = z
  .strictObject({
    url: endpointUrl,
    token_env: envName.optional(),
    token_file: filePath.optional(),
    index: z.string().min(1).optional(),
    sourcetype: z.string().min(1).optional(),
    format: z.enum(["native", "ocsf"]).default("native"),
    token: inlineSecret("token", ["token_env", "token_file"]),
  })
  .superRefine((config, ctx) => requireOneOf(config, ["token_env", "token_file"], ctx));

export const splunkHecSink = defineSink({
  kind: "splunk_hec",
  key: "splunk_hec_configs",
  schema,
  target: (_config, context) => context.receiver,
});
