import { readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeObject } from "@outlier/normalize";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const FALCO_VALUES = join(import.meta.dirname, "..", "..", "deploy", "helm", "falco-values.yaml");

interface FalcoRule {
  rule: string;
  condition: string;
  output: string;
  priority: string;
  tags: string[];
}

/** A value for each field the rule's output may name, as Falco writes it into output_fields. */
const SAMPLE: Record<string, string | number> = {
  "evt.type": "execve",
  "proc.exepath": "/usr/bin/curl",
  "proc.cmdline": "curl -s http://10.0.0.7/x.sh",
  "proc.args": "-s http://10.0.0.7/x.sh",
  "proc.pid": 4242,
  "proc.ppid": 4200,
  "proc.pexepath": "/bin/sh",
  "proc.cwd": "/app/",
  "proc.tty": 34816,
  "user.uid": 1000,
  "user.name": "app",
  "container.id": "0123456789ab",
  "container.name": "web",
  "container.image.repository": "ghcr.io/acme/web",
  "container.image.tag": "1.4.2",
  "container.image.digest": `sha256:${"ab".repeat(32)}`,
  "k8s.ns.name": "shop",
  "k8s.pod.name": "web-7d9f8b6c5d-x2x9z",
  "k8s.pod.uid": "5f3c2a1e-8d4b-4c6f-9a7e-0b1c2d3e4f50",
};

const values = parse(readFileSync(FALCO_VALUES, "utf8")) as {
  falco: { json_output: boolean; json_include_output_fields_property: boolean; http_output: { enabled: boolean; url: string } };
  customRules: Record<string, string>;
};
const rules = parse(values.customRules["outlier-rules.yaml"]!) as FalcoRule[];
const rule = rules.find((r) => r.rule === "Outlier process spawned")!;

describe("deploy/helm/falco-values.yaml feeds the collector's process_exec events", () => {
  it("sends JSON alerts with their output fields to the collector's node-local Service, token from the environment", () => {
    expect(values.falco).toMatchObject({ json_output: true, json_include_output_fields_property: true, http_output: { enabled: true } });
    const url = new URL(values.falco.http_output.url);
    expect(url.host).toBe("outlier-collector.outlier-collector.svc:8080");
    expect(url.pathname).toBe("/falco");
    expect(url.password).toBe("$%7BOUTLIER_FALCO_TOKEN%7D");
  });

  it("the Outlier rule's alert, as Falco would post it, becomes a process_exec with the process, pod and container", () => {
    expect(rule.condition).toContain("spawned_process");
    const fields = [...rule.output.matchAll(/%([a-z0-9_.]+)/g)].map((m) => m[1]!);
    expect(fields.filter((f) => !(f in SAMPLE))).toEqual([]);
    const alert = {
      time: "2026-12-07T23:40:01.123456789Z",
      rule: rule.rule,
      priority: "Informational",
      source: "syscall",
      tags: rule.tags,
      hostname: "node-1",
      output: `23:40:01.123456789: Informational ${rule.output}`,
      output_fields: Object.fromEntries(fields.map((f) => [f, SAMPLE[f]])),
    };

    const result = normalizeObject(alert, { source: "falco", cluster: "prod" });
    expect(result.ok).toBe(true);
    const event = result.ok === true ? result.events[0] : undefined;
    expect(event).toMatchObject({
      type: "process_exec",
      node: "node-1",
      process: { binary: "/usr/bin/curl", args: "-s http://10.0.0.7/x.sh", pid: 4242, uid: 1000, cwd: "/app/", parent: { binary: "/bin/sh", pid: 4200 } },
      pod: {
        namespace: "shop",
        name: "web-7d9f8b6c5d-x2x9z",
        uid: "5f3c2a1e-8d4b-4c6f-9a7e-0b1c2d3e4f50",
        container: { name: "web", id: "0123456789ab", image: "ghcr.io/acme/web:1.4.2", imageDigest: `sha256:${"ab".repeat(32)}` },
      },
      workload: { kind: "Deployment", name: "web" },
    });
  });
});
