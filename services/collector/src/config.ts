import { kafkaConnectionSchema } from "@outlier/bus";
import { TOPICS } from "@outlier/contracts";
import { HttpListenSchema, loadConfig } from "@outlier/service-kit";
import { z } from "zod";

/** Prefix of every environment override: sources.falcoHttp.token → OUTLIER_COLLECTOR_SOURCES_FALCO_HTTP_TOKEN. */
export const ENV_PREFIX = "OUTLIER_COLLECTOR";
const MiB = 1024 * 1024;

const FileSourceSchema = z.strictObject({
  /** The file the source writes (JSON lines); rotation and truncation are followed. */
  path: z.string().min(1),
});

const FalcoHttpSchema = z.strictObject({
  enabled: z.boolean().default(true),
  path: z.string().startsWith("/").default("/falco"),
  /**
   * Bearer token, or Basic-auth password: Falco's http_output cannot add headers, but sends
   * Basic auth for `url: http://falco:<token>@<collector>/falco`. Required unless clientCertificates.
   */
  token: z.string().min(16, "use a random token of at least 16 characters").optional(),
  /** Accept client certificates verified against http.tls.clientCaFile (Falco http_output.mtls). */
  clientCertificates: z.boolean().default(false),
  /** When not empty, only client certificates whose subject CN is listed. */
  allowedClientNames: z.array(z.string()).default([]),
});

const AuditWebhookSchema = z.strictObject({
  enabled: z.boolean().default(true),
  path: z.string().startsWith("/").default("/audit"),
  /** Bearer tokens accepted: the `token` of the API server's webhook kubeconfig. */
  tokens: z.array(z.string().min(16, "use random tokens of at least 16 characters")).default([]),
  /** Accept client certificates verified against http.tls.clientCaFile. */
  clientCertificates: z.boolean().default(false),
  /** When not empty, only client certificates whose subject CN is listed. */
  allowedClientNames: z.array(z.string()).default([]),
  /** Larger bodies get 413. The API server's default batch (400 events) stays well under 4 MiB. */
  maxBodyBytes: z.number().int().positive().default(4 * MiB),
  dedup: z
    .strictObject({
      maxEntries: z.number().int().positive().default(100_000),
      /** The API server retries a batch for a few minutes at most. */
      ttlSeconds: z.number().int().positive().default(600),
    })
    .prefault({}),
});

export const CollectorConfigSchema = z
  .strictObject({
    /** Written into every event and every Kafka key. */
    cluster: z.string().min(1).default("default"),
    /** This node; from the downward API (env NODE_NAME). Keys host processes. */
    nodeName: z.string().min(1).optional(),
    logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    kafka: kafkaConnectionSchema("outlier-collector")
      .extend({
        /** Topic names; change them only to run several installations on one Kafka cluster. */
        topics: z
          .strictObject({
            runtime: z.string().min(1).default(TOPICS.runtime),
            audit: z.string().min(1).default(TOPICS.audit),
            deadletter: z.string().min(1).default(TOPICS.deadletter),
          })
          .prefault({}),
      })
      .prefault({}),
    producer: z
      .strictObject({
        /** Records per produce request. */
        batchSize: z.number().int().positive().default(500),
        /** How long a record may wait for its batch to fill. */
        lingerMs: z.number().int().min(0).default(20),
        /** Records held in memory before sources are slowed down and receivers answer 503. */
        maxBuffered: z.number().int().positive().default(10_000),
      })
      .prefault({}),
    http: HttpListenSchema.extend({
      /** Serve HTTPS (needed for client-certificate auth of the audit webhook). */
      tls: z
        .strictObject({
          certFile: z.string().min(1),
          keyFile: z.string().min(1),
          /** CA that signs accepted client certificates; a client without one is still served (probes, /metrics). */
          clientCaFile: z.string().min(1).optional(),
        })
        .optional(),
    }).prefault({}),
    sources: z
      .strictObject({
        tetragonFile: FileSourceSchema.optional(),
        falcoFile: FileSourceSchema.optional(),
        auditFile: FileSourceSchema.optional(),
        falcoHttp: FalcoHttpSchema.optional(),
        auditWebhook: AuditWebhookSchema.optional(),
      })
      .prefault({}),
    falco: z
      .strictObject({
        /**
         * Falco rules (exact names) whose alerts feed the baselines as process execs instead of
         * passing through as falco.* findings. Absent: execve alerts and rules named or tagged
         * for shells and spawned processes. [] : none feeds, every alert passes through.
         */
        execRules: z.array(z.string().min(1)).optional(),
      })
      .prefault({}),
    /** File sources keep their read offsets here (a hostPath, so a restart resumes where it stopped). */
    stateDir: z.string().min(1).default("/var/lib/outlier-collector"),
    kubernetes: z
      .strictObject({
        /** auto: enrich from the API server when running in a pod (KUBERNETES_SERVICE_HOST is set). */
        enabled: z.union([z.literal("auto"), z.boolean()]).default("auto"),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    const { falcoHttp, auditWebhook } = config.sources;
    if (falcoHttp?.enabled && falcoHttp.token === undefined && !falcoHttp.clientCertificates) {
      ctx.addIssue({ code: "custom", path: ["sources", "falcoHttp", "token"], message: `required unless clientCertificates is true (set ${ENV_PREFIX}_SOURCES_FALCO_HTTP_TOKEN_FILE)` });
    }
    if (auditWebhook?.enabled && auditWebhook.tokens.length === 0 && !auditWebhook.clientCertificates) {
      ctx.addIssue({ code: "custom", path: ["sources", "auditWebhook"], message: "needs tokens or clientCertificates: true; the receiver never accepts anonymous requests" });
    }
    for (const [name, receiver] of [["falcoHttp", falcoHttp], ["auditWebhook", auditWebhook]] as const) {
      if (receiver?.enabled && receiver.clientCertificates && config.http.tls?.clientCaFile === undefined) {
        ctx.addIssue({ code: "custom", path: ["sources", name, "clientCertificates"], message: "needs http.tls with clientCaFile" });
      }
    }
  });

export type CollectorConfig = z.infer<typeof CollectorConfigSchema>;

/** Defaults < YAML file < OUTLIER_COLLECTOR_* env; NODE_NAME (downward API) fills nodeName. */
export function loadCollectorConfig(file: string | undefined, env: NodeJS.ProcessEnv): CollectorConfig {
  const withNode = { ...env, [`${ENV_PREFIX}_NODE_NAME`]: env[`${ENV_PREFIX}_NODE_NAME`] ?? env.NODE_NAME };
  return loadConfig(CollectorConfigSchema, { file, env: withNode, prefix: ENV_PREFIX });
}
