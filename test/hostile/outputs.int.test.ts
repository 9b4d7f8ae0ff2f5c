import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Finding } from "@outlier/contracts";
import type { SinkConfigOf } from "@outlier/routing";
import { afterAll, describe, expect, it } from "vitest";
import { runRoutesTest, SAMPLE_FINDING } from "../../packages/cli/src/commands/routes.ts";
import { memoryIo } from "../../packages/cli/src/test-io.ts";
import { ReplicaWindow } from "../../packages/replicas/src/window.ts";
import { secretResolver } from "../../packages/sinks/src/secrets.ts";
import { SlackSink } from "../../packages/sinks/src/slack.ts";
import { cefMessage } from "../../packages/sinks/src/syslog.ts";
import { unexpectedProcess } from "../../packages/sinks/src/testing/findings.ts";
import { delivery } from "../../packages/sinks/src/testing/sink-contract.ts";
import { startSlackReceiver } from "../../packages/sinks/src/testing/slack-receiver.ts";

/**
 * The rest of issue 10's probes: text a monitored workload controls (its name, labels, binary
 * names, arguments) reaching people and SIEMs, and the routing tree.
 */
describe("what a monitored workload controls, on its way to people", () => {
  const dir = mkdtempSync(join(tmpdir(), "outlier-hostile-outputs-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a forged workload name in a Slack post's top-level text is escaped in the body Slack receives (real HTTP)", async () => {
    const receiver = await startSlackReceiver({ webhookPath: "/services/T1/B1/hostile", token: "xoxb-hostile", channels: [] });
    try {
      const secrets = secretResolver({ env: { SLACK_URL: `${receiver.url}/services/T1/B1/hostile` } });
      const sink = new SlackSink({ kind: "slack", api_url_env: "SLACK_URL" } as SinkConfigOf<"slack">, secrets);
      await sink.deliver(delivery({ summary: "<!channel> <http://evil.example|login>: 1 unexpected process" }));
      const body = receiver.requests[0]!.body;
      expect((JSON.parse(body) as { text: string }).text).toContain("&lt;!channel&gt; &lt;http://evil.example|login&gt;");
      // Slack parses mentions and links in the top-level text and in mrkdwn, never in plain_text (the header).
      const parsed = [...body.matchAll(/"text":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
      const plain = [...body.matchAll(/"type":"plain_text","text":"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
      const parsedBySlack = parsed.filter((text) => !plain.includes(text));
      expect(parsedBySlack.length).toBeGreaterThan(3);
      expect(parsedBySlack.filter((text) => text.includes("<!channel>") || text.includes("<http://evil"))).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it("`outlier routes test` with team=~\"(a|aa)+\" against a 43-character label value answers at once", async () => {
    const routes = join(dir, "routes.yaml");
    writeFileSync(routes, 'route:\n  receiver: sec\n  routes:\n    - receiver: team\n      matchers: [\'team=~"(a|aa)+"\']\nreceivers:\n  - name: sec\n  - name: team\n');
    const finding: Finding = { ...SAMPLE_FINDING, workload: { ...SAMPLE_FINDING.workload!, labels: { team: `${"a".repeat(42)}b` } } };
    const file = join(dir, "finding.json");
    writeFileSync(file, JSON.stringify(finding));
    const io = memoryIo();
    const started = performance.now();
    expect(await runRoutesTest(file, { routes }, io)).toBe(0);
    const elapsedMs = performance.now() - started;
    console.info(`hostile: routes test with (a|aa)+ took ${Math.round(elapsedMs)} ms`);
    expect(elapsedMs).toBeLessThan(2_000);
    expect(io.out()).toContain("destinations:");
  });

  it("tab, NUL, escape, U+2028 and C1 controls in arguments do not reach a CEF line", () => {
    const finding = unexpectedProcess({ process: { binary: "/bin/sh\u0000", args: "-c\tx\u001b[2J\u2028CEF:0|forged\u0085", ancestors: [] } });
    // eslint-disable-next-line no-control-regex
    expect(cefMessage(finding)).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
  });

  it("a binary named __proto__ is kept in a replica window and its stored JSON", () => {
    const window = new ReplicaWindow();
    window.record("web-1", "sha256:a", "__proto__", "2026-03-02T10:20:30.120000000Z");
    const stored = JSON.parse(JSON.stringify(window.snapshot("2026-03-02T10:20:30.120000000Z"))) as { pods: { execs: Record<string, number> }[] };
    expect(Object.entries(stored.pods[0]!.execs)).toEqual([["__proto__", 1]]);
  });
});
