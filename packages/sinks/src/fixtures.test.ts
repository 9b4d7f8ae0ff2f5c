import { existsSync, readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Finding, RuntimeEvent } from "@outlier/contracts";
import { normalizeLine } from "@outlier/normalize";
import { describe, expect, it } from "vitest";
import { ecsDocument } from "./elasticsearch.ts";
import { ocsfDetectionFinding } from "./ocsf.ts";
import { slackPayload } from "./slack.ts";
import { cefMessage, octetCounted, syslogMessage } from "./syslog.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const fixtures = path.resolve(repoRoot, "../shared/fixtures");
const present = existsSync(fixtures);

/** Every process exec with a pod in the real Tetragon and Falco samples, normalized. */
function execEvents(): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  for (const source of ["tetragon", "falco"] as const) {
    const dir = path.join(fixtures, source);
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".jsonl"))) {
      for (const line of readFileSync(path.join(dir, file), "utf8").split("\n")) {
        const result = normalizeLine(line, { source, cluster: "fixtures" });
        if (result.ok !== true) continue;
        for (const event of result.events) {
          if (event.schema === "outlier.runtime.v1" && event.process && event.pod) events.push(event);
        }
      }
    }
  }
  return events;
}

/** The finding a detector would raise for the event (the sinks only read these fields). */
function findingOf(event: RuntimeEvent): Finding {
  return {
    schema: "outlier.finding.v1",
    id: `f-${event.id}`,
    type: "process.unexpected",
    severity: "high",
    time: event.time,
    cluster: event.cluster,
    summary: `Unexpected process ${event.process!.binary} in ${event.pod!.namespace}/${event.pod!.name}`,
    workload: { kind: event.workload?.kind ?? "Pod", name: event.workload?.name ?? event.pod!.name, namespace: event.pod!.namespace, labels: event.pod!.labels, annotations: {} },
    pod: event.pod!.name,
    container: event.pod!.container?.name,
    node: event.node,
    process: event.process,
    evidence: { eventId: event.id },
    dedupKey: `fixture|${event.id}`,
  };
}

/** CEF extension values, unescaped. */
function cefExtension(cef: string): Record<string, string> {
  const ext = cef.split(/(?<!\\)\|/).slice(7).join("|");
  const fields: Record<string, string> = {};
  for (const m of ext.matchAll(/(\w+)=((?:[^\\=]|\\.)*?)(?= \w+=|$)/g)) fields[m[1]!] = m[2]!.replace(/\\n/g, "\n").replace(/\\r/g, "\r").replace(/\\(.)/g, "$1");
  return fields;
}

describe.skipIf(!present)(`sink payloads for real exec events (${present ? fixtures : "absent: ../shared/fixtures not found, suite skipped"})`, () => {
  const findings = present ? execEvents().map(findingOf) : [];

  it("has real samples to work on", () => {
    expect(findings.length).toBeGreaterThan(20);
  });

  it("CEF keeps every command line intact through escaping, in one header of 8 fields", () => {
    for (const finding of findings) {
      const cef = cefMessage(finding);
      expect(cef.split(/(?<!\\)\|/).length).toBeGreaterThanOrEqual(8);
      expect(cef).not.toMatch(/[\r\n]/);
      const fields = cefExtension(cef);
      expect(fields.cs6).toBe(finding.process!.args ? `${finding.process!.binary} ${finding.process!.args}` : finding.process!.binary);
      expect(fields.externalId).toBe(finding.id);
    }
  });

  it("RFC 5424 frames count their bytes, and timestamps keep six fractional digits", () => {
    for (const finding of findings) {
      const message = syslogMessage(cefMessage(finding), finding, "alerter");
      const frame = octetCounted(message);
      const space = frame.indexOf(" ");
      expect(Number(frame.subarray(0, space).toString())).toBe(frame.length - space - 1);
      expect(message).toMatch(/^<\d+>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z /);
    }
  });

  it("Slack messages stay within Block Kit limits", () => {
    const message = slackPayload({ findings, summary: "fixtures", groupKey: "g", receiver: "r" });
    const blocks = message.attachments[0]!.blocks;
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const block of blocks) {
      if (block.type === "header") expect(block.text.text.length).toBeLessThanOrEqual(150);
      if (block.type === "section") {
        expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
        expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
      }
    }
  });

  it("ECS and OCSF carry each process's executable and a valid time", () => {
    for (const finding of findings) {
      const ecs = ecsDocument(finding);
      expect(ecs.process?.executable).toBe(finding.process!.binary);
      expect(Number.isNaN(Date.parse(ecs["@timestamp"]))).toBe(false);
      const ocsf = ocsfDetectionFinding(finding);
      expect(ocsf.evidences[0]?.process?.file.path).toBe(finding.process!.binary);
      expect(Number.isInteger(ocsf.time)).toBe(true);
    }
  });
});
