import { describe, expect, it } from "vitest";
import { generateScenario } from "./generate.ts";
import { replayScenario } from "./replay.ts";
import { scoreFindings } from "./score.ts";

describe("replayScenario", () => {
  it("replays every line of a scenario through outlier replay's reader and detector, and every finding can be scored", async () => {
    const scenario = generateScenario({ seed: 1, feed: "tetragon" });
    const result = await replayScenario(scenario);
    expect(result.rejections).toEqual([]);
    // Tetragon and audit lines are one event each.
    expect(result.events).toBe(scenario.files.reduce((n, f) => n + f.lines.length, 0));
    expect(result.findings.length).toBeGreaterThan(0);
    for (const f of result.findings) {
      const t = Date.parse(f.time);
      expect(t).toBeGreaterThanOrEqual(scenario.startMs);
      expect(t).toBeLessThanOrEqual(scenario.endMs + 60_000);
    }
    const score = scoreFindings(result.findings, scenario.incidents);
    expect(score.verdicts).toHaveLength(result.findings.length);
  }, 60_000);
});
