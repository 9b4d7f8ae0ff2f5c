import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAlerterConfig } from "@outlier/alerter";
import { loadCollectorConfig } from "@outlier/collector";
import { loadDetectorConfig } from "@outlier/detector-service";
import { loadRoutes } from "@outlier/routing";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const DEPLOY = join(import.meta.dirname, "..", "deploy");

interface Doc {
  kind?: string;
  metadata?: { name?: string };
  spec?: { template?: { spec?: PodSpec } };
  rules?: Array<{ verbs: string[]; resources: string[] }>;
  data?: Record<string, string>;
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Array<{ name: string; securityContext?: Record<string, unknown>; env?: Array<{ name: string; value?: string }> }>;
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

describe("deploy/ ConfigMaps are valid service configuration", () => {
  const loaders = {
    "outlier-collector": loadCollectorConfig,
    "outlier-detector": loadDetectorConfig,
    "outlier-alerter": loadAlerterConfig,
  } as const;
  const configMaps = docs.filter((d) => d.kind === "ConfigMap");

  /** The workload's env as the service would see it, each `…_FILE` secret pointing at a stand-in file. */
  function envOf(name: string, dir: string): NodeJS.ProcessEnv {
    const workload = docs.find((d) => d.metadata?.name === name && (d.kind === "DaemonSet" || d.kind === "Deployment"));
    const env: NodeJS.ProcessEnv = {};
    for (const { name: key, value } of workload?.spec?.template?.spec?.containers[0]?.env ?? []) {
      if (!key.endsWith("_FILE") || value === undefined) continue;
      env[key] = join(dir, key);
      writeFileSync(env[key], "stand-in-secret-for-the-schema-check");
    }
    return env;
  }

  it.each(Object.entries(loaders))("%s config.yaml and env pass its service's schema", (name, load) => {
    const data = configMaps.find((c) => c.metadata?.name === name)?.data;
    const dir = mkdtempSync(join(tmpdir(), "outlier-deploy-"));
    const file = join(dir, "config.yaml");
    writeFileSync(file, data?.["config.yaml"] ?? "");
    expect(() => load(file, envOf(name, dir))).not.toThrow();
  });

  it("the alerter's routes.yaml is a valid routing file", () => {
    const routes = configMaps.find((c) => c.metadata?.name === "outlier-alerter")?.data?.["routes.yaml"];
    expect(loadRoutes(routes ?? "", { fileName: "routes.yaml" }).receivers.size).toBeGreaterThan(0);
  });
});

describe("docker-compose.yml services start on their environment", () => {
  const compose = parseAllDocuments(readFileSync(join(DEPLOY, "..", "docker-compose.yml"), "utf8"))[0]!.toJS() as {
    services: Record<string, { environment?: Record<string, string> }>;
  };
  const loaders = { collector: loadCollectorConfig, detector: loadDetectorConfig, alerter: loadAlerterConfig } as const;

  it.each(Object.entries(loaders))("%s", (name, load) => {
    // Compose substitutes ${VAR:-default}; the schema check sees the default.
    const env = Object.fromEntries(
      Object.entries(compose.services[name]?.environment ?? {}).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, "$1")]),
    );
    if (name === "alerter") env.OUTLIER_ALERTER_ROUTES_FILE = join(DEPLOY, "compose", "routes.yaml");
    expect(() => load(undefined, env)).not.toThrow();
  });

  it("the compose routing file is valid", () => {
    const text = readFileSync(join(DEPLOY, "compose", "routes.yaml"), "utf8");
    expect([...loadRoutes(text, { fileName: "routes.yaml" }).receivers.keys()]).toEqual(["local"]);
  });
});
