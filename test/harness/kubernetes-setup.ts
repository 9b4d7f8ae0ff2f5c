import type { TestProject } from "vitest/node";
import { controlPlaneFromKubeconfig, startControlPlane, type ControlPlaneInfo } from "./kubernetes.ts";

declare module "vitest" {
  export interface ProvidedContext {
    kubernetes: ControlPlaneInfo;
  }
}

/**
 * Gives the `kubernetes` project a real control plane: the cluster KUBECONFIG names, else etcd,
 * kube-apiserver and kube-controller-manager started here (built by scripts/install-k8s.sh).
 */
export default async function setup({ provide }: TestProject): Promise<() => Promise<void>> {
  const kubeconfig = process.env.KUBECONFIG;
  if (kubeconfig !== undefined && kubeconfig !== "") {
    provide("kubernetes", controlPlaneFromKubeconfig(kubeconfig));
    return async () => undefined;
  }
  const started = Date.now();
  const plane = await startControlPlane();
  console.log(`kubernetes: control plane ready at ${plane.apiUrl} in ${Date.now() - started} ms (state: ${plane.dir})`);
  const { dir: _dir, etcdUrl: _etcdUrl, apiServer: _apiServer, dispose, ...info } = plane;
  provide("kubernetes", info);
  return dispose;
}
