import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuditEventSchema, RuntimeEventSchema, type AuditEvent, type RuntimeEvent } from "@outlier/contracts";
import { detectFormat } from "./detect.ts";
import { normalizeLine, normalizeObject } from "./normalize.ts";
import type { NormalizeResult } from "./types.ts";

const fixtureDir = path.resolve(import.meta.dirname, "../test-fixtures");
const lines = (file: string) => readFileSync(path.join(fixtureDir, file), "utf8").split("\n").filter((l) => l !== "");
const opts = { cluster: "prod-eu" };
const run = (file: string) => lines(file).map((l) => normalizeLine(l, opts));

/** The reader's catch-all turns a throw into "… normalizer failed"; a total normalizer never reaches it. */
function isTotal(r: NormalizeResult): boolean {
  return ["boolean", "string"].includes(typeof r.ok) && !(r.ok === false && r.message.includes("normalizer failed"));
}

function only<T>(r: NormalizeResult | undefined): T {
  if (r?.ok !== true) throw new Error(`expected events, got ${JSON.stringify(r)}`);
  expect(r.events).toHaveLength(1);
  return r.events[0] as T;
}

describe("Falco times", () => {
  it("takes evt.time exactly (beyond 2^53) when `time` is missing or invalid", () => {
    const [missing, invalid, none] = run("falco-big-evt-time.jsonl");
    expect(only<RuntimeEvent>(missing).time).toBe("2023-11-14T22:13:20.123456789Z");
    expect(only<RuntimeEvent>(invalid).time).toBe("2023-11-14T22:13:20.987654321Z");
    expect(none).toMatchObject({ ok: false, code: "invalid_field" });
  });

  it("turns a shell rule into process_exec with the full binary path", () => {
    const event = only<RuntimeEvent>(run("falco-big-evt-time.jsonl")[0]);
    expect(event).toMatchObject({
      type: "process_exec",
      process: { binary: "/bin/bash", args: "-i", ancestors: ["runc"] },
      workload: { kind: "Deployment", name: "cart", resolvedBy: "pod-name" },
    });
    expect(only<RuntimeEvent>(run("falco-big-evt-time.jsonl")[1]).type).toBe("rule_alert");
  });
});

describe("Tetragon edge cases", () => {
  it("pads 0 to 9 fractional digits to nanoseconds", () => {
    const times = run("tetragon-fractional-digits.jsonl").map((r) => only<RuntimeEvent>(r).time);
    expect(times).toEqual([
      "2024-03-01T10:00:01.000000000Z",
      "2024-03-01T10:00:01.100000000Z",
      "2024-03-01T10:00:01.120000000Z",
      "2024-03-01T10:00:01.123000000Z",
      "2024-03-01T10:00:01.123400000Z",
      "2024-03-01T10:00:01.123450000Z",
      "2024-03-01T10:00:01.123456000Z",
      "2024-03-01T10:00:01.123456700Z",
      "2024-03-01T10:00:01.123456780Z",
      "2024-03-01T10:00:01.123456789Z",
    ]);
    expect([...times].sort()).toEqual(times);
  });

  it("falls back to start_time, rejects an event with no time at all, and reads numbers written as strings", () => {
    const [startTime, noTime] = run("tetragon-time-and-host.jsonl");
    expect(only<RuntimeEvent>(startTime)).toMatchObject({
      time: "2024-05-02T08:15:30.500000000Z",
      process: { binary: "/usr/bin/ssh", pid: 4242, uid: 1000, parent: { binary: "/bin/bash", pid: 4200 }, ancestors: ["/bin/bash"] },
    });
    expect(noTime).toMatchObject({ ok: false, code: "missing_field" });
  });

  it("treats a process without pod or node as a Host process on an unknown node", () => {
    const event = only<RuntimeEvent>(run("tetragon-time-and-host.jsonl")[2]);
    expect(event).toMatchObject({ type: "kernel_module", workload: { kind: "Host", name: "unknown", resolvedBy: "host" }, target: { module: "rootkit" } });
    expect(event.pod).toBeUndefined();
    expect(event.node).toBeUndefined();
  });

  it("rejects an event kind it does not handle", () => {
    expect(run("tetragon-time-and-host.jsonl")[3]).toMatchObject({ ok: false, code: "unknown_event_kind", message: expect.stringContaining("process_loader") });
  });

  it("uses the node from options when the event has none, and Tetragon's cluster_name over the option", () => {
    const raw = { process_exec: { process: { binary: "/bin/ls" } }, time: "2024-01-01T00:00:00Z", cluster_name: "edge-1" };
    expect(only<RuntimeEvent>(normalizeObject(raw, { ...opts, node: "node-z" }))).toMatchObject({ node: "node-z", cluster: "edge-1" });
  });

  it("keeps a 1 MB argument intact, and rejects a line over maxLineBytes", () => {
    const [template] = lines("tetragon-big-argument.template.jsonl");
    const big = "A".repeat(1024 * 1024);
    const line = template!.replace("ARGUMENT", big);
    const event = only<RuntimeEvent>(normalizeLine(line, { ...opts, maxLineBytes: 2 * 1024 * 1024 }));
    expect(event.process?.args).toBe(`-c ${big}`);
    expect(event.workload).toEqual({ kind: "CronJob", name: "etl", resolvedBy: "label:cronjob" });
    expect(normalizeLine(line, opts)).toMatchObject({ ok: false, code: "line_too_long" });
    expect(normalizeLine("é".repeat(600_000), opts)).toMatchObject({ ok: false, code: "line_too_long" });
  });

  it("gives a redelivered event the same id, and different events different ids", () => {
    const [a, b] = run("tetragon-fractional-digits.jsonl").map((r) => only<RuntimeEvent>(r).id);
    expect(only<RuntimeEvent>(run("tetragon-fractional-digits.jsonl")[0]).id).toBe(a);
    expect(a).not.toBe(b);
  });
});

