import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { K8S_BIN } from "../harness/kubernetes.ts";
import { CHART, FULL_VALUES, findHelm, helm, parseObjects, renderChart, type K8sObject } from "./chart.ts";

// The control plane of the kubernetes project's harness (or the cluster KUBECONFIG names).
const { kubeconfig } = inject("kubernetes");
const helmBin = findHelm();
const kubectlBin = existsSync(join(K8S_BIN, "kubectl")) ? join(K8S_BIN, "kubectl") : "kubectl";

/**
 * kubectl with the given stdin; never throws, so that a test can look at a refusal and at the
 * warnings on stderr (the harness's kubectl returns stdout only).
 */
function kubectl(args: readonly string[], input = ""): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(kubectlBin, args, { input, encoding: "utf8", env: { ...process.env, KUBECONFIG: kubeconfig } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const yamlOf = (objects: readonly object[]) => objects.map((o) => stringify(o)).join("---\n");

describe.skipIf(!helmBin)(`the Helm chart against a real kube-apiserver (${helmBin ? kubeconfig : "helm absent: run scripts/install-helm.sh; suite skipped"})`, () => {
  // Namespaces (and, for the install, a release name) of their own, so that the kustomize
  // tests' objects are never touched.
  const id = Math.random().toString(36).slice(2, 8);
  const ns = `helm-${id}`;
  const collectorNs = `helm-${id}-collector`;
  // Monitoring objects need the Prometheus Operator's CRDs, which this API server does not have.
  const noMonitoring = ["--set", "serviceMonitor.enabled=false", "--set", "prometheusRule.enabled=false"];
  // A later --namespace wins over renderChart's.
  const render = (...args: string[]) => parseObjects(renderChart(helmBin!, "--namespace", ns, "--set", `collector.namespace=${collectorNs}`, ...noMonitoring, ...args));

  beforeAll(() => {
    // As docs/kubernetes.md says to create them: restricted enforced for the release, privileged for the collector.
    const namespaces = [
      { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "restricted" } } },
      { apiVersion: "v1", kind: "Namespace", metadata: { name: collectorNs, labels: { "pod-security.kubernetes.io/enforce": "privileged" } } },
    ];
    const created = kubectl(["apply", "-f", "-"], yamlOf(namespaces));
    expect(created.stderr).toBe("");
  });

  afterAll(() => {
    kubectl(["delete", "namespace", ns, collectorNs, "--wait=false", "--ignore-not-found"]);
  });

  it.each([
    ["default values", [] as string[]],
    ["every option on", ["-f", FULL_VALUES]],
  ])("%s: every object is accepted by kubectl apply --dry-run=server, with no Pod Security warning", (_name, args) => {
    const objects = render(...args);
    const applied = kubectl(["apply", "--dry-run=server", "-f", "-"], yamlOf(objects));
    expect(applied.stderr).toBe("");
    expect(applied.status).toBe(0);
    const lines = applied.stdout.trim().split("\n");
    expect(lines).toHaveLength(objects.length);
    expect(lines.every((line) => line.endsWith("(server dry run)"))).toBe(true);
  });

  it("the API server's Pod Security admission takes the detector's and alerter's pods under restricted, and refuses the collector's there", () => {
    const objects = render();
    // Pods need their ServiceAccounts to exist (ServiceAccount admission); create those for real,
    // and the collector's in the restricted namespace too, for the pod that must be refused there.
    const accounts = objects.filter((o) => o.kind === "ServiceAccount");
    const collectorAccount = accounts.find((o) => o.metadata.name === "outlier-collector")!;
    accounts.push({ ...collectorAccount, metadata: { ...collectorAccount.metadata, namespace: ns } });
    expect(kubectl(["apply", "-f", "-"], yamlOf(accounts)).status).toBe(0);

    const podOf = (kind: string, name: string, namespace: string): K8sObject => {
      const workload = objects.find((o) => o.kind === kind && o.metadata.name === name) as K8sObject & { spec: { template: { metadata: object; spec: object } } };
      return { apiVersion: "v1", kind: "Pod", metadata: { ...workload.spec.template.metadata, name: `${name}-probe`, namespace }, spec: workload.spec.template.spec };
    };
    const tryPod = (pod: K8sObject) => kubectl(["create", "--dry-run=server", "-f", "-"], yamlOf([pod]));

    for (const name of ["outlier-detector", "outlier-alerter"]) {
      const result = tryPod(podOf("Deployment", name, ns));
      expect(result.stderr, name).toBe("");
      expect(result.status, name).toBe(0);
    }
    const collectorPod = podOf("DaemonSet", "outlier-collector", collectorNs);
    expect(tryPod(collectorPod).status).toBe(0);
    // The same pod in the restricted namespace: the check bites (host paths, root init container, CHOWN).
    const refused = tryPod({ ...collectorPod, metadata: { ...collectorPod.metadata, namespace: ns } });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/violates PodSecurity "restricted:latest".*restricted volume type "hostPath"/s);
  });

  it("helm install, upgrade and uninstall, as docs/kubernetes.md describes them", () => {
    // A release name of its own: its ClusterRoles are created for real here.
    const release = `h${id}`;
    const where = ["--kubeconfig", kubeconfig, "--namespace", ns, "--set", `collector.namespace=${collectorNs}`, ...noMonitoring];
    const ours = () =>
      kubectl(["get", "deployments,daemonsets,clusterroles,clusterrolebindings", "-A", "-l", `app.kubernetes.io/instance=${release}`, "-o", "name"]).stdout.trim().split("\n").filter(Boolean).sort();
    const checksum = () => kubectl(["-n", ns, "get", "deployment", `${release}-detector`, "-o", "jsonpath={.spec.template.metadata.annotations.checksum/config}"]).stdout;

    expect(helm(helmBin!, ["install", release, CHART, ...where])).toContain("STATUS: deployed");
    expect(ours()).toEqual(
      [
        `clusterrole.rbac.authorization.k8s.io/${release}-collector`,
        `clusterrole.rbac.authorization.k8s.io/${release}-detector`,
        `clusterrolebinding.rbac.authorization.k8s.io/${release}-collector`,
        `clusterrolebinding.rbac.authorization.k8s.io/${release}-detector`,
        `daemonset.apps/${release}-collector`,
        `deployment.apps/${release}-alerter`,
        `deployment.apps/${release}-detector`,
      ].sort(),
    );
    const before = checksum();

    helm(helmBin!, ["upgrade", release, CHART, ...where, "--reuse-values", "--set", "detector.settings.learningWindow=3h"]);
    expect(checksum()).not.toBe(before);
    expect(kubectl(["-n", ns, "get", "configmap", `${release}-detector`, "-o", "jsonpath={.data.config\\.yaml}"]).stdout).toContain("learningWindow: 3h");

    expect(helm(helmBin!, ["uninstall", release, "--kubeconfig", kubeconfig, "--namespace", ns])).toContain("uninstalled");
    expect(ours()).toEqual([]);
  });
});
