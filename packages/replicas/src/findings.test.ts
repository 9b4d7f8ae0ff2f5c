import { expect, it } from "vitest";
import { FindingSchema } from "@outlier/contracts";
import { compareReplicas } from "./compare.ts";
import { replicaDeviationFinding } from "./findings.ts";
import { ReplicaWindow } from "./window.ts";

const target = { cluster: "prod", namespace: "shop", kind: "Deployment", name: "web", container: "app" } as const;
const time = "2024-05-01T10:04:59.000000000Z";

function deviation() {
  const w = new ReplicaWindow();
  for (const pod of ["web-1", "web-2", "web-3"]) w.record(pod, "sha256:a", "/usr/sbin/nginx", time, `node-${pod}`);
  w.record("web-2", "sha256:a", "/usr/bin/nc", time, "node-web-2");
  const [d] = compareReplicas(w.snapshot(time), (b) => b === "/usr/sbin/nginx");
  if (!d) throw new Error("expected a deviation");
  return d;
}

it("builds a valid v1 finding with the statistics as evidence", () => {
  const d = deviation();
  const workloadMeta = { labels: { team: "shop" }, annotations: { "outlier.dev/slack-channel": "#shop" } };
  const finding = FindingSchema.parse(replicaDeviationFinding({ target, deviation: d, time, workloadMeta }));
  expect(finding).toMatchObject({
    type: "replica.deviation",
    severity: "high",
    time,
    cluster: "prod",
    pod: "web-2",
    node: "node-web-2",
    container: "app",
    workload: { kind: "Deployment", name: "web", namespace: "shop", ...workloadMeta },
    dedupKey: "replica.deviation|prod/shop/Deployment/web|app|web-2",
    evidence: { uniqueUnknownBinaries: ["/usr/bin/nc"], peers: ["web-1", "web-3"], peerCount: 2, jaccard: d.jaccard, execRate: d.execRate },
  });
  expect(finding.summary).toBe("Replica web-2 of Deployment shop/web container app ran /usr/bin/nc, which none of its 2 peers ran and the baseline does not contain");
  expect(finding.evidence.action).toContain("intrusion");
});

it("reported at an exec: names the process and its risk, one finding per binary, and a low one asks for review", () => {
  const d = { ...deviation(), severity: "low" as const, risk: [] };
  const process = { binary: "/usr/bin/nc", parent: { binary: "/usr/bin/java" }, ancestors: [] };
  const low = FindingSchema.parse(replicaDeviationFinding({ target, deviation: d, time, trigger: { process, eventId: "evt-1" } }));
  expect(low).toMatchObject({ severity: "low", process, dedupKey: "replica.deviation|prod/shop/Deployment/web|app|web-2|/usr/bin/nc", evidence: { eventId: "evt-1" } });
  expect(low.evidence.action).toMatch(/^review: approve/);
  const risky = replicaDeviationFinding({ target, deviation: { ...d, severity: "high", risk: ["a shell started by /usr/bin/java"] }, time, trigger: { process, eventId: "evt-1" } });
  expect(risky.summary).toContain("— a shell started by /usr/bin/java");
});

it("has an id that depends only on the deviation's key and event time", () => {
  const d = deviation();
  const a = replicaDeviationFinding({ target, deviation: d, time });
  expect(replicaDeviationFinding({ target, deviation: d, time }).id).toBe(a.id);
  expect(replicaDeviationFinding({ target, deviation: d, time: "2024-05-01T10:09:59.000000000Z" }).id).not.toBe(a.id);
});
