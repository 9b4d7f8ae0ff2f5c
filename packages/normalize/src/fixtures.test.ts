import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AuditEventSchema, RuntimeEventSchema, type AuditEvent, type RuntimeEvent } from "@outlier/contracts";
import { normalizeLine } from "./normalize.ts";
import type { Normalized, NormalizeResult } from "./types.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const fixtures = path.resolve(repoRoot, "../shared/fixtures");
const present = existsSync(fixtures);

/** Per file: events produced, lines skipped on purpose, lines rejected. Every line is one of the three. */
const EXPECTED: Record<string, { events: number; skipped: number; rejected: number }> = {
  "tetragon/tetragon-docs-examples.jsonl": { events: 19, skipped: 0, rejected: 0 },
  "tetragon/tetragon-docs-legacy-examples.jsonl": { events: 3, skipped: 0, rejected: 0 },
  "tetragon/tetragon-ebpf-book-golden-signals.jsonl": { events: 6, skipped: 0, rejected: 0 },
  "tetragon/tetragon-ebpf-book-host-namespace-escape.jsonl": { events: 6, skipped: 0, rejected: 0 },
  "tetragon/tetragon-ebpf-book-persistence-merlin-c2.jsonl": { events: 7, skipped: 0, rejected: 0 },
  "tetragon/tetragon-ebpf-book-post-exploitation-exfil.jsonl": { events: 12, skipped: 0, rejected: 0 },
  "tetragon/tetragon-ebpf-book-process-lifecycle.jsonl": { events: 9, skipped: 0, rejected: 0 },
  "tetragon/tetragon-testdata-events.jsonl": { events: 3, skipped: 0, rejected: 0 },
  "falco/falco-internal-metrics-snapshots.jsonl": { events: 0, skipped: 5, rejected: 0 },
  "falco/falco-k8s-daemonset-readme-2017.jsonl": { events: 1, skipped: 0, rejected: 0 },
  "falco/falco-test-output-single-rule-cat-write.jsonl": { events: 8, skipped: 0, rejected: 0 },
  "falco/falco-website-alerts.jsonl": { events: 16, skipped: 0, rejected: 0 },
  "falco/falcosidekick-readme-post-body.jsonl": { events: 1, skipped: 0, rejected: 0 },
  "k8s-audit/audit2rbac-demo-log-v1beta1-2017.jsonl": { events: 37, skipped: 0, rejected: 0 },
  "k8s-audit/falco-trace-files-k8s-audit.jsonl": { events: 51, skipped: 0, rejected: 0 },
  // The one deliberately malformed sample, `{"kind": 0}`: the only rejected line.
  "k8s-audit/falco-trace-malformed-fal_01_003.json": { events: 0, skipped: 0, rejected: 1 },
  "k8s-audit/falco-website-k8saudit-doc-example.jsonl": { events: 1, skipped: 0, rejected: 0 },
  "k8s-audit/openshift-docs-audit-log-examples.jsonl": { events: 4, skipped: 0, rejected: 0 },
};

function linesOf(file: string): string[] {
  return readFileSync(path.join(fixtures, file), "utf8").split("\n").filter((l) => l.trim() !== "");
}

function results(file: string): NormalizeResult[] {
  return linesOf(file).map((line) => normalizeLine(line, { cluster: "test" }));
}

function events(file: string): Normalized[] {
  return results(file).flatMap((r) => (r.ok === true ? r.events : []));
}

const runtime = (file: string) => events(file) as RuntimeEvent[];
const audit = (file: string) => events(file) as AuditEvent[];

