import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const DEPLOY = join(import.meta.dirname, "..", "deploy");

interface Doc {
  kind?: string;
  metadata?: { name?: string };
  spec?: { template?: { spec?: PodSpec } };
  rules?: Array<{ verbs: string[]; resources: string[] }>;
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Array<{ name: string; securityContext?: Record<string, unknown> }>;
}

const docs: Doc[] = readdirSync(DEPLOY)
  .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
  .flatMap((f) => parseAllDocuments(readFileSync(join(DEPLOY, f), "utf8")).map((d) => d.toJS() as Doc));

describe("deploy/ manifests are secure by default", () => {
  const workloads = docs.filter((d) => d.kind === "DaemonSet" || d.kind === "Deployment");

  it("has the collector DaemonSet and the detector and alerter Deployments", () => {
    expect(workloads.map((w) => `${w.kind}/${w.metadata?.name}`).sort()).toEqual([
      "DaemonSet/outlier-collector",
      "Deployment/outlier-alerter",
      "Deployment/outlier-detector",
    ]);
  });

  it.each(workloads.map((w) => [w.metadata?.name, w] as const))("%s runs non-root on a read-only root filesystem", (_name, w) => {
    const pod = w.spec!.template!.spec!;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    for (const c of pod.containers) {
      expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    }
  });

  it("grants only reads", () => {
    const rules = docs.filter((d) => d.kind === "ClusterRole" || d.kind === "Role").flatMap((d) => d.rules ?? []);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(rule.verbs.every((v) => ["get", "list", "watch"].includes(v))).toBe(true);
  });
});
