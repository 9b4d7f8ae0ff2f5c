import { z } from "zod";
import { renderTemplate } from "../template.ts";
import { envName, filePath, inlineSecret, requireOneOf, template } from "./fields.ts";
import { defineSink } from "./sink.ts";

/** Slack: an Incoming Webhook (api_url_*) or the Web API's chat.postMessage (token_*). */
const schema = z
  .strictObject({
    channel: template.optional(),
    api_url_env: envName.optional(),
    api_url_file: filePath.optional(),
    token_env: envName.optional(),
    token_file: filePath.optional(),
    api_url: inlineSecret("api_url", ["api_url_env", "api_url_file"]),
    token: inlineSecret("token", ["token_env", "token_file"]),
  })
  .superRefine((config, ctx) => {
    requireOneOf(config, ["api_url_env", "api_url_file", "token_env", "token_file"], ctx);
    if ((config.token_env ?? config.token_file) !== undefined && config.channel === undefined) {
      ctx.addIssue({ code: "custom", path: ["channel"], message: "chat.postMessage (token_env/token_file) needs a channel" });
    }
  });

export const slackSink = defineSink({
  kind: "slack",
  key: "slack_configs",
  schema,
  // An Incoming Webhook posts to its own channel when none is given.
  target: (config, context) => (config.channel && renderTemplate(config.channel, context)) || context.receiver,
});
