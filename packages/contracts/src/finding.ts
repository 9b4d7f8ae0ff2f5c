import { z } from "zod";
import { SEVERITIES } from "./severity.ts";
import { ProcessSchema } from "./runtime-event.ts";
import { WORKLOAD_KINDS } from "./workload.ts";

export const FindingSchema = z.object({
  schema: z.literal("outlier.finding.v1"),
  /** Deterministic: a redelivered input produces the same id. */
  id: z.string().min(1),
  /** process.unexpected, replica.deviation, exec.session, baseline.drift, audit.<rule>, falco.<rule> */
  type: z.string().min(1),
  severity: z.enum(SEVERITIES),
  time: z.string(),
  cluster: z.string(),
  summary: z.string(),
  workload: z
    .object({
      kind: z.enum(WORKLOAD_KINDS),
      name: z.string(),
      namespace: z.string(),
      labels: z.record(z.string(), z.string()),
      annotations: z.record(z.string(), z.string()),
    })
    .optional(),
  /** The namespace of the pod or object, also when the workload is not known. */
  namespace: z.string().optional(),
  pod: z.string().optional(),
  container: z.string().optional(),
  node: z.string().optional(),
  process: ProcessSchema.optional(),
  evidence: z.record(z.string(), z.unknown()),
  dedupKey: z.string(),
});
export type Finding = z.infer<typeof FindingSchema>;
