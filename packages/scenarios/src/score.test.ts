import { describe, expect, it } from "vitest";
import type { Finding, Severity } from "@outlier/contracts";
import type { Incident } from "./incidents.ts";
import { mergeRows, overall, scoreFindings, summarize, typeMatches } from "./score.ts";

const T = Date.parse("2026-03-02T10:00:00Z");
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");

function incident(over: Partial<Incident> & Pick<Incident, "id" | "class" | "kind">): Incident {
  return {
    description: over.id,
    cluster: "default",
    namespace: "shop",
    workload: { kind: "Deployment", name: "checkout" },
    pods: [],
    binaries: [],
    users: [],
    startMs: T,
    endMs: T + 60 * 60_000,
    expect: [],
    allow: [],
    ...over,
  };
}

let n = 0;
function finding(type: string, severity: Severity, minutes: number, over: Partial<Finding> = {}): Finding {
  return {
    schema: "outlier.finding.v1",
    id: `f${n++}`,
    type,
    severity,
    time: at(minutes),
    cluster: "default",
    summary: `${type} ${severity}`,
    workload: { kind: "Deployment", name: "checkout", namespace: "shop", labels: {}, annotations: {} },
    namespace: "shop",
    evidence: {},
    dedupKey: `${type}|${n}`,
    ...over,
  };
}

const attack = incident({
  id: "a",
  class: "attack:oneoff-after-learning",
  kind: "attack",
  pods: ["checkout-abc-1"],
  binaries: ["/bin/sh", "/tmp/x"],
  startMs: T + 40 * 60_000,
  endMs: T + 40 * 60_000 + 2_000,
  expect: [{ type: "process.unexpected", minSeverity: "high" }],
  allow: [{ type: "falco.*" }],
});
const steady = incident({ id: "s", class: "steady-state", kind: "benign", binaries: ["/app/checkout", "/bin/sh", "/usr/bin/curl"] });
const canary = incident({ id: "c", class: "canary", kind: "benign", pods: ["checkout-new-1"], startMs: T + 35 * 60_000, allow: [{ type: "baseline.drift", maxSeverity: "low", max: 1 }] });
const secrets = incident({ id: "k", class: "controller-secrets", kind: "benign", workload: undefined, users: ["system:serviceaccount:cert-manager:cert-manager"] });
const incidents = [attack, steady, canary, secrets];

const proc = (binary: string) => ({ binary, ancestors: [] });

