import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadAlerterConfig } from "@outlier/alerter";
import { loadCollectorConfig } from "@outlier/collector";
import { loadDetectorConfig } from "@outlier/detector-service";
import { loadRoutes } from "@outlier/routing";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CHART, FULL_VALUES, findHelm, helm, parseObjects, renderChart, type K8sObject } from "./chart.ts";

const binary = findHelm();

interface Container {
  name: string;
  securityContext?: Record<string, unknown>;
  env?: Array<{ name: string; value?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  hostNetwork?: boolean;
  hostPID?: boolean;
  automountServiceAccountToken?: boolean;
  initContainers?: Container[];
  containers: Container[];
  volumes?: Array<{ name: string; hostPath?: { path: string }; secret?: { secretName: string } }>;
}
type Workload = K8sObject & { spec: { template: { metadata: { annotations: Record<string, string> }; spec: PodSpec } } };
type Role = K8sObject & { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }> };

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const workloads = (objects: K8sObject[]) => objects.filter((o) => o.kind === "DaemonSet" || o.kind === "Deployment") as Workload[];
const named = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

/** The mounted Secret that holds `path`, or undefined: a `…_FILE` must point into one. */
function secretHolding(pod: PodSpec, container: Container, path: string): string | undefined {
  // The deepest mount wins: secrets are mounted inside the config volume's /etc/outlier.
  const mounts = (container.volumeMounts ?? []).filter((m) => path.startsWith(`${m.mountPath}/`));
  const mount = mounts.sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  return pod.volumes?.find((v) => v.name === mount?.name)?.secret?.secretName;
}

