import { z } from "zod";
import { endpointUrl, envName, filePath, inlineSecret, requireOneOf } from "./fields.ts";
import { defineSink } from "./sink.ts";

/** Elasticsearch or OpenSearch `_bulk`, with basic auth or an API key. */
const schema = z
  .strictObject({
    url: endpointUrl,
    index: z.string().min(1),
    username: z.string().min(1).optional(),
    password_env: envName.optional(),
    password_file: filePath.optional(),
    api_key_env: envName.optional(),
    api_key_file: filePath.optional(),
    format: z.enum(["ecs", "ocsf"]).default("ecs"),
    password: inlineSecret("password", ["password_env", "password_file"]),
    api_key: inlineSecret("api_key", ["api_key_env", "api_key_file"]),
  })
  .superRefine((config, ctx) => {
    requireOneOf(config, ["password_env", "password_file", "api_key_env", "api_key_file"], ctx, true);
    const hasPassword = (config.password_env ?? config.password_file) !== undefined;
    if (hasPassword !== (config.username !== undefined)) {
      ctx.addIssue({ code: "custom", message: "username and password_env/password_file go together" });
    }
  });

export const elasticsearchSink = defineSink({
  kind: "elasticsearch",
  key: "elasticsearch_configs",
  schema,
  target: (_config, context) => context.receiver,
});