describe.skipIf(!present)(`shared fixtures (${present ? fixtures : "absent: ../shared/fixtures not found, suite skipped"})`, () => {
  it.each(Object.entries(EXPECTED))("%s: every line normalizes, is skipped or is the known malformed sample", (file, expected) => {
    const rs = results(file);
    const count = (ok: NormalizeResult["ok"]) => rs.filter((r) => r.ok === ok).length;
    expect({ events: events(file).length, skipped: count("skipped"), rejected: count(false) }).toEqual(expected);
    expect(rs.length).toBe(linesOf(file).length);
    for (const event of events(file)) {
      const schema = event.schema === "outlier.audit.v1" ? AuditEventSchema : RuntimeEventSchema;
      expect(schema.safeParse(event).error).toBeUndefined();
    }
  });

  it("rejects the malformed k8s-audit sample with a clear reason", () => {
    const [r] = results("k8s-audit/falco-trace-malformed-fal_01_003.json");
    expect(r).toMatchObject({ ok: false, code: "unknown_format" });
    expect(r?.ok === false && r.message).toContain("keys: kind");
  });

  it("puts both deathstar pods in the Deployment deathstar, from pod-template-hash", () => {
    const deathstar = runtime("tetragon/tetragon-testdata-events.jsonl").filter((e) => e.pod?.name.startsWith("deathstar-"));
    expect(deathstar.map((e) => e.pod?.name).sort()).toEqual(["deathstar-6f87496b94-gjf74", "deathstar-6f87496b94-qdlh8"]);
    for (const e of deathstar) expect(e.workload).toEqual({ kind: "Deployment", name: "deathstar", resolvedBy: "label:pod-template-hash" });
  });

  it("falls back to process.start_time when Tetragon wrote no time", () => {
    const [first] = runtime("tetragon/tetragon-testdata-events.jsonl");
    expect(first?.time).toBe("2022-10-18T03:16:18.273546829Z");
    expect(first?.process?.binary).toBe("/usr/bin/netserver");
  });

  it("keeps Tetragon's exec ids, which tie a process to its parent (exec sessions follow them)", () => {
    const [sh] = runtime("tetragon/tetragon-ebpf-book-post-exploitation-exfil.jsonl");
    expect(sh?.process).toMatchObject({
      binary: "/bin/sh",
      execId: "bWluaWt1YmU6NDY5NjQwNzQ0NTAwMjo1MTM1NA==",
      parent: { binary: "/tmp/go-build3514866200/b001/exe/main", pid: 41030, execId: "bWluaWt1YmU6MjA4MjU3MzM4MjgwMToyNTc0NA==" },
    });
  });

  it("takes the vi /etc/passwd kprobe's workload from Tetragon and classifies it as file access", () => {
    const vi = runtime("tetragon/tetragon-docs-examples.jsonl").find((e) => e.process?.binary === "/bin/vi");
    expect(vi).toMatchObject({
      type: "file",
      sourceKind: "process_kprobe",
      workload: { kind: "Pod", name: "file-access", resolvedBy: "tetragon-workload" },
      target: { function: "security_file_permission", policy: "file-monitoring", path: "/etc/passwd" },
      pod: { namespace: "default", container: { imageDigest: "sha256:c3839dd800b9eb7603340509769c43e146a74c63dca3045a8e7dc8ee07e53966" } },
    });
  });

  it("maps kprobe functions to event types", () => {
    const byFunction = new Map(runtime("tetragon/tetragon-docs-examples.jsonl").map((e) => [e.target?.function, e.type]));
    expect(byFunction.get("__x64_sys_setuid")).toBe("privilege");
    expect(byFunction.get("__x64_sys_setns")).toBe("privilege");
    expect(byFunction.get("commit_creds")).toBe("privilege");
    expect(byFunction.get("cap_capable")).toBe("privilege");
    expect(byFunction.get("do_init_module")).toBe("kernel_module");
    expect(byFunction.get("free_module")).toBe("kernel_module");
    const throttles = runtime("tetragon/tetragon-docs-examples.jsonl").filter((e) => e.type === "throttle");
    expect(throttles.map((e) => e.target?.action)).toEqual(["THROTTLE_START", "THROTTLE_STOP"]);
  });

  it("turns process_connect into a network event with the remote address", () => {
    const connect = runtime("tetragon/tetragon-ebpf-book-process-lifecycle.jsonl").find((e) => e.sourceKind === "process_connect");
    expect(connect?.type).toBe("network");
    expect(connect?.process?.binary).toBe("/usr/bin/nc");
    expect(connect?.target?.port).toBe(443);
  });

  it("marks host processes (no pod) as Host workloads named after the node", () => {
    const legacy = runtime("tetragon/tetragon-docs-legacy-examples.jsonl");
    expect(legacy[2]?.pod).toBeUndefined();
    expect(legacy[2]?.workload).toEqual({ kind: "Host", name: "unknown", resolvedBy: "host" });
    const exfil = runtime("tetragon/tetragon-ebpf-book-post-exploitation-exfil.jsonl");
    for (const e of exfil) expect(e.workload).toEqual({ kind: "Host", name: e.node, resolvedBy: "host" });
  });

  it("skips the five Falco internal metrics snapshots", () => {
    const rs = results("falco/falco-internal-metrics-snapshots.jsonl");
    expect(rs.filter((r) => r.ok === "skipped" && r.code === "falco_internal")).toHaveLength(5);
  });

  it("keeps Falco's nanosecond time exactly and turns shell rules into process_exec", () => {
    const alerts = runtime("falco/falco-website-alerts.jsonl");
    const kubecon = alerts.find((e) => e.node === "falco-xczjd");
    expect(kubecon).toMatchObject({
      type: "process_exec",
      time: "2023-05-25T13:44:05.478445995Z",
      rule: { name: "Terminal shell in container", priority: "Critical", tags: ["container", "mitre_execution", "shell"] },
      process: { binary: "sh", args: "-c clear; (bash || ash || sh)", tty: "34816", parent: { binary: "runc" } },
      pod: { namespace: "default", name: "kubecon", container: { id: "ee97d9c4186f", image: "docker.io/library/alpine" } },
    });
    const apiContact = alerts.find((e) => e.sourceKind === "Contact K8S API Server From Container");
    expect(apiContact?.type).toBe("rule_alert");
    expect(alerts.filter((e) => e.type === "process_exec")).toHaveLength(7);
  });

  it("recovers the time of falcosidekick's Fake rule, whose time has trailing garbage", () => {
    const fake = runtime("falco/falco-website-alerts.jsonl").find((e) => e.sourceKind === "Fake rule");
    expect(fake?.time).toBe("2021-04-13T20:58:00.746609046Z");
    expect(fake?.target?.path).toBe("/bin/hack");
  });

  it("reads the 2017 Falco layout (no source, proc.pname null)", () => {
    const [shell] = runtime("falco/falco-k8s-daemonset-readme-2017.jsonl");
    expect(shell).toMatchObject({ type: "process_exec", time: "2017-12-20T17:48:58.590038385Z", process: { binary: "bash", ancestors: [] } });
    expect(shell?.process?.parent).toBeUndefined();
  });

  it("maps k8s_audit Falco alerts to rule alerts with the exec'd pod", () => {
    const execs = runtime("falco/falco-website-alerts.jsonl").filter((e) => e.sourceKind === "Attach/Exec Pod");
    expect(execs.map((e) => [e.type, e.pod?.namespace, e.pod?.name])).toEqual([
      ["rule_alert", "hello-app", "nginx-676b6c5bbc-4xc6t"],
      ["rule_alert", "default", "kubecon"],
    ]);
  });

  it("keeps exec and attach audit events with subresource and code 101", () => {
    const sessions = audit("k8s-audit/falco-trace-files-k8s-audit.jsonl").filter((e) => ["exec", "attach"].includes(e.objectRef?.subresource ?? ""));
    expect(sessions).toHaveLength(2);
    for (const e of sessions) {
      expect(e).toMatchObject({ verb: "create", stage: "ResponseStarted", responseStatus: { code: 101 }, objectRef: { resource: "pods" } });
      expect(e.id).toBe(`${e.auditID}/ResponseStarted`);
    }
    expect(sessions.find((e) => e.objectRef?.subresource === "exec")?.requestURI).toContain("command=bash");
  });

  it("keeps request bodies for pods and RBAC, never for secrets or configmaps", () => {
    const all = audit("k8s-audit/falco-trace-files-k8s-audit.jsonl");
    const withBody = new Set(all.filter((e) => e.requestObject !== undefined).map((e) => e.objectRef?.resource));
    expect([...withBody].sort()).toEqual(["clusterrolebindings", "clusterroles", "pods"]);
    const secretsAndConfig = all.filter((e) => ["secrets", "configmaps"].includes(e.objectRef?.resource ?? ""));
    expect(secretsAndConfig.length).toBeGreaterThan(10);
    expect(JSON.stringify(secretsAndConfig)).not.toContain("aws_access_key_id");
  });

  it("reads v1beta1 `timestamp` when requestReceivedTimestamp is absent", () => {
    const [first] = audit("k8s-audit/audit2rbac-demo-log-v1beta1-2017.jsonl");
    expect(first).toMatchObject({
      requestReceivedTimestamp: "2017-09-11T19:55:05.000000000Z",
      impersonatedUser: { username: "bob" },
      responseStatus: { code: 403, reason: "Forbidden" },
    });
  });
});