describe.skipIf(!binary)(`Helm chart deploy/helm/outlier (${binary ?? "helm absent: run scripts/install-helm.sh; suite skipped"})`, () => {
  const helmBin = binary!;
  // Rendered once, before the tests: describe bodies also run when the suite is skipped.
  let defaults: K8sObject[] = [];
  let full: K8sObject[] = [];
  const SETS = ["defaults", "every option on"] as const;
  const objectsOf = (set: (typeof SETS)[number]) => (set === "defaults" ? defaults : full);
  beforeAll(() => {
    defaults = parseObjects(renderChart(helmBin));
    full = parseObjects(renderChart(helmBin, "-f", FULL_VALUES));
  });

  it("passes helm lint --strict with the default values and with every option on", () => {
    expect(helm(helmBin, ["lint", "--strict", CHART])).toContain("0 chart(s) failed");
    expect(helm(helmBin, ["lint", "--strict", CHART, "-f", FULL_VALUES])).toContain("0 chart(s) failed");
  });

  it("installs what kustomize's deploy/ installs: the same workloads, service accounts and RBAC rules", () => {
    const kustomize = readdirSync(join(CHART, "..", "..")).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    const shipped = kustomize.flatMap((f) => parseObjects(readFileSync(join(CHART, "..", "..", f), "utf8")));
    for (const kind of ["DaemonSet", "Deployment", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"]) {
      expect(byKind(defaults, kind).map((o) => o.metadata.name).sort(), kind).toEqual(byKind(shipped, kind).map((o) => o.metadata.name).sort());
    }
    for (const role of byKind(shipped, "ClusterRole") as Role[]) {
      expect((named(defaults, "ClusterRole", role.metadata.name) as Role).rules).toEqual(role.rules);
    }
  });

  it.each(SETS)("%s: the collector's objects are in its own namespace, the others in the release's, and RBAC only reads", (set) => {
    const objects = objectsOf(set);
    for (const o of objects) {
      if (["ClusterRole", "ClusterRoleBinding"].includes(o.kind)) continue;
      const collector = o.metadata.labels?.["app.kubernetes.io/name"] === "outlier-collector" || o.metadata.name === "outlier-collector";
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(collector ? "outlier-collector" : "outlier");
    }
    const binding = named(objects, "ClusterRoleBinding", "outlier-collector") as K8sObject & { subjects: Array<{ namespace: string }> };
    expect(binding.subjects.map((s) => s.namespace)).toEqual(["outlier-collector"]);
    for (const rule of (byKind(objects, "ClusterRole") as Role[]).flatMap((r) => r.rules)) {
      expect(rule.verbs.every((v) => ["get", "list", "watch"].includes(v))).toBe(true);
      expect(rule.resources).not.toContain("secrets");
      expect([...rule.resources, ...rule.apiGroups, ...rule.verbs]).not.toContain("*");
    }
  });

  it.each(SETS)("%s: the detector and alerter meet the restricted Pod Security level; the collector is non-root with one CHOWN init step", (set) => {
    const objects = objectsOf(set);
    for (const w of workloads(objects)) {
      const pod = w.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
      for (const c of pod.containers) {
        expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ["ALL"] } });
      }
      expect(pod.hostNetwork ?? false).toBe(false);
      expect(pod.hostPID ?? false).toBe(false);
      if (w.kind === "Deployment") {
        expect(pod.initContainers ?? []).toEqual([]);
        expect((pod.volumes ?? []).filter((v) => v.hostPath)).toEqual([]);
      } else {
        expect(pod.initContainers?.map((c) => c.securityContext?.capabilities)).toEqual([{ drop: ["ALL"], add: ["CHOWN"] }]);
        // Read-only host mounts only, except the collector's own state directory.
        const writable = pod.containers[0]!.volumeMounts!.filter((m) => pod.volumes?.find((v) => v.name === m.name)?.hostPath && !("readOnly" in m));
        expect(writable.map((m) => m.mountPath)).toEqual(["/var/lib/outlier-collector"]);
      }
    }
    expect(named(objects, "Deployment", "outlier-alerter")?.spec).toMatchObject({ template: { spec: { automountServiceAccountToken: false } } });
  });

  it("with no existingSecret there is no credential: no *_FILE variable, no Secret volume", () => {
    for (const w of workloads(defaults)) {
      const pod = w.spec.template.spec;
      expect(pod.containers.flatMap((c) => c.env ?? []).filter((e) => e.name.endsWith("_FILE"))).toEqual([]);
      expect((pod.volumes ?? []).filter((v) => v.secret)).toEqual([]);
    }
  });

  it("with existingSecrets every *_FILE points into a mounted Secret", () => {
    const files = workloads(full).flatMap((w) =>
      w.spec.template.spec.containers.flatMap((c) =>
        (c.env ?? []).filter((e) => e.name.endsWith("_FILE")).map((e) => [w.metadata.name, e.name, secretHolding(w.spec.template.spec, c, e.value ?? "")]),
      ),
    );
    expect(files).toEqual(
      expect.arrayContaining([
        ["outlier-collector", "OUTLIER_COLLECTOR_SOURCES_FALCO_HTTP_TOKEN_FILE", "outlier-falco-token"],
        ["outlier-collector", "OUTLIER_COLLECTOR_SOURCES_AUDIT_WEBHOOK_TOKENS_FILE", "outlier-audit-tokens"],
        ["outlier-collector", "OUTLIER_COLLECTOR_KAFKA_SASL_PASSWORD_FILE", "outlier-kafka-sasl"],
        ["outlier-detector", "OUTLIER_DETECTOR_REDIS_PASSWORD_FILE", "outlier-redis"],
        ["outlier-alerter", "OUTLIER_ALERTER_REDIS_PASSWORD_FILE", "outlier-redis"],
      ]),
    );
    expect(files.filter(([, , secret]) => secret === undefined)).toEqual([]);
  });

  /** The workload's env as the service sees it, each `…_FILE` pointing at a stand-in secret file. */
  function envOf(workload: Workload, dir: string): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const { name, value } of workload.spec.template.spec.containers[0]!.env ?? []) {
      if (value === undefined) continue;
      if (!name.endsWith("_FILE")) {
        env[name] = value;
        continue;
      }
      env[name] = join(dir, name);
      writeFileSync(env[name], "stand-in-secret-for-the-schema-check");
    }
    return env;
  }

  const loaders = { "outlier-collector": loadCollectorConfig, "outlier-detector": loadDetectorConfig, "outlier-alerter": loadAlerterConfig } as const;
  it.each(SETS.flatMap((set) => Object.keys(loaders).map((name) => [set, name as keyof typeof loaders] as const)))(
    "%s: %s config.yaml and env pass its service's schema",
    (set, name) => {
      const objects = objectsOf(set);
      const data = (named(objects, "ConfigMap", name) as K8sObject & { data: Record<string, string> }).data;
      const dir = mkdtempSync(join(tmpdir(), "outlier-helm-"));
      writeFileSync(join(dir, "config.yaml"), data["config.yaml"]!);
      const config = loaders[name](join(dir, "config.yaml"), envOf(named(objects, name === "outlier-collector" ? "DaemonSet" : "Deployment", name) as Workload, dir));
      expect(config.kafka.brokers).toEqual(set === "defaults" ? ["kafka.outlier.svc:9092"] : ["kafka-0.kafka:9093", "kafka-1.kafka:9093"]);
      if (set === "every option on") expect(config.kafka.sasl).toMatchObject({ mechanism: "scram-sha-512", username: "outlier" });
    },
  );

  it("every option on: the collector tails Tetragon and Falco files on read-only host mounts and runs both receivers over HTTPS", () => {
    const config = parse((named(full, "ConfigMap", "outlier-collector") as K8sObject & { data: Record<string, string> }).data["config.yaml"]!) as {
      sources: Record<string, { path?: string; enabled?: boolean }>;
      http?: unknown;
    };
    expect(config.sources).toEqual({
      tetragonFile: { path: "/host/tetragon/tetragon.log" },
      falcoFile: { path: "/host/falco/events.json" },
      falcoHttp: { enabled: true },
      auditWebhook: { enabled: true },
    });
    const pod = (named(full, "DaemonSet", "outlier-collector") as Workload).spec.template.spec;
    expect(pod.securityContext).toMatchObject({ supplementalGroups: [0] });
    // HTTPS (the API server sends its webhook token only over https), probes included.
    expect(config).toMatchObject({ http: { tls: { certFile: "/etc/outlier/tls/tls.crt", keyFile: "/etc/outlier/tls/tls.key" } } });
    expect(secretHolding(pod, pod.containers[0]!, "/etc/outlier/tls/tls.key")).toBe("outlier-collector-tls");
    expect(pod.containers[0]).toMatchObject({ readinessProbe: { httpGet: { scheme: "HTTPS" } }, livenessProbe: { httpGet: { scheme: "HTTPS" } } });
    expect(pod.containers[0]!.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: "tetragon", mountPath: "/host/tetragon", readOnly: true },
        { name: "falco", mountPath: "/host/falco", readOnly: true },
      ]),
    );
  });

  it("collector.namespace empty: the collector goes to the release namespace too", () => {
    const objects = parseObjects(renderChart(helmBin, "--set", "collector.namespace="));
    const namespaces = new Set(objects.filter((o) => o.metadata.namespace !== undefined).map((o) => o.metadata.namespace));
    expect([...namespaces]).toEqual(["outlier"]);
  });

  it("the node-local Service Falco posts to routes to the collector of the same node", () => {
    expect(named(defaults, "Service", "outlier-collector")).toMatchObject({
      spec: { internalTrafficPolicy: "Local", ports: [{ port: 8080, targetPort: "http" }], selector: { "app.kubernetes.io/name": "outlier-collector" } },
    });
  });

  it("the routing file in values is a valid routing file", () => {
    const routes = (named(defaults, "ConfigMap", "outlier-alerter") as K8sObject & { data: Record<string, string> }).data["routes.yaml"]!;
    expect([...loadRoutes(routes, { fileName: "routes.yaml" }).receivers.keys()]).toEqual(["security"]);
  });

  it("monitoring objects only when asked for, with the shipped rule file and dashboard", () => {
    const kinds = (objects: K8sObject[]) => objects.filter((o) => o.apiVersion === "monitoring.coreos.com/v1").map((o) => o.kind);
    expect(kinds(defaults)).toEqual([]);
    expect(kinds(full).sort()).toEqual(["PrometheusRule", "ServiceMonitor", "ServiceMonitor"]);
    // The collector serves HTTPS with collector.tls: its ServiceMonitor verifies it with the Secret's CA.
    expect(named(full, "ServiceMonitor", "outlier-collector")).toMatchObject({
      metadata: { namespace: "outlier-collector" },
      spec: { endpoints: [{ scheme: "https", tlsConfig: { serverName: "outlier-collector.outlier-collector.svc", ca: { secret: { name: "outlier-collector-tls", key: "ca.crt" } } } }] },
    });
    const rule = byKind(full, "PrometheusRule")[0] as K8sObject & { spec: unknown };
    expect(rule.spec).toEqual(parse(readFileSync(join(CHART, "files", "prometheus-rules.yaml"), "utf8")));
    const dashboard = named(full, "ConfigMap", "outlier-dashboard") as K8sObject & { data: Record<string, string> };
    expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: "1" });
    expect(JSON.parse(dashboard.data["outlier.json"]!)).toMatchObject({ uid: "outlier-overview" });
  });

  it("a receiver enabled without its Secret is refused at render time, with the reason", () => {
    expect(() => renderChart(helmBin, "--set", "collector.sources.falcoHttp.enabled=true")).toThrow(/falcoHttp.existingSecret: the receiver never accepts anonymous posts/);
  });

  it("a config change changes the pods' checksum, so helm upgrade restarts them", () => {
    const checksum = (objects: K8sObject[]) =>
      (named(objects, "Deployment", "outlier-detector") as Workload).spec.template.metadata.annotations["checksum/config"];
    const changed = parseObjects(renderChart(helmBin, "--set", "detector.settings.learningWindow=3h"));
    expect(checksum(changed)).not.toBe(checksum(defaults));
    expect(checksum(parseObjects(renderChart(helmBin)))).toBe(checksum(defaults));
  });
});
