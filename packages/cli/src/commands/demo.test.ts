import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { memoryIo } from "../test-io.ts";
import { commandHints } from "../hints.ts";
import { DEMO_DIR, nextCommands, runDemo } from "./demo.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../../..");
/** For tests that start a child process: seconds each on a busy machine. */
const SPAWN_TIMEOUT_MS = 30_000;

function countLines(pattern: string): number {
  return readdirSync(DEMO_DIR)
    .filter((f) => f.endsWith(".jsonl"))
    .flatMap((f) => readFileSync(path.join(DEMO_DIR, f), "utf8").split("\n"))
    .filter((line) => line.includes(pattern)).length;
}

describe("scripts/generate-demo.ts", () => {
  it("regenerates examples/demo byte for byte", () => {
    const out = mkdtempSync(path.join(tmpdir(), "outlier-demo-"));
    const run = spawnSync(process.execPath, [path.join(repoRoot, "scripts/generate-demo.ts"), out], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    const committed = readdirSync(DEMO_DIR).sort();
    expect(readdirSync(out).sort()).toEqual(committed);
    for (const file of committed) {
      expect(readFileSync(path.join(out, file)).equals(readFileSync(path.join(DEMO_DIR, file))), `${file} differs from the generator's output`).toBe(true);
    }
  }, SPAWN_TIMEOUT_MS);
});

describe("outlier demo", () => {
  let code: number;
  let out: string;

  beforeAll(async () => {
    const io = memoryIo();
    code = await runDemo(io);
    out = io.out();
  });

  it("explains what it replays and counts the input by source", () => {
    expect(code).toBe(0);
    expect(out).toContain("Outlier demo");
    expect(out).toMatch(/events\s+[\d,]+: .*tetragon [\d,]+/);
    expect(out).toContain(`falco ${countLines('"rule":')}`);
    expect(out).toContain(`audit ${countLines('"auditID":')}`);
  });

  it("lists each workload's baseline with its state, and the binaries left for review", () => {
    for (const workload of ["shop/Deployment/checkout", "shop/Deployment/frontend", "bank/StatefulSet/ledger", "monitoring/DaemonSet/node-exporter", "bank/Job/nightly-report"]) {
      expect(out).toMatch(new RegExp(`${workload} \\(\\S+\\)\\s+(locked|learning)`));
    }
    expect(out).toMatch(/shop\/Deployment\/checkout \(checkout\)\s+locked.*to review: \/tmp\/xmrig/);
    // Counted as the findings count them: "with 6 entries" there, "6 entries: 5 learned, 1 pending" here.
    expect(out).toMatch(/checkout \(checkout\)\s+locked\s+at \S+ {2}6 entries: 5 learned, 1 pending/);
    expect(out).toContain("with 6 entries");
  });

  it("counts every exec probe of the input as noise, and the exec session's processes", () => {
    expect(out).toMatch(new RegExp(`exec probes \\(liveness/readiness\\)\\s+${countLines('"maybe_exec_probe":true')}\\n`));
    expect(out).toMatch(/processes of kubectl exec sessions\s+3 /);
  });

  it("groups the findings by severity, most severe first, with evidence", () => {
    const order = ["CRITICAL", "HIGH", "MEDIUM", "LOW"].map((s) => out.indexOf(`  ${s}\n`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const critical = out.slice(order[0], order[1]);
    expect(critical).toContain("process.unexpected  shop/Deployment/checkout");
    expect(critical).toContain("· ran on 1 of 3 live replicas");
    // Why it is worth waking up for, and what to do.
    expect(critical).toContain("· risk: runs from a world-writable or memory-backed directory");
    expect(critical).toContain("· to do: look at the pod; approve the binary if it belongs");
    expect(out).toContain("· ran: /bin/sh | /usr/bin/cat /etc/shadow | /usr/bin/curl");
    // mallory read /etc/shadow and uploaded it: a high session, saying which processes made it so.
    const high = out.slice(order[1], order[2]);
    expect(high).toContain("exec.session  bank/StatefulSet/ledger  ledger-1");
    expect(high).toContain("· high: reads the password hashes (/etc/shadow) — /usr/bin/cat /etc/shadow");
    expect(high).toContain("· to do: Ask the user why, now.");
    expect(out).toContain("outlier replay -o jsonl examples/demo/*.jsonl");
    expect(out).toMatch(/audit\.privileged-pod {2}bank\/- {2}debug-shell\n/); // the namespace, when there is no workload
    expect(out).not.toContain("\u001b["); // plain when not on a terminal
  });

  it("runs from any working directory (pnpm start)", () => {
    const run = spawnSync(process.execPath, [path.join(repoRoot, "packages/cli/src/main.ts"), "demo"], { cwd: tmpdir(), encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("Findings: ");
    expect(run.stdout).toContain("  CRITICAL\n");
  }, SPAWN_TIMEOUT_MS);
});

describe("the demo's Next hints", () => {
  // As a person who ran scripts/dev start from docs/ would paste them. The Redis one needs a
  // server: the review-loop integration tests cover --redis.
  const from = path.join(repoRoot, "docs");
  const hints = nextCommands(commandHints({ OUTLIER_VIA_DEV_SCRIPT: "1", OUTLIER_INVOKED_FROM: from })).filter((h) => !h.command.includes("--redis"));

  it.each(hints)("$command works as printed", ({ command }) => {
    expect(command.startsWith("../scripts/dev outlier ")).toBe(true);
    const run = spawnSync("bash", ["-c", command], { cwd: from, encoding: "utf8", env: { ...process.env, OUTLIER_INVOKED_FROM: undefined } });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/process\.unexpected/);
  }, SPAWN_TIMEOUT_MS);
});


describe("outlier demo with attacker-chosen names", () => {
  it("shows a hostile pod and user name escaped in the findings and their evidence", async () => {
    const line = readFileSync(path.join(DEMO_DIR, "k8s-audit.jsonl"), "utf8").split("\n").find((l) => l.includes('"privileged":true'));
    const event = JSON.parse(line ?? "{}");
    const pod = "x\u001b]0;pwned\u0007\u001b[2J\nforged";
    event.objectRef.name = pod;
    event.requestObject.metadata.name = pod;
    event.user.username = "eve\u001b[8m\u202e";
    const dir = mkdtempSync(path.join(tmpdir(), "outlier-demo-hostile-"));
    writeFileSync(path.join(dir, "audit.jsonl"), `${JSON.stringify(event)}\n`);
    const io = memoryIo();
    expect(await runDemo(io, dir, commandHints())).toBe(0);
    expect(io.out()).toContain("x\\x1b]0;pwned\\x07\\x1b[2J\\nforged");
    expect(io.out()).toContain("by eve\\x1b[8m\\u{202e}");
    // eslint-disable-next-line no-control-regex
    expect(io.out()).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });
});
