import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "@outlier/contracts";
import { normalizeObject } from "./normalize.ts";
import type { NormalizeOptions } from "./types.ts";

/** A Falco JSON alert as file_output / http_output write it, with these output fields. */
function alert(rule: string, fields: Record<string, unknown>, tags: string[] = ["container"]): Record<string, unknown> {
  return {
    hostname: "node-a",
    output: `10:00:00.000000000: Notice ${rule}`,
    priority: "Notice",
    rule,
    source: "syscall",
    tags,
    time: "2026-03-02T10:00:00.000000000Z",
    output_fields: { "k8s.ns.name": "shop", "k8s.pod.name": "web-7c9d8b6f5d-x2kqp", "proc.exepath": "/usr/bin/curl", "proc.cmdline": "curl -s http://x", ...fields },
  };
}

function event(raw: Record<string, unknown>, opts: Partial<NormalizeOptions> = {}): RuntimeEvent {
  const result = normalizeObject(raw, { source: "falco", cluster: "prod-eu", ...opts });
  if (result.ok !== true) throw new Error(`expected an event, got ${JSON.stringify(result)}`);
  return result.events[0] as RuntimeEvent;
}

const labelsOf = (fields: Record<string, unknown>) => event(alert("Contact K8S API Server From Container", fields)).pod?.labels;

describe("Falco pod labels", () => {
  it("reads k8s.pod.labels as libsinsp prints it: key:value pairs joined by ', ' (a key alone when its value is empty)", () => {
    expect(labelsOf({ "k8s.pod.labels": "app:web, team:payments, canary" })).toEqual({ app: "web", team: "payments", canary: "" });
    expect(labelsOf({ "k8s.pod.labels": "foo1:bar1,foo2:bar2" })).toEqual({ foo1: "bar1", foo2: "bar2" });
  });

  it("reads k8smeta.pod.labels as the k8smeta plugin prints its list: (k1:v1,k2:v2)", () => {
    expect(labelsOf({ "k8smeta.pod.labels": "(app:web,team:payments,app.kubernetes.io/name:web)" })).toEqual({
      app: "web",
      team: "payments",
      "app.kubernetes.io/name": "web",
    });
  });

  it("reads a JSON map, a JSON list of key:value strings, and a map given as JSON text", () => {
    expect(labelsOf({ "k8s.pod.labels": { app: "web", team: "payments" } })).toEqual({ app: "web", team: "payments" });
    expect(labelsOf({ "k8smeta.pod.labels": ["app:web", "team:payments"] })).toEqual({ app: "web", team: "payments" });
    expect(labelsOf({ "k8s.pod.labels": '{"app":"web","team":"payments"}' })).toEqual({ app: "web", team: "payments" });
  });

  it("reads single-label fields in both of Falco's notations, and lets them fill what the list lacks", () => {
    expect(labelsOf({ "k8s.pod.label.team": "payments", "k8s.pod.label[app.kubernetes.io/name]": "web", "k8smeta.pod.label[tier]": "front" })).toEqual({
      team: "payments",
      "app.kubernetes.io/name": "web",
      tier: "front",
    });
    expect(labelsOf({ "k8smeta.pod.labels": "(app:web)", "k8s.pod.label.team": "payments" })).toEqual({ app: "web", team: "payments" });
  });

  it("drops what is not Kubernetes label syntax: no made-up text reaches routing or messages", () => {
    expect(labelsOf({ "k8s.pod.labels": "team:payments\n<!channel>, app:web, bad key:x, x:" + "v".repeat(64) })).toEqual({ app: "web" });
    expect(labelsOf({ "k8s.pod.labels": { team: "pay*ments", "example.com/owner": "sre" } })).toEqual({ "example.com/owner": "sre" });
    expect(labelsOf({ "k8s.pod.labels": "constructor:x, toString:y" })).toEqual({ constructor: "x", toString: "y" });
  });

  it("ignores Falco's <NA> and null for a field it could not resolve, and never takes __proto__", () => {
    expect(labelsOf({ "k8s.pod.labels": "<NA>", "k8smeta.pod.labels": null, "k8s.pod.label.app": "<NA>" })).toEqual({});
    const labels = labelsOf({ "k8s.pod.labels": "__proto__:x, app:web" });
    expect(labels).toEqual({ app: "web" });
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });

  it("takes the pod from k8smeta.pod.name / k8smeta.ns.name when the k8s.* fields are absent", () => {
    const e = event(alert("Contact K8S API Server From Container", { "k8s.ns.name": undefined, "k8s.pod.name": undefined, "k8smeta.ns.name": "shop", "k8smeta.pod.name": "web-7c9d8b6f5d-x2kqp" }));
    expect(e.pod).toMatchObject({ namespace: "shop", name: "web-7c9d8b6f5d-x2kqp" });
    expect(e.workload).toMatchObject({ kind: "Deployment", name: "web" });
  });
});

describe("Falco rules that feed process execs", () => {
  const shell = alert("Terminal shell in container", { "proc.exepath": "/bin/bash", "proc.cmdline": "bash -i" }, ["container", "shell"]);
  const custom = alert("Outlier exec feed", { "evt.type": "execve" });
  const other = alert("Contact K8S API Server From Container", {});

  it("by default, as the normalizer decides: execve alerts, spawn-named rules and shell-tagged rules", () => {
    expect([shell, custom, other].map((a) => event(a).type)).toEqual(["process_exec", "process_exec", "rule_alert"]);
  });

  it("when falcoExecRules is given, exactly the rules named there (with a process) feed; the others are rule alerts", () => {
    const opts = { falcoExecRules: ["Outlier exec feed", "Contact K8S API Server From Container"] };
    expect([shell, custom, other].map((a) => event(a, opts).type)).toEqual(["rule_alert", "process_exec", "process_exec"]);
    expect(event(shell, { falcoExecRules: [] }).type).toBe("rule_alert");
  });
});

describe("Falco exec probes", () => {
  const exec = (fields: Record<string, unknown>) => event(alert("Outlier process spawned", { "evt.type": "execve", "proc.exepath": "/bin/grpc_health_probe", ...fields }));

  it("reads Falco's probe flags (liveness, readiness, image HEALTHCHECK) into maybeExecProbe, as JSON booleans or text", () => {
    expect(exec({ "proc.is_container_liveness_probe": true, "proc.is_container_readiness_probe": false }).process?.maybeExecProbe).toBe(true);
    expect(exec({ "proc.is_container_readiness_probe": "true" }).process?.maybeExecProbe).toBe(true);
    expect(exec({ "proc.is_container_healthcheck": true }).process?.maybeExecProbe).toBe(true);
    expect(exec({ "proc.is_container_liveness_probe": false, "proc.is_container_readiness_probe": "false" }).process?.maybeExecProbe).toBe(false);
  });

  it("leaves maybeExecProbe unset when the rule's output has none of the flags", () => {
    expect(exec({}).process?.maybeExecProbe).toBeUndefined();
  });
});
