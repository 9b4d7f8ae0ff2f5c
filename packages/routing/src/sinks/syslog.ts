import { z } from "zod";
import { filePath } from "./fields.ts";
import { defineSink } from "./sink.ts";

/** Syslog (RFC 5424 framing) over TCP or TLS, carrying CEF or OCSF JSON. */
const schema = z
  .strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65_535),
    protocol: z.enum(["tcp", "tls"]).default("tls"),
    ca_file: filePath.optional(),
    cert_file: filePath.optional(),
    key_file: filePath.optional(),
    format: z.enum(["cef", "ocsf"]).default("cef"),
  })
  .superRefine((config, ctx) => {
    const tlsFiles = [config.ca_file, config.cert_file, config.key_file].some((file) => file !== undefined);
    if (tlsFiles && config.protocol !== "tls") {
      ctx.addIssue({ code: "custom", path: ["protocol"], message: "ca_file, cert_file and key_file need protocol: tls" });
    }
    if ((config.cert_file === undefined) !== (config.key_file === undefined)) {
      ctx.addIssue({ code: "custom", message: "cert_file and key_file go together" });
    }
  });

export const syslogSink = defineSink({
  kind: "syslog",
  key: "syslog_configs",
  schema,
  target: (_config, context) => context.receiver,
});
