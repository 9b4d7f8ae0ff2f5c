import type { V1OwnerReference, V1Pod } from "@kubernetes/client-node";

export interface TestPodOptions {
  namespace?: string;
  name: string;
  uid?: string;
  nodeName?: string;
  labels?: Record<string, string>;
  owner?: Pick<V1OwnerReference, "kind" | "name">;
  /** Container name → full runtime container id (with its `containerd://` prefix). */
  containerIds?: Record<string, string>;
  resourceVersion?: string;
}

/** A pod as the API server returns it (JSON shape), with one `app` container unless told otherwise. */
export function testPod(options: TestPodOptions): V1Pod {
  const containerIds = options.containerIds ?? { app: `containerd://${hexId(options.name)}` };
  const names = Object.keys(containerIds);
  const ownerReferences: V1OwnerReference[] = options.owner
    ? [{ apiVersion: "apps/v1", kind: options.owner.kind, name: options.owner.name, uid: "owner-uid", controller: true }]
    : [];
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      namespace: options.namespace ?? "shop",
      name: options.name,
      uid: options.uid ?? `uid-${options.name}`,
      resourceVersion: options.resourceVersion ?? "1",
      labels: options.labels ?? { app: options.name },
      annotations: { "outlier.dev/slack-channel": "#shop" },
      ownerReferences,
    },
    spec: {
      nodeName: options.nodeName ?? "node-a",
      containers: names.map((name) => ({ name, image: "nginx:1.27" })),
    },
    status: {
      phase: "Running",
      containerStatuses: names.map((name) => ({
        name,
        containerID: containerIds[name],
        image: "docker.io/library/nginx:1.27",
        imageID: `docker.io/library/nginx@sha256:${"ab".repeat(32)}`,
        ready: true,
        restartCount: 0,
      })),
    },
  };
}

/** A deterministic 64-hex container id derived from a name. */
export function hexId(seed: string): string {
  let hex = "";
  for (let i = 0; hex.length < 64; i++) hex += ((seed.charCodeAt(i % seed.length) * (i + 7)) % 256).toString(16).padStart(2, "0");
  return hex.slice(0, 64);
}
