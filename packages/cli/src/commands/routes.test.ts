import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Finding } from "@outlier/contracts";
import { destinationsFor, loadRoutes } from "@outlier/routing";
import { memoryIo } from "../test-io.ts";
import { runRoutesTest, SAMPLE_FINDING } from "./routes.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const routes = path.join(repoRoot, "examples/routes.yaml");
const config = loadRoutes(readFileSync(routes, "utf8"), { fileName: routes });

function tempFile(name: string, text: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "outlier-routes-test-")), name);
  writeFileSync(file, text);
  return file;
}

async function routesTest(findingFile: string | undefined, routesFile = routes) {
  const io = memoryIo();
  const code = await runRoutesTest(findingFile, { routes: routesFile }, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

const lowInSandbox: Finding = {
  ...SAMPLE_FINDING,
  id: "low-1",
  type: "baseline.drift",
  severity: "low",
  workload: { kind: "Deployment", name: "web", namespace: "prod-eu", labels: { app: "web" }, annotations: {} },
};

describe("outlier routes test", () => {
  it("routes a built-in sample finding when given none, and says so", async () => {
    const { code, stdout } = await routesTest(undefined);
    expect(code).toBe(0);
    expect(stdout).toContain("built-in sample finding");
    expect(stdout).toContain(`destinations: ${destinationsFor(config, SAMPLE_FINDING).join(", ")}`);
    expect(stdout).toContain('team="payments" ✓ (is "payments")');
    expect(stdout).toContain("slack:#payments-oncall");
  });

  it("explains a finding from a JSON file: the routes tried and the receivers reached", async () => {
    const { code, stdout } = await routesTest(tempFile("finding.json", JSON.stringify(lowInSandbox, null, 2)));
    expect(code).toBe(0);
    expect(stdout).not.toContain("built-in sample");
    expect(stdout).toContain("finding low-1: baseline.drift (low)");
    expect(stdout).toContain("min_severity: high ✗");
    expect(stdout).toContain(`destinations: ${destinationsFor(config, lowInSandbox).join(", ")}`);
  });

  it("explains each finding of a JSON-lines file, as replay prints them", async () => {
    const routed = { ...SAMPLE_FINDING, destinations: ["slack:#x"] };
    const { code, stdout } = await routesTest(tempFile("findings.jsonl", `${JSON.stringify(routed)}\n\n${JSON.stringify(lowInSandbox)}\n`));
    expect(code).toBe(0);
    expect(stdout.match(/^finding /gm)).toHaveLength(2);
  });

  it("routes with a file whose receivers name no secret location yet, and says which could not send", async () => {
    const file = tempFile("routes.yaml", 'route:\n  receiver: team\nreceivers:\n  - name: team\n    slack_configs:\n      - channel: "#payments"\n');
    const { code, stdout } = await routesTest(undefined, file);
    expect(code).toBe(0);
    expect(stdout).toContain("team via route; group {");
    expect(stdout).toContain("could not send: no secret location");
    expect(stdout).toContain("destinations: slack:#payments");
    expect(stdout).toContain("not checked: team name no secret location; the alerter refuses the file until they do");
  });

  it("shows a hostile finding's names and labels escaped, its header on one line", async () => {
    const hostile: Finding = {
      ...lowInSandbox,
      id: "evil\u001b]0;pwned\u0007",
      workload: { kind: "Deployment", name: "web\nforged: line", namespace: "prod-eu", labels: { app: "web\u009b\u202e" }, annotations: {} },
    };
    const { code, stdout } = await routesTest(tempFile("finding.json", JSON.stringify(hostile)));
    expect(code).toBe(0);
    expect(stdout).toContain("finding evil\\x1b]0;pwned\\x07: baseline.drift (low)");
    expect(stdout).toContain("web\\nforged: line");
    expect(stdout).not.toMatch(/^forged/m);
    // eslint-disable-next-line no-control-regex
    expect(stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it("exits 2 with FILE:LINE:COL problems for a bad routing file", async () => {
    const bad = tempFile("routes.yaml", "route:\n  receiver: soc\n  routes:\n    - matchers: ['team']\nreceivers:\n  - name: soc\n");
    const { code, stdout, stderr } = await routesTest(undefined, bad);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`${bad}:4:18: route.routes[0].matchers[0]: bad matcher`);
  });

  it("exits 2 naming the line of a finding that is not JSON or not a Finding v1", async () => {
    const notJson = await routesTest(tempFile("f.jsonl", `${JSON.stringify(SAMPLE_FINDING)}\n{oops\n`));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/f\.jsonl:2: not JSON: /);
    const notFinding = await routesTest(tempFile("f.json", JSON.stringify({ ...SAMPLE_FINDING, severity: "urgent" })));
    expect(notFinding.code).toBe(2);
    expect(notFinding.stderr).toMatch(/f\.json:1: not a Finding v1: severity: /);
    const missing = await routesTest("no-such-finding.json");
    expect([missing.code, missing.stderr]).toEqual([2, "outlier routes test: cannot read no-such-finding.json: no such file\n"]);
  });

  it("exits 2 without --routes (through the real command line)", () => {
    const run = spawnSync(process.execPath, [path.join(repoRoot, "packages/cli/src/main.ts"), "routes", "test"], { cwd: repoRoot, encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("--routes");
  }, 30_000);
});
