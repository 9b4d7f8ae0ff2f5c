import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Finding } from "@outlier/contracts";
import { DEFAULT_POLICY } from "@outlier/baseline";
import { readEvents, replayEvents } from "@outlier/cli/replay";
import { MemoryBaselineStore } from "@outlier/store";
import type { Scenario } from "./generate.ts";
import type { ScenarioFile } from "./render.ts";

export interface ReplayResult {
  findings: Finding[];
  events: number;
  rejected: number;
  /** The first few rejected lines, as `FILE:LINE: code: message`. */
  rejections: string[];
}

/** Writes the scenario's files into `dir` (created if missing); returns their paths. */
export async function writeScenarioFiles(files: readonly ScenarioFile[], dir: string): Promise<string[]> {
  const { mkdir } = await import("node:fs/promises");
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const f of files) {
    const file = path.join(dir, f.name);
    await writeFile(file, f.lines.length > 0 ? `${f.lines.join("\n")}\n` : "");
    paths.push(file);
  }
  return paths;
}

/**
 * Replays a scenario as `outlier replay --learning-window <scenario's> --cluster <scenario's>`
 * does: the files are written to a temporary folder and read back by the CLI's readEvents
 * (format detected per line, normalized, sorted by event time), then judged by
 * replayEvents with an in-memory store.
 */
export async function replayScenario(scenario: Scenario): Promise<ReplayResult> {
  const dir = await mkdtemp(path.join(tmpdir(), `outlier-scenario-${scenario.feed}-${scenario.seed}-`));
  try {
    const files = await writeScenarioFiles(scenario.files, dir);
    const rejections: string[] = [];
    const input = await readEvents(files, {
      cluster: scenario.cluster,
      onRejected: (r) => {
        if (rejections.length < 10) rejections.push(`${path.basename(r.file)}:${r.lineNo}: ${r.code}: ${r.message}`);
      },
    });
    const findings: Finding[] = [];
    const store = new MemoryBaselineStore();
    try {
      await replayEvents(input.events, {
        store,
        policy: { ...DEFAULT_POLICY, learningWindowMs: scenario.learningWindowMs },
        onFindings: (batch) => {
          findings.push(...batch);
        },
      });
    } finally {
      await store.close();
    }
    return { findings, events: input.events.length, rejected: input.rejected, rejections };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
