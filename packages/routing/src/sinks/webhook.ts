import { z } from "zod";
import { endpointUrl, envName, filePath, inlineSecret, requireOneOf } from "./fields.ts";
import { defineSink } from "./sink.ts";

/** A generic JSON webhook, optionally signed with an HMAC of the body. */
const schema = z
  .strictObject({
    url: endpointUrl,
    hmac_secret_env: envName.optional(),
    hmac_secret_file: filePath.optional(),
    hmac_secret: inlineSecret("hmac_secret", ["hmac_secret_env", "hmac_secret_file"]),
  })
  .superRefine((config, ctx) => requireOneOf(config, ["hmac_secret_env", "hmac_secret_file"], ctx, true));

export const webhookSink = defineSink({
  kind: "webhook",
  key: "webhook_configs",
  schema,
  target: (_config, context) => context.receiver,
});
