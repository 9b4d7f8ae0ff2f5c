import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { kubeApi, kubectl, waitFor } from "./harness/kubernetes.ts";

// deploy/ applied to a real kube-apiserver (with its admission: Pod Security, RBAC objects,
// schema validation) and a real kube-controller-manager (ReplicaSets create the pods).
const cluster = inject("kubernetes");
const repo = join(import.meta.dirname, "..");

interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  rules?: Array<{ apiGroups?: string[]; resources?: string[]; verbs: string[] }>;
}

/** `kubectl kustomize deploy/`: what `kubectl apply -k deploy/` would send. */
const rendered = kubectl(cluster.kubeconfig, ["kustomize", join(repo, "deploy")]);
const objects = parseAllDocuments(rendered).map((d) => d.toJS() as Obj);
const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

describe("deploy/ on a real API server", () => {
  beforeAll(() => {
    // A server-side dry run of a namespaced object needs its namespace to exist.
    kubectl(cluster.kubeconfig, ["apply", "-f", join(repo, "deploy/namespace.yaml")]);
  });

  it("every object passes a server-side dry run (schema, defaulting, admission)", () => {
    const out = kubectl(cluster.kubeconfig, ["apply", "--dry-run=server", "-f", "-"], rendered);
    expect(out.trim().split("\n")).toHaveLength(objects.length);
    expect(out).toContain("daemonset.apps/outlier-collector created (server dry run)");
  });

  it("applies for real, and the ReplicaSets' pods pass Pod Security restricted", async () => {
    kubectl(cluster.kubeconfig, ["apply", "-f", "-"], rendered);
    for (const name of ["outlier-detector", "outlier-alerter"]) {
      const pods = await waitForPods("outlier", name, 2);
      expect(pods.map((p) => p.spec.serviceAccountName)).toEqual([name, name]);
    }
  });

  it("the restricted namespace refuses a pod that breaks the level (the check is really on)", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "probe", namespace: "outlier" },
      spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] } };
    expect(() => kubectl(cluster.kubeconfig, ["create", "--dry-run=server", "-f", "-"], JSON.stringify(pod))).toThrow(/violates PodSecurity "restricted/);
  });

  it("the collector's pod is admitted with its host paths, CHOWN init container and node-local Service", async () => {
    const template = (find("DaemonSet", "outlier-collector").spec as { template: { metadata: object; spec: Record<string, unknown> } }).template;
    await kubeApi(cluster, "POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "node-a" } }).catch(ignoreExists);
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { ...template.metadata, name: "collector-node-a", namespace: "outlier-collector" },
      spec: { ...template.spec, nodeName: "node-a" } };
    await kubeApi(cluster, "POST", "/api/v1/namespaces/outlier-collector/pods", pod);
    // No kubelet: report the pod running with an IP ourselves, so the EndpointSlice controller publishes it.
    const status = { status: { phase: "Running", podIP: "10.244.1.7", podIPs: [{ ip: "10.244.1.7" }],
      conditions: [{ type: "Ready", status: "True" }] } };
    kubectl(cluster.kubeconfig, ["-n", "outlier-collector", "patch", "pod", "collector-node-a", "--subresource=status", "--type=merge", "-p", JSON.stringify(status)]);

    const slice = await waitFor(async () => {
      const list = await kubeApi<{ items: EndpointSlice[] }>(cluster, "GET",
        "/apis/discovery.k8s.io/v1/namespaces/outlier-collector/endpointslices?labelSelector=kubernetes.io/service-name%3Doutlier-collector");
      return list.items.find((s) => s.endpoints?.some((e) => e.addresses.includes("10.244.1.7")));
    });
    expect(slice.ports).toEqual([expect.objectContaining({ name: "http", port: 8080 })]);
    // Its node: what internalTrafficPolicy Local routes on. (Not "ready": with no kubelet heartbeat the
    // node lifecycle controller soon marks the node's pods not ready.)
    expect(slice.endpoints!.find((e) => e.addresses.includes("10.244.1.7"))?.nodeName).toBe("node-a");

    const service = await kubeApi<{ spec: { internalTrafficPolicy: string; ports: Array<{ port: number }> } }>(cluster, "GET",
      "/api/v1/namespaces/outlier-collector/services/outlier-collector");
    expect(service.spec.internalTrafficPolicy).toBe("Local");
    // The address docs/collector.md gives Falco's http_output is this Service's.
    const url = /http_output\.url=http:\/\/falco:\$\(OUTLIER_TOKEN\)@([^/"]+)\/falco/.exec(readFileSync(join(repo, "docs/collector.md"), "utf8"))?.[1];
    expect(url).toBe(`outlier-collector.outlier-collector.svc:${service.spec.ports[0]!.port}`);
  });
});

