import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { RuntimeEvent } from "@outlier/contracts";
import { normalizeLine } from "./normalize.ts";

const fixture = path.resolve(import.meta.dirname, "../test-fixtures/tetragon-exec-probe.jsonl");
const events = readFileSync(fixture, "utf8")
  .trimEnd()
  .split("\n")
  .map((line) => {
    const result = normalizeLine(line, { cluster: "prod-eu" });
    if (result.ok !== true) throw new Error(`expected an event, got ${JSON.stringify(result)}`);
    return result.events[0] as RuntimeEvent;
  });

describe("Tetragon exec probes", () => {
  it("reads maybe_exec_probe where Tetragon puts it: on the pod's container (API message Container)", () => {
    expect(events[0]!.process).toMatchObject({ binary: "/usr/bin/pg_isready", inInitTree: false, maybeExecProbe: true });
  });

  it("takes the container's false over a maybe_exec_probe on the process, a place no Tetragon version writes", () => {
    expect(events[1]!.process?.maybeExecProbe).toBe(false);
  });
});
