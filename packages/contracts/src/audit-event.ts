import { z } from "zod";

export const AuditEventSchema = z.object({
  schema: z.literal("outlier.audit.v1"),
  /** auditID + "/" + stage: the API server retries batches, this is the dedup key. */
  id: z.string().min(1),
  auditID: z.string().min(1),
  stage: z.string(),
  level: z.string().optional(),
  cluster: z.string(),
  verb: z.string(),
  requestURI: z.string().optional(),
  user: z.object({ username: z.string(), groups: z.array(z.string()) }),
  impersonatedUser: z.object({ username: z.string(), groups: z.array(z.string()) }).optional(),
  sourceIPs: z.array(z.string()),
  userAgent: z.string().optional(),
  objectRef: z
    .object({
      resource: z.string().optional(),
      subresource: z.string().optional(),
      namespace: z.string().optional(),
      name: z.string().optional(),
      apiGroup: z.string().optional(),
      apiVersion: z.string().optional(),
    })
    .optional(),
  responseStatus: z.object({ code: z.number().int().optional(), reason: z.string().optional() }).optional(),
  requestReceivedTimestamp: z.string(),
  stageTimestamp: z.string().optional(),
  annotations: z.record(z.string(), z.string()),
  /**
   * The request body, kept only for resources that audit rules inspect (pods,
   * ephemeral containers, roles and bindings). Never kept for secrets or configmaps.
   */
  requestObject: z.unknown().optional(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;
