import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { podFacts } from "./pod-facts.ts";
import { PodIndex } from "./pod-index.ts";
import { testPod } from "./testing/pods.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const tetragonDir = path.resolve(repoRoot, "../shared/fixtures/tetragon");
const present = existsSync(tetragonDir);

interface TetragonProcess {
  docker?: string;
  pod?: { namespace: string; name: string; container?: { id?: string; name?: string } };
}

/** Every process (and parent) in the Tetragon fixtures that names both its pod's container id and the `docker` short id. */
function tetragonProcesses(): TetragonProcess[] {
  const processes: TetragonProcess[] = [];
  for (const file of readdirSync(tetragonDir).filter((f) => f.endsWith(".jsonl"))) {
    for (const line of readFileSync(path.join(tetragonDir, file), "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const event = Object.values(JSON.parse(line) as Record<string, unknown>).find((v) => typeof v === "object" && v !== null);
      const { process, parent } = (event ?? {}) as { process?: TetragonProcess; parent?: TetragonProcess };
      for (const p of [process, parent]) if (p?.docker && p.pod?.container?.id) processes.push(p);
    }
  }
  return processes;
}

describe.skipIf(!present)(`container ids of real Tetragon events (${present ? tetragonDir : "absent: ../shared/fixtures not found, suite skipped"})`, () => {
  it("resolves Tetragon's truncated `docker` id to the pod whose status holds the full runtime id", () => {
    const processes = tetragonProcesses();
    expect(processes.length).toBeGreaterThan(10);
    // The samples come from several captures: one pod name may appear with several container ids,
    // so each id is its own pod (uid), and the older ones stay resolvable as recently deleted.
    const index = new PodIndex({ deletedMax: 1000, deletedTtlMs: 60_000 });
    for (const p of processes) {
      const { namespace, name, container } = p.pod!;
      const pod = podFacts(testPod({ namespace, name, uid: container!.id!, containerIds: { [container?.name ?? "app"]: container!.id! } }));
      if (pod) index.upsert(pod);
    }
    for (const p of processes) {
      expect(p.docker!.length).toBeGreaterThanOrEqual(12);
      const match = index.find({ containerId: p.docker });
      expect(match?.pod).toMatchObject({ namespace: p.pod!.namespace, name: p.pod!.name });
      expect(match?.container?.name).toBe(p.pod!.container!.name ?? "app");
    }
  });
});
