/**
 * pnpm bench:quality — how trustworthy the findings are, on labelled scenarios (issue 9).
 *
 * For each seed and feed, generates a scenario (@outlier/scenarios: a multi-workload
 * cluster with every benign and attack class, as Tetragon export + audit log, or Falco
 * alerts + audit log), replays it through the code `outlier replay` runs (readEvents,
 * the normalizers, replayEvents; in-memory store; the scenario's learning window), matches
 * the findings to the labelled incidents and prints, per class and feed: incidents,
 * attacks recalled, findings, true, allowed, false positives, recall and precision; then
 * the overall line per feed. docs/detection.md explains the matching.
 *
 *   pnpm bench:quality [--seeds N] [--first-seed S] [--feed tetragon|falco] [--out DIR] [--verbose]
 *
 *   --seeds N       scenarios per feed (default 5), seeds S … S+N-1 (--first-seed, default 1)
 *   --feed F        only this feed (default both)
 *   --out DIR       also write each scenario's files to DIR/<feed>-seed-<seed>/ (with its
 *                   incidents.json and learning window), for `outlier replay`
 *   --verbose       list every false positive and missed attack, with the finding's summary
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import { FEEDS, generateScenario, mergeRows, overall, scoreFindings, summarize, type ClassRow, type Feed } from "../packages/scenarios/src/index.ts";
import { replayScenario, writeScenarioFiles } from "../packages/scenarios/src/replay.ts";
import { printTable } from "./lib/table.ts";

const { values } = parseArgs({
  options: {
    seeds: { type: "string", default: "5" },
    "first-seed": { type: "string", default: "1" },
    feed: { type: "string" },
    out: { type: "string" },
    verbose: { type: "boolean", default: false },
  },
});
const seedCount = Number(values.seeds);
const firstSeed = Number(values["first-seed"]);
const feeds: readonly Feed[] = values.feed ? [values.feed as Feed] : FEEDS;
if (!Number.isInteger(seedCount) || seedCount < 1 || !Number.isInteger(firstSeed) || feeds.some((f) => !FEEDS.includes(f))) {
  console.error("usage: pnpm bench:quality [--seeds N] [--first-seed S] [--feed tetragon|falco] [--out DIR] [--verbose]");
  process.exit(2);
}

const rows: ClassRow[] = [];
const details: string[] = [];
for (const feed of feeds) {
  for (let seed = firstSeed; seed < firstSeed + seedCount; seed++) {
    const started = performance.now();
    const scenario = generateScenario({ seed, feed });
    if (values.out) {
      const dir = path.join(values.out, `${feed}-seed-${seed}`);
      await writeScenarioFiles(scenario.files, dir);
      await writeFile(path.join(dir, "incidents.json"), `${JSON.stringify({ learningWindowMs: scenario.learningWindowMs, parameters: scenario.parameters, incidents: scenario.incidents }, null, 2)}\n`);
    }
    const result = await replayScenario(scenario);
    const score = scoreFindings(result.findings, scenario.incidents);
    rows.push(...summarize(score, feed));
    const ms = Math.round(performance.now() - started);
    console.error(`${feed} seed ${seed}: ${result.events.toLocaleString("en-US")} events, ${result.findings.length} findings, ${result.rejected} rejected lines (${ms} ms)`);
    for (const r of result.rejections) console.error(`  rejected ${r}`);
    if (values.verbose) {
      for (const v of score.verdicts.filter((v) => v.verdict === "false")) {
        details.push(`${feed} seed ${seed}  FP  ${v.incident?.class ?? "unattributed"}  ${v.finding.type} ${v.finding.severity} ${v.finding.pod ?? v.finding.namespace ?? ""}: ${v.finding.summary.slice(0, 160)}  (${v.note})`);
      }
      for (const s of score.incidents.filter((s) => s.incident.kind === "attack" && !s.recalled)) {
        const got = s.trueFindings.map((f) => `${f.type}/${f.severity}`).join(", ") || "no finding";
        details.push(`${feed} seed ${seed}  MISS  ${s.incident.class}  ${s.incident.description}  (got: ${got})`);
      }
    }
  }
}

const merged = mergeRows(rows);
const pct = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(2));
// Counts as text, right-aligned here (the table helper would print numbers below 100 with two decimals).
const table = (list: ClassRow[]) => {
  const cells = list.map((r) => [r.class, r.kind, r.feed, ...[r.incidents, r.recalled, r.findings, r.trueFindings, r.allowed, r.falsePositives].map((n) => n.toLocaleString("en-US")), pct(r.recall), pct(r.precision)]);
  return cells.map((row) => row.map((cell, k) => (k < 3 ? cell : cell.padStart(Math.max(headers[k]!.length, ...cells.map((c) => c[k]!.length))))));
};
const headers = ["class", "kind", "feed", "incidents", "recalled", "findings", "true", "allowed", "false pos.", "recall", "precision"];
console.log(`\nseeds ${firstSeed}–${firstSeed + seedCount - 1}, per feed\n`);
printTable(headers, table(merged));
console.log("");
printTable(headers, table(feeds.map((feed) => overall(merged.filter((r) => r.feed === feed), feed))));
if (details.length > 0) console.log(`\n${details.join("\n")}`);
