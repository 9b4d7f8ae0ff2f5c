import { describe, expect, it } from "vitest";
import type { AuditEvent, RuntimeEvent } from "@outlier/contracts";
import { normalizeLine } from "@outlier/normalize";
import { generateScenario, SCENARIO_CLASSES, type Scenario } from "./generate.ts";
import { FEEDS } from "./incidents.ts";

const cache = new Map<string, Scenario>();
function scenario(seed: number, feed: "tetragon" | "falco"): Scenario {
  const key = `${feed}/${seed}`;
  if (!cache.has(key)) cache.set(key, generateScenario({ seed, feed }));
  return cache.get(key)!;
}

function parsed(s: Scenario, prefix: string): Record<string, unknown>[] {
  return s.files.filter((f) => f.name.startsWith(prefix)).flatMap((f) => f.lines.map((l) => JSON.parse(l) as Record<string, unknown>));
}

describe("generateScenario", () => {
  it("is deterministic: the same seed and feed give the same lines and incidents", () => {
    const again = generateScenario({ seed: 1, feed: "tetragon" });
    expect(again.files).toEqual(scenario(1, "tetragon").files);
    expect(again.incidents).toEqual(scenario(1, "tetragon").incidents);
    expect(scenario(2, "tetragon").files).not.toEqual(again.files);
  });

  it("writes the same activity in both feeds: the same incidents, the same audit log", () => {
    const t = scenario(2, "tetragon");
    const f = scenario(2, "falco");
    expect(f.incidents).toEqual(t.incidents);
    expect(f.files.find((x) => x.name === "k8s-audit.jsonl")).toEqual(t.files.find((x) => x.name === "k8s-audit.jsonl"));
    const tetragonExecs = t.files.filter((x) => x.name.startsWith("tetragon-")).reduce((n, x) => n + x.lines.length, 0);
    const falcoExecs = parsed(f, "falco").filter((a) => a["rule"] === "Process spawned in container").length;
    expect(falcoExecs).toBe(tetragonExecs);
  });

  it.each(FEEDS)("writes %s lines that the normalizer accepts, every one", (feed) => {
    const s = scenario(1, feed);
    const problems: string[] = [];
    for (const file of s.files) {
      file.lines.forEach((line, i) => {
        const r = normalizeLine(line, { cluster: "default" });
        if (r.ok !== true) problems.push(`${file.name}:${i + 1}: ${r.ok === false ? r.code : r.code}: ${r.message}`);
      });
    }
    expect(problems.slice(0, 5)).toEqual([]);
  });

  it("puts each file's lines in time order", () => {
    for (const file of [...scenario(1, "tetragon").files, ...scenario(1, "falco").files]) {
      const times = file.lines.map((l) => {
        const o = JSON.parse(l) as { time?: string; stageTimestamp?: string };
        return o.time ?? o.stageTimestamp ?? "";
      });
      expect(times.findIndex((t, i) => i > 0 && times[i - 1]! > t), file.name).toBe(-1);
    }
  });

  it("marks exec probes where Tetragon does: process.pod.container.maybe_exec_probe, outside the init tree", () => {
    const execs = parsed(scenario(1, "tetragon"), "tetragon-").map((e) => (e["process_exec"] as { process: Record<string, unknown> }).process);
    const probes = execs.filter((p) => (p["pod"] as { container: Record<string, unknown> }).container["maybe_exec_probe"] === true);
    expect(probes.length).toBeGreaterThan(1000);
    for (const p of probes) {
      expect(p).not.toHaveProperty("maybe_exec_probe");
      expect(p["in_init_tree"]).toBeUndefined();
    }
    const app = execs.filter((p) => p["in_init_tree"] === true);
    expect(app.length).toBeGreaterThan(100);
    for (const p of execs) expect(p["exec_id"]).toMatch(/^[A-Za-z0-9+/=]+$/);
  });

  it("writes Falco exec alerts that become process_exec events with pod labels printed as Falco prints them", () => {
    const line = scenario(1, "falco").files.find((f) => f.name === "falco.jsonl")!.lines.find((l) => l.includes('"rule":"Process spawned in container"'))!;
    const alert = JSON.parse(line) as { output_fields: Record<string, unknown> };
    expect(alert.output_fields["k8s.pod.labels"] ?? alert.output_fields["k8smeta.pod.labels"]).toMatch(/^\((?:[^:,()]+:[^,()]*,)*[^:,()]+:[^,()]*\)$/);
    expect(line).toMatch(/"evt.time":\d{19}[,}]/);
    const r = normalizeLine(line, { cluster: "default" });
    expect(r.ok).toBe(true);
    const event = (r as { events: RuntimeEvent[] }).events[0]!;
    expect(event.type).toBe("process_exec");
    expect(event.process?.parent?.pid).toBeGreaterThan(0);
    expect(event.pod?.container?.imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("writes the audit shapes of exec sessions and token requests", () => {
    const events = parsed(scenario(1, "tetragon"), "k8s-audit").map((l) => normalizeLine(JSON.stringify(l), { cluster: "default" })).flatMap((r) => (r.ok === true ? (r.events as AuditEvent[]) : []));
    const exec = events.find((e) => e.objectRef?.subresource === "exec" && e.stage === "ResponseStarted")!;
    expect(exec.responseStatus?.code).toBe(101);
    expect(exec.requestURI).toMatch(/^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/exec\?command=/);
    const tokens = events.filter((e) => e.objectRef?.subresource === "token" && e.stage === "ResponseComplete");
    expect(tokens.some((e) => e.user.username.startsWith("system:node:"))).toBe(true);
    expect(tokens.some((e) => e.user.username === "system:serviceaccount:vault:vault")).toBe(true);
    expect(tokens.some((e) => e.user.username === "dave@example.com" && e.objectRef?.namespace === "kube-system")).toBe(true);
    expect(events.some((e) => e.objectRef?.resource === "secrets" && e.user.username.startsWith("system:serviceaccount:"))).toBe(true);
  });

  it("labels every class, each incident inside the scenario's time, attacks with what detects them", () => {
    const classes = new Set<string>();
    for (const seed of [1, 2, 3]) {
      const s = scenario(seed, "tetragon");
      for (const i of s.incidents) {
        classes.add(i.class);
        expect(i.startMs).toBeGreaterThanOrEqual(s.startMs);
        expect(i.endMs).toBeLessThanOrEqual(s.endMs + 60_000);
        expect(i.startMs).toBeLessThanOrEqual(i.endMs);
        if (i.kind === "attack") {
          expect(i.expect.length).toBeGreaterThan(0);
          if (i.workload) expect(i.pods.length).toBeGreaterThan(0);
          if (i.workload) expect(i.binaries.length).toBeGreaterThan(0);
        }
      }
    }
    expect([...classes].sort()).toEqual([...SCENARIO_CLASSES].sort());
  });

  it("varies the cluster by seed: learning window, replica counts, cadences", () => {
    const params = [1, 2, 3].map((seed) => scenario(seed, "tetragon").parameters);
    for (const key of ["learningMinutes", "leader.replicas", "leader.periodS", "periodic.walMin", "burst.replicas"]) {
      expect(new Set(params.map((p) => p[key])).size, key).toBeGreaterThan(1);
    }
  });

  it("places the attack during learning inside the learning window and the others after it", () => {
    for (const seed of [1, 2, 3]) {
      const s = scenario(seed, "tetragon");
      const lockMs = s.startMs + s.learningWindowMs;
      for (const i of s.incidents.filter((x) => x.kind === "attack")) {
        if (i.class === "attack:oneoff-during-learning") expect(i.endMs).toBeLessThan(lockMs);
        else expect(i.startMs).toBeGreaterThan(lockMs);
      }
    }
  });
});