describe("RBAC as shipped, asked of the API server (SubjectAccessReview)", () => {
  const reads = ["get", "list", "watch"];
  const verbs = [...reads, "create", "update", "patch", "delete", "deletecollection", "impersonate", "bind", "escalate"];
  const resources: Array<[group: string, resource: string, subresource?: string]> = [
    ["", "pods"], ["", "pods", "exec"], ["", "pods", "log"], ["", "secrets"], ["", "configmaps"], ["", "serviceaccounts"],
    ["", "serviceaccounts", "token"], ["", "nodes"], ["", "namespaces"], ["", "services"], ["", "events"],
    ["apps", "deployments"], ["apps", "replicasets"], ["apps", "statefulsets"], ["apps", "daemonsets"],
    ["batch", "jobs"], ["batch", "cronjobs"],
    ["rbac.authorization.k8s.io", "clusterroles"], ["rbac.authorization.k8s.io", "clusterrolebindings"],
    ["rbac.authorization.k8s.io", "rolebindings"], ["*", "*"],
  ];
  const allowedFor: Record<string, (group: string, resource: string, sub: string | undefined, verb: string) => boolean> = {
    // The pod cache: pods of its node (RBAC cannot say "of its node"); owners come from the pod itself.
    "outlier-collector/outlier-collector": (g, r, s, v) => g === "" && r === "pods" && s === undefined && reads.includes(v),
    // The workload kinds whose labels and annotations findings carry.
    "outlier/outlier-detector": (g, r, s, v) =>
      s === undefined && reads.includes(v) && ((g === "apps" && ["deployments", "statefulsets", "daemonsets"].includes(r)) || (g === "batch" && ["jobs", "cronjobs"].includes(r))),
    "outlier/outlier-alerter": () => false,
  };

  beforeAll(() => {
    kubectl(cluster.kubeconfig, ["apply", "-f", "-"], rendered);
  });

  it.each(Object.keys(allowedFor))("%s can do exactly what it needs, in every namespace and cluster-wide", async (account) => {
    const [namespace, name] = account.split("/") as [string, string];
    const asks = resources.flatMap(([group, resource, subresource]) =>
      verbs.flatMap((verb) => ["", "default", "kube-system"].map((ns) => ({ group, resource, subresource, verb, namespace: ns }))));
    const answers = await inBatches(asks, 50, async (attrs) => {
      const review = await kubeApi<{ status: { allowed: boolean } }>(cluster, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: {
          user: `system:serviceaccount:${namespace}:${name}`,
          groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
          resourceAttributes: attrs,
        },
      });
      return { ...attrs, allowed: review.status.allowed };
    });
    const wrong = answers.filter((a) => a.allowed !== allowedFor[account]!(a.group, a.resource, a.subresource, a.verb));
    expect(wrong).toEqual([]);
    expect(answers.some((a) => a.allowed)).toBe(account !== "outlier/outlier-alerter");
  });

  it("no rule of ours has a wildcard", () => {
    const rules = objects.filter((o) => o.kind === "ClusterRole" || o.kind === "Role").flatMap((o) => o.rules ?? []);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect([...(rule.apiGroups ?? []), ...(rule.resources ?? []), ...rule.verbs]).not.toContain("*");
  });
});

interface EndpointSlice {
  ports: Array<{ name: string; port: number }>;
  endpoints?: Array<{ addresses: string[]; nodeName?: string }>;
}

interface Pod {
  metadata: { name: string };
  spec: { serviceAccountName: string };
}

async function waitForPods(namespace: string, app: string, count: number): Promise<Pod[]> {
  return waitFor(async () => {
    const list = await kubeApi<{ items: Pod[] }>(cluster, "GET", `/api/v1/namespaces/${namespace}/pods?labelSelector=app.kubernetes.io/name%3D${app}`);
    return list.items.length >= count ? list.items : undefined;
  });
}

/** Runs `run` over `items`, `size` at a time (hundreds of reviews at once would hit the API server's in-flight limit). */
async function inBatches<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
  return results;
}

function ignoreExists(error: Error): void {
  if (!error.message.includes(" 409 ")) throw error;
}
