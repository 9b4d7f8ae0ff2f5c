import { existsSync } from "node:fs";
import { appendFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Ingest, SourceFormat } from "../ingest.ts";
import { createCollectorMetrics, type CollectorMetrics } from "../metrics.ts";
import { createAuditFileSource } from "./audit-file.ts";
import { createFalcoFileSource } from "./falco-file.ts";
import type { Source, SourceDeps } from "./source.ts";
import { FakeIngest } from "./testing.ts";
import { createTetragonFileSource } from "./tetragon-file.ts";

const repoRoot = resolve(import.meta.dirname, "../../../..");
const fixtures = resolve(repoRoot, "../shared/fixtures");
const describeWithFixtures = existsSync(fixtures) ? describe : describe.skip;
if (!existsSync(fixtures)) console.error(`file source tests skipped: fixtures not found at ${fixtures}`);

const cases: { name: string; format: SourceFormat; fixture: string; create: typeof createTetragonFileSource }[] = [
  { name: "tetragon-file", format: "tetragon", fixture: "tetragon/tetragon-testdata-events.jsonl", create: createTetragonFileSource },
  { name: "falco-file", format: "falco", fixture: "falco/falco-website-alerts.jsonl", create: createFalcoFileSource },
  { name: "audit-file", format: "audit", fixture: "k8s-audit/openshift-docs-audit-log-examples.jsonl", create: createAuditFileSource },
];

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describeWithFixtures("file sources", () => {
  let dir: string;
  let metrics: CollectorMetrics;
  let sources: Source[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "outlier-file-source-"));
    metrics = createCollectorMetrics(new Registry());
    sources = [];
  });
  afterEach(async () => {
    for (const source of sources) await source.stop();
    await rm(dir, { recursive: true, force: true });
  });

  function deps(ingest: Ingest): SourceDeps {
    return { ingest, logger: pino({ level: "silent" }), metrics };
  }

  describe.each(cases)("$name", ({ name, format, fixture, create }) => {
    it("hands each line of a real export to ingest with its format and path:line, and resumes after a restart", async () => {
      const fixtureLines = (await readFile(join(fixtures, fixture), "utf8")).split("\n").filter((l) => l !== "");
      const path = join(dir, "export.jsonl");
      await writeFile(path, fixtureLines.map((l) => `${l}\n`).join(""));
      const config = { path, stateDir: join(dir, "state"), pollIntervalMs: 5 };

      const ingest = new FakeIngest();
      const source = create(config, deps(ingest));
      sources.push(source);
      expect(source.name).toBe(name);
      await source.start();
      await waitFor(() => ingest.lines.length === fixtureLines.length, `${fixtureLines.length} lines`);
      expect(ingest.lines).toEqual(fixtureLines.map((text, i) => ({ text, origin: { format, location: `${path}:${i + 1}` } })));
      await source.stop();

      await appendFile(path, `${fixtureLines[0]}\n`);
      const restarted = new FakeIngest();
      const again = create(config, deps(restarted));
      sources.push(again);
      await again.start();
      await waitFor(() => restarted.lines.length >= 1, "the appended line");
      expect(restarted.lines).toEqual([{ text: fixtureLines[0], origin: { format, location: `${path}:${fixtureLines.length + 1}` } }]);
    });
  });

  it("lets all three file sources share one metrics registry", async () => {
    const ingest = new FakeIngest();
    for (const { format, create } of cases) {
      const path = join(dir, `${format}.jsonl`);
      await writeFile(path, `{"from":"${format}"}\n`);
      const source = create({ path, stateDir: join(dir, "state"), pollIntervalMs: 5 }, deps(ingest));
      sources.push(source);
      await source.start();
    }
    await waitFor(() => ingest.lines.length === 3, "one line from each source");
    const linesRead = await metrics.registry.getSingleMetric("outlier_collector_tail_lines_read_total")?.get();
    expect(linesRead?.values.map((v) => [v.labels.path, v.value]).sort()).toEqual(cases.map(({ format }) => [join(dir, `${format}.jsonl`), 1]).sort());
  });
});