describe("scoreFindings", () => {
  it("recalls an attack with an expected type at the expected severity, in its pod and time", () => {
    const score = scoreFindings([finding("process.unexpected", "critical", 41, { pod: "checkout-abc-1", process: proc("/tmp/x") })], incidents);
    expect(score.verdicts.map((v) => [v.verdict, v.incident?.id])).toEqual([["true", "a"]]);
    expect(score.incidents.find((s) => s.incident.id === "a")!.recalled).toBe(true);
  });

  it("counts a weaker finding of the attack as true, but the attack as missed", () => {
    const score = scoreFindings([finding("process.unexpected", "medium", 41, { pod: "checkout-abc-1", process: proc("/tmp/x") })], incidents);
    expect(score.verdicts[0]!.verdict).toBe("true");
    expect(score.incidents.find((s) => s.incident.id === "a")!.recalled).toBe(false);
  });

  it("takes an allowed type (falco.*) as true without recalling", () => {
    const score = scoreFindings([finding("falco.drop-and-execute-new-binary-in-container", "critical", 40, { pod: "checkout-abc-1", process: proc("/tmp/x") })], incidents);
    expect(score.verdicts[0]!.verdict).toBe("true");
    expect(score.incidents.find((s) => s.incident.id === "a")!.recalled).toBe(false);
  });

  it("does not give the attack a finding about another executable of its pod: that one is false, blamed on the steady state", () => {
    const score = scoreFindings([finding("process.unexpected", "critical", 41, { pod: "checkout-abc-1", process: proc("/usr/bin/curl") })], incidents);
    expect(score.verdicts.map((v) => [v.verdict, v.incident?.id])).toEqual([["false", "s"]]);
    expect(score.verdicts[0]!.note).toBe("process.unexpected is not allowed for steady-state");
  });

  it("does not match an attack outside its time plus slack", () => {
    const score = scoreFindings([finding("process.unexpected", "critical", 55, { pod: "checkout-abc-1", process: proc("/tmp/x") })], incidents);
    expect(score.verdicts[0]!.verdict).toBe("false");
  });

  it("allows one low drift for the canary; a second, or a high one, counts against it", () => {
    const findings = [
      finding("baseline.drift", "low", 36, { pod: "checkout-new-1", process: proc("/app/bin/price-diff") }),
      finding("baseline.drift", "low", 37, { pod: "checkout-new-1", process: proc("/app/bin/other") }),
      finding("process.unexpected", "critical", 38, { pod: "checkout-new-1", process: proc("/app/bin/price-diff") }),
    ];
    const score = scoreFindings(findings, incidents);
    expect(score.verdicts.map((v) => [v.verdict, v.incident?.id])).toEqual([
      ["allowed", "c"],
      ["false", "c"],
      ["false", "c"],
    ]);
    expect(score.verdicts[1]!.note).toBe("more baseline.drift than the 1 allowed for canary");
    const row = summarize(score, "tetragon").find((r) => r.class === "canary")!;
    expect(row).toMatchObject({ incidents: 1, recalled: 0, findings: 3, allowed: 1, falsePositives: 2 });
  });

  it("matches API-only incidents by user, and leaves other findings of the namespace alone", () => {
    const byUser = finding("audit.secret-read-new-principal", "medium", 20, { workload: undefined, evidence: { user: { username: "system:serviceaccount:cert-manager:cert-manager", groups: [] } } });
    const other = finding("audit.secret-read-new-principal", "medium", 20, { workload: undefined, evidence: { user: { username: "eve@example.com", groups: [] } } });
    const replica = finding("replica.deviation", "medium", 20, { workload: undefined, pod: "checkout-abc-2" });
    const score = scoreFindings([byUser, other, replica], incidents);
    expect(score.verdicts.map((v) => [v.verdict, v.incident?.id ?? "unattributed"])).toEqual([
      ["false", "k"],
      ["false", "unattributed"],
      ["false", "s"],
    ]);
  });

  it("leaves findings of another workload or cluster unattributed", () => {
    const elsewhere = finding("process.unexpected", "high", 41, { workload: { kind: "Deployment", name: "frontend", namespace: "shop", labels: {}, annotations: {} } });
    const otherCluster = finding("process.unexpected", "high", 41, { cluster: "prod-eu", pod: "checkout-abc-1", process: proc("/tmp/x") });
    const score = scoreFindings([elsewhere, otherCluster], incidents);
    expect(score.unattributed).toHaveLength(2);
    expect(summarize(score, "falco").find((r) => r.class === "unattributed")).toMatchObject({ falsePositives: 2 });
  });

  it("reads the executables of replica deviations and exec sessions from their evidence", () => {
    const deviation = finding("process.unexpected", "high", 41, { pod: "checkout-abc-1", evidence: { uniqueUnknownBinaries: ["/tmp/x"] } });
    const session = finding("process.unexpected", "high", 41, { pod: "checkout-abc-1", evidence: { processes: [{ binary: "/usr/bin/curl" }] } });
    const score = scoreFindings([deviation, session], incidents);
    expect(score.verdicts.map((v) => v.verdict)).toEqual(["true", "false"]);
  });

  it("sums recall and precision over seeds and feeds", () => {
    const one = scoreFindings([finding("process.unexpected", "critical", 41, { pod: "checkout-abc-1", process: proc("/tmp/x") }), finding("replica.deviation", "medium", 10)], incidents);
    const two = scoreFindings([], incidents);
    const rows = mergeRows([...summarize(one, "tetragon"), ...summarize(two, "tetragon")]);
    const attackRow = rows.find((r) => r.class === attack.class)!;
    expect(attackRow).toMatchObject({ incidents: 2, recalled: 1, recall: 0.5, precision: 1 });
    expect(overall(rows, "tetragon")).toMatchObject({ recalled: 1, recall: 0.5, trueFindings: 1, falsePositives: 1, precision: 0.5 });
  });
});

describe("exec sessions", () => {
  const session = incident({
    id: "x",
    class: "exec-session-interactive",
    kind: "benign",
    pods: ["checkout-abc-3"],
    binaries: ["/bin/sh", "/bin/ls"],
    users: ["alice@example.com"],
    startMs: T + 45 * 60_000,
    endMs: T + 50 * 60_000,
    allow: [{ type: "exec.session", maxSeverity: "medium", max: 1, ownBinariesOnly: true }],
  });
  const sessionFinding = (binaries: string[]) =>
    finding("exec.session", "medium", 45, { pod: "checkout-abc-3", evidence: { user: { username: "alice@example.com", groups: [] }, processes: binaries.map((binary) => ({ binary })) } });

  it("allows the session's record when it lists only the session's processes", () => {
    expect(scoreFindings([sessionFinding(["/bin/sh", "/bin/ls"])], [session]).verdicts[0]!.verdict).toBe("allowed");
  });

  it("counts a session that also claims other processes (probes) against it, naming them", () => {
    const v = scoreFindings([sessionFinding(["/bin/sh", "/bin/ls", "/bin/grpc_health_probe"])], [session]).verdicts[0]!;
    expect(v.verdict).toBe("false");
    expect(v.note).toBe("names executables that are not the exec-session-interactive's: /bin/grpc_health_probe");
  });
});

describe("typeMatches", () => {
  it("reads * as any run of characters and nothing else as special", () => {
    expect(typeMatches("falco.*", "falco.terminal-shell-in-container")).toBe(true);
    expect(typeMatches("audit.*token*", "audit.serviceaccount-token-by-person")).toBe(true);
    expect(typeMatches("audit.*token*", "audit.pod-exec")).toBe(false);
    expect(typeMatches("exec.session", "exec.sessionX")).toBe(false);
    expect(typeMatches("a.b", "axb")).toBe(false);
  });
});
