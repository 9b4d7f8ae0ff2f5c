import { RuntimeEventSchema, type ProcessInfo, type RuntimeEvent } from "@outlier/contracts";

/** A valid exec event of pod `web-1` of Deployment shop/web, container app (tests only). */
export function execEvent(process: Partial<ProcessInfo> & { binary: string }, overrides: Partial<RuntimeEvent> = {}): RuntimeEvent {
  return RuntimeEventSchema.parse({
    schema: "outlier.runtime.v1",
    id: `evt-${process.binary}-${overrides.time ?? "t0"}`,
    source: "tetragon",
    type: "process_exec",
    sourceKind: "process_exec",
    time: "2024-05-01T11:05:00.000000000Z",
    cluster: "prod",
    node: "node-a",
    pod: {
      namespace: "shop",
      name: "web-1",
      labels: { app: "web", "pod-template-hash": "6f87496b94" },
      container: { name: "app", image: "shop/web:1.2", imageDigest: "sha256:aaa" },
    },
    workload: { kind: "Deployment", name: "web", resolvedBy: "label:pod-template-hash" },
    process: { ancestors: [], ...process },
    ...overrides,
  });
}
