import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AuditEventSchema, RuntimeEventSchema } from "@outlier/contracts";
import { memoryIo } from "../test-io.ts";
import { runNormalize } from "./normalize.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const main = path.join(repoRoot, "packages/cli/src/main.ts");
const fixture = (name: string) => path.join(repoRoot, "packages/cli/test-fixtures", name);

function outlier(...args: string[]) {
  const run = spawnSync(process.execPath, [main, ...args], { cwd: repoRoot, encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("outlier normalize", () => {
  it("prints valid v1 events as JSON lines, counts skips, and exits 0", () => {
    const { code, stdout, stderr } = outlier("normalize", "--cluster", "lab", fixture("mixed.jsonl"));
    expect(code).toBe(0);
    const events = stdout.trim().split("\n").map((line) => JSON.parse(line) as { schema: string; cluster: string; type?: string });
    expect(events.map((e) => e.type ?? e.schema)).toEqual(["process_exec", "process_exec", "outlier.audit.v1", "outlier.audit.v1"]);
    for (const event of events) {
      const schema = event.schema === "outlier.audit.v1" ? AuditEventSchema : RuntimeEventSchema;
      expect(schema.safeParse(event).error).toBeUndefined();
      expect(event.cluster).toBe("lab");
    }
    expect(stderr).toContain("event process_exec: 2");
    expect(stderr).toContain("event audit: 2");
    expect(stderr).toContain("skipped empty_line: 1");
    expect(stderr).toContain("skipped falco_internal: 1");
  });

  it("keeps Falco's nanosecond evt.time exactly when the alert has no time", () => {
    const falco = outlier("normalize", fixture("mixed.jsonl")).stdout.split("\n").find((l) => l.includes('"source":"falco"'));
    expect(JSON.parse(falco ?? "{}").time).toBe("2024-07-01T12:00:03.500000001Z");
  });

  it("reports a rejected line as FILE:LINE: code: message and exits 1", () => {
    const file = fixture("with-bad-line.jsonl");
    const { code, stdout, stderr } = outlier("normalize", file);
    expect(code).toBe(1);
    expect(stdout.trim().split("\n")).toHaveLength(2);
    expect(stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: malformed_json: `, "m"));
    expect(stderr).toContain("rejected malformed_json: 1");
  });

  it("rejects lines that do not fit a forced --source", () => {
    const { code, stderr } = outlier("normalize", "--source", "falco", fixture("with-bad-line.jsonl"));
    expect(code).toBe(1);
    expect(stderr).toContain(":1: missing_field: rule is missing");
  });

  it("exits 2 with a clear message for a missing file or a bad option", () => {
    const missing = outlier("normalize", fixture("mixed.jsonl"), "no-such-file.jsonl");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read no-such-file.jsonl: no such file");
    expect(missing.stdout).toBe("");
    expect(outlier("normalize", "--output", "xml", fixture("mixed.jsonl")).code).toBe(2);
    expect(outlier("normalize").code).toBe(2);
  });

  it("prints the example as a table and exits 0 (what `pnpm start` runs)", () => {
    const { code, stdout } = outlier("normalize", "examples/sample-events.jsonl", "--output", "table");
    expect(code).toBe(0);
    expect(stdout).toMatch(/time\s+│ source\s+│ type\s+│ namespace\/workload/);
    const rows = stdout.split("\n").filter((l) => l.includes("shop/Deployment/checkout"));
    expect(rows.some((r) => r.includes("checkout-5d8f7c9b6d-k2x7q"))).toBe(true);
    expect(rows.some((r) => r.includes("checkout-5d8f7c9b6d-z9wqp"))).toBe(true);
    expect(stdout).toContain("jane@acme.example create pods/exec");
  });

  it("explains formats and exit codes in --help", () => {
    const { code, stdout } = outlier("normalize", "--help");
    expect(code).toBe(0);
    expect(stdout).toContain("Exit codes:");
    expect(stdout).toContain("tetragon");
    expect(stdout).toContain("$ outlier normalize");
  });
});

describe("outlier normalize on hostile input", () => {
  // eslint-disable-next-line no-control-regex
  const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;
  const tmpFile = (name: string, content: string | Buffer) => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "outlier-normalize-")), name);
    writeFileSync(file, content);
    return file;
  };
  const normalize = async (file: string, output: "jsonl" | "table" = "table") => {
    const io = memoryIo();
    const code = await runNormalize([file], { output, cluster: "lab" }, io);
    return { code, stdout: io.out(), stderr: io.err() };
  };

  const firstBytes = (file: string, n: number) => {
    const fd = openSync(file, "r");
    const buffer = Buffer.alloc(n);
    readSync(fd, buffer, 0, n, 0);
    closeSync(fd);
    return buffer;
  };

  it("stops at once on a binary file (an executable, random bytes) instead of echoing control bytes", async () => {
    for (const file of [tmpFile("node.jsonl", firstBytes(process.execPath, 4096)), tmpFile("random.jsonl", randomBytes(8192))]) {
      const { code, stdout, stderr } = await normalize(file);
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toBe(`outlier normalize: ${file}: this does not look like JSON lines (NUL or control bytes in its first KiB); nothing read\n`);
    }
  });

  it("still reads a text file with one stray control byte, rejecting that line with the byte escaped", async () => {
    const good = readFileSync(fixture("mixed.jsonl"), "utf8");
    const { code, stdout, stderr } = await normalize(tmpFile("one-bad.jsonl", `{"kind":\u001b]0;pwned\u0007\n${good}`), "jsonl");
    expect(code).toBe(1);
    expect(stdout.trim().split("\n")).toHaveLength(4);
    expect(stderr).toMatch(/:1: malformed_json: /);
    expect(stderr).not.toMatch(RAW_CONTROL);
  });

  it("--output table shows a hostile binary, arguments and pod name escaped", async () => {
    const line = readFileSync(fixture("mixed.jsonl"), "utf8").split("\n").find((l) => l.includes("process_exec")) ?? "{}";
    const event = JSON.parse(line);
    event.process_exec.process.binary = "/tmp/\u001b[8mhidden";
    event.process_exec.process.arguments = "\u001b]0;pwned\u0007 \u001b[2J\rx\u202etxt.sh";
    if (event.process_exec.process.pod) event.process_exec.process.pod.name = "web\nforged row";
    const { code, stdout } = await normalize(tmpFile("hostile.jsonl", `${JSON.stringify(event)}\n`));
    expect(code).toBe(0);
    expect(stdout).toContain("/tmp/\\x1b[8mhidden");
    expect(stdout).toContain("\\x1b]0;pwned\\x07");
    expect(stdout).not.toMatch(RAW_CONTROL);
  });
});
