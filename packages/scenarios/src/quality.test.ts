/**
 * Issue 9's targets, held over several seeds per feed: every attack found with an
 * expected finding type (recall 1), precision ≥ 0.95, and no finding counted against a
 * benign class (only what the issue allows for it: one low review finding for a
 * singleton task, one low baseline.drift per new binary of a new image, the access
 * record of a person's exec session).
 *
 * It replays each scenario through `outlier replay`'s code, so it fails until the
 * detector fixes of issue 9 land; `pnpm bench:quality --verbose` lists what fails.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { generateScenario } from "./generate.ts";
import { FEEDS } from "./incidents.ts";
import { replayScenario } from "./replay.ts";
import { mergeRows, overall, scoreFindings, summarize, type ClassRow, type Score } from "./score.ts";

const SEEDS = [1, 2, 3];

describe.each(FEEDS)("detection quality, %s feed", (feed) => {
  const scores: { seed: number; score: Score }[] = [];
  let rows: ClassRow[] = [];

  beforeAll(async () => {
    for (const seed of SEEDS) {
      const scenario = generateScenario({ seed, feed });
      const result = await replayScenario(scenario);
      expect(result.rejected, result.rejections.join("\n")).toBe(0);
      const score = scoreFindings(result.findings, scenario.incidents);
      scores.push({ seed, score });
      rows.push(...summarize(score, feed));
    }
    rows = mergeRows(rows);
  }, 120_000);

  it("finds every attack with an expected finding type and severity", () => {
    const missed = scores.flatMap(({ seed, score }) =>
      score.incidents
        .filter((s) => s.incident.kind === "attack" && !s.recalled)
        .map((s) => `seed ${seed} ${s.incident.class}: ${s.incident.description} (got ${s.trueFindings.map((f) => `${f.type}/${f.severity}`).join(", ") || "nothing"})`),
    );
    expect(missed).toEqual([]);
  });

  it("keeps precision at or above 0.95", () => {
    const total = overall(rows, feed);
    expect(total.precision ?? 1, `${total.trueFindings} true, ${total.falsePositives} false`).toBeGreaterThanOrEqual(0.95);
  });

  it("raises nothing for the benign classes beyond what the issue allows", () => {
    const against = rows.filter((r) => r.kind !== "attack" && r.falsePositives > 0).map((r) => `${r.class}: ${r.falsePositives}`);
    expect(against).toEqual([]);
  });
});