describe("robustness", () => {
  it("reports truncated and non-object JSON with the parser's message", () => {
    const [tetragon, falco, array, string] = run("truncated-lines.jsonl");
    expect(tetragon).toMatchObject({ ok: false, code: "malformed_json" });
    expect(tetragon?.ok === false && tetragon.message).toMatch(/JSON/);
    expect(falco).toMatchObject({ ok: false, code: "malformed_json" });
    expect(array).toMatchObject({ ok: false, code: "not_an_object" });
    expect(string).toMatchObject({ ok: false, code: "not_an_object" });
  });

  it("skips empty lines", () => {
    expect(normalizeLine("   \t", opts)).toEqual({ ok: "skipped", source: "unknown", code: "empty_line", message: "empty line" });
    expect(normalizeLine("", { ...opts, source: "falco" })).toMatchObject({ ok: "skipped", source: "falco" });
  });

  it("does not let __proto__ keys pollute prototypes", () => {
    const [tetragon, auditLine] = run("proto-keys.jsonl");
    const event = only<RuntimeEvent>(tetragon);
    expect(Object.getPrototypeOf(event.pod?.labels)).toBe(Object.prototype);
    expect(event.pod?.labels).toEqual({ app: "cart", "pod-template-hash": "7c9d8b6f5d" });
    expect(event.workload?.name).toBe("cart");
    const audit = only<AuditEvent>(auditLine);
    expect(audit.annotations).toEqual({ "authorization.k8s.io/decision": "allow" });
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("rejects what no normalizer recognises, or what does not fit the forced source", () => {
    expect(normalizeLine('{"hello":"world"}', opts)).toMatchObject({ ok: false, code: "unknown_format" });
    expect(normalizeLine('{"kind": 0}', { ...opts, source: "audit" })).toMatchObject({ ok: false, code: "invalid_field" });
    expect(normalizeLine('{"kind":"Event","apiVersion":"v1","reason":"Pulled"}', opts)).toMatchObject({ ok: false, code: "invalid_field" });
    expect(normalizeLine('{"rule":"x","output":"y"}', { ...opts, source: "tetragon" })).toMatchObject({ ok: false, code: "unknown_format" });
  });

  it("never throws, on arbitrary strings and arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => isTotal(normalizeLine(s, opts))),
      { numRuns: 1000 },
    );
    const sources = fc.constantFrom(undefined, "tetragon" as const, "falco" as const, "audit" as const);
    fc.assert(
      fc.property(fc.jsonValue(), sources, (value, source) => isTotal(normalizeLine(JSON.stringify(value) ?? "null", { ...opts, source }))),
      { numRuns: 1000 },
    );
  });

  it("never throws, and only produces valid events, on fuzzed event shapes", () => {
    const anything = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    const shapes = fc.oneof(
      fc.record({ process_exec: fc.record({ process: fc.dictionary(fc.constantFrom("binary", "pid", "pod", "start_time"), anything) }), time: anything, node_name: anything }),
      fc.record({ process_exit: anything, process_connect: anything, time: anything }),
      fc.record({ process_kprobe: fc.record({ process: fc.constant({ binary: "/x" }), function_name: anything, args: anything }), time: fc.constant("2024-01-01T00:00:00Z") }),
      fc.record({ rule: fc.string(), priority: anything, output: anything, time: anything, source: anything, output_fields: anything }),
      fc.record({ kind: fc.constantFrom("Event", "EventList"), items: anything, auditID: anything, stage: anything, verb: anything, user: anything, timestamp: anything, objectRef: anything }),
    );
    fc.assert(
      fc.property(shapes, (raw) => {
        const r = normalizeObject(raw, opts);
        expect(isTotal(r)).toBe(true);
        if (r.ok !== true) return;
        for (const e of r.events) {
          const schema = e.schema === "outlier.audit.v1" ? AuditEventSchema : RuntimeEventSchema;
          expect(schema.safeParse(e).error).toBeUndefined();
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe("detectFormat", () => {
  it("recognises each source by its shape", () => {
    expect(detectFormat({ process_exec: {}, node_name: "n" })).toBe("tetragon");
    expect(detectFormat({ node_name: "n", time: "t" })).toBe("tetragon");
    expect(detectFormat({ rule: "r", priority: "Notice" })).toBe("falco");
    expect(detectFormat({ kind: "EventList", items: [] })).toBe("audit");
    expect(detectFormat({ auditID: "a", stage: "s", verb: "v" })).toBe("audit");
    expect(detectFormat({ kind: 0 })).toBeUndefined();
  });
});
