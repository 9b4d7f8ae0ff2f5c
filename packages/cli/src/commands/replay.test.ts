import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FindingSchema, type Finding } from "@outlier/contracts";
import { memoryIo } from "../test-io.ts";
import { runReplay, type ReplayCommandOptions, type RoutedFinding } from "./replay.ts";

const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const main = path.join(repoRoot, "packages/cli/src/main.ts");
const demoDir = path.join(repoRoot, "examples/demo");
const demoFiles = readdirSync(demoDir)
  .filter((f) => f.endsWith(".jsonl"))
  .sort()
  .map((f) => path.join(demoDir, f));
const routesFile = path.join(repoRoot, "examples/routes.yaml");
/** For tests that start the CLI as a child process: seconds each on a busy machine. */
const SPAWN_TIMEOUT_MS = 30_000;

function outlier(...args: string[]) {
  const run = spawnSync(process.execPath, [main, ...args], { cwd: repoRoot, encoding: "utf8" });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function replay(files: string[], options: Partial<ReplayCommandOptions> = {}) {
  const io = memoryIo();
  const code = await runReplay(files, { output: "jsonl", cluster: "demo", ...options }, io);
  const jsonl = options.output !== "table" && io.out() !== "";
  const findings = jsonl ? io.out().trimEnd().split("\n").map((line) => JSON.parse(line) as RoutedFinding) : [];
  return { code, findings, stdout: io.out(), stderr: io.err() };
}

/** Every binary in the demo input that ran as an exec probe or inside a kubectl exec session. */
function probeAndSessionBinaries(): Set<string> {
  const binaries = new Set<string>();
  for (const file of demoFiles.filter((f) => path.basename(f).startsWith("tetragon-"))) {
    for (const line of readFileSync(file, "utf8").trimEnd().split("\n")) {
      const proc = JSON.parse(line).process_exec.process;
      if (proc.pod?.container?.maybe_exec_probe === true || proc.in_init_tree === false) binaries.add(proc.binary);
    }
  }
  return binaries;
}

describe("outlier replay over the demo scenario", () => {
  let cli: ReturnType<typeof outlier>;
  let findings: Finding[];

  beforeAll(() => {
    cli = outlier("replay", "--output", "jsonl", "--cluster", "demo", ...demoFiles);
    findings = cli.stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Finding);
  }, SPAWN_TIMEOUT_MS);

  it("prints only valid Finding v1 lines on stdout and a summary on stderr, and exits 0", () => {
    expect(cli.code).toBe(0);
    for (const line of cli.stdout.trimEnd().split("\n")) expect(FindingSchema.safeParse(JSON.parse(line)).error).toBeUndefined();
    expect(cli.stderr).toContain("summary:");
    expect(cli.stderr).toContain(`findings: ${findings.length} (`);
  });

  it("flags the miner on exactly one checkout replica, once: an unexpected process its peers did not run, from a writable directory", () => {
    const unexpected = findings.filter((f) => f.type === "process.unexpected");
    expect(unexpected.map((f) => f.process?.binary)).toEqual(["/tmp/xmrig"]);
    expect(unexpected[0]).toMatchObject({ severity: "critical", workload: { namespace: "shop", kind: "Deployment", name: "checkout", labels: { team: "payments" } } });
    expect(unexpected[0]!.evidence).toMatchObject({ singleReplica: true, risk: ["runs from a world-writable or memory-backed directory"] });
    // Judged at its exec; the replica comparison does not report the same binary a second time.
    expect(findings.filter((f) => f.type === "replica.deviation")).toEqual([]);
  });

  it("reports mallory's kubectl exec once, as one session with its three processes", () => {
    const sessions = findings.filter((f) => f.type === "exec.session");
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ pod: "ledger-1", evidence: { user: { username: "mallory@example.com" }, execCount: 3 } });
    const processes = (sessions[0]!.evidence["processes"] as { binary: string }[]).map((p) => p.binary);
    expect(processes).toEqual(["/bin/sh", "/usr/bin/cat", "/usr/bin/curl"]);
    expect(findings.filter((f) => f.pod === "ledger-1" && f.type.startsWith("audit."))).toEqual([]);
  });

  it("never reports exec probes or exec-session processes as unexpected", () => {
    const noisy = probeAndSessionBinaries();
    expect(noisy.size).toBeGreaterThan(2);
    const flagged = findings.filter((f) => f.type === "process.unexpected" || f.type === "baseline.drift").map((f) => f.process?.binary);
    expect(flagged.filter((binary) => binary !== undefined && noisy.has(binary))).toEqual([]);
  });

  it("reports the new binary of frontend's new image as low-severity drift, and nothing for checkout's same-image rollout", () => {
    const drift = findings.filter((f) => f.type === "baseline.drift");
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ severity: "low", workload: { name: "frontend" }, evidence: { imageDiff: ["/usr/local/bin/precompress-assets"] } });
    const checkout = findings.filter((f) => f.workload?.name === "checkout");
    expect(checkout.every((f) => f.time >= "2026-03-02T10:20:30")).toBe(true);
  });

  it("reports the privileged pod and the cluster-admin binding from the audit log, and the Falco alerts", () => {
    expect(findings.find((f) => f.type === "audit.privileged-pod")).toMatchObject({ severity: "high", pod: "debug-shell" });
    expect(findings.find((f) => f.type === "audit.cluster-admin-binding")?.summary).toContain("mallory-admin");
    expect(findings.filter((f) => f.type.startsWith("falco.")).map((f) => f.pod)).toHaveLength(2);
  });

  it("prints the same findings, byte for byte, on a second run", () => {
    const again = outlier("replay", "--output", "jsonl", "--cluster", "demo", ...demoFiles);
    expect(again.stdout).toBe(cli.stdout);
  }, SPAWN_TIMEOUT_MS);
});

describe("outlier replay options", () => {
  it("--routes adds each finding's destinations", async () => {
    const { code, findings } = await replay(demoFiles, { routes: routesFile });
    expect(code).toBe(0);
    expect(findings.every((f) => Array.isArray(f.destinations) && f.destinations.length > 0)).toBe(true);
    const miner = findings.find((f) => f.type === "process.unexpected");
    expect(miner?.destinations).toEqual(expect.arrayContaining(["slack:#payments-oncall", "splunk_hec:soc"]));
    const drift = findings.find((f) => f.type === "baseline.drift");
    expect(drift?.destinations).not.toContain("splunk_hec:soc");
  });

  it("--output table prints one row per finding, with a destinations column when routing", async () => {
    const { code, stdout } = await replay(demoFiles, { output: "table", routes: routesFile });
    const { findings } = await replay(demoFiles);
    expect(code).toBe(0);
    expect(stdout).toMatch(/time\s+│ severity │ type/);
    expect(stdout).toContain("destinations");
    expect(stdout).not.toContain("\u001b["); // no colour when stdout is not a terminal
    for (const f of findings) expect(stdout).toContain(f.time.slice(0, 19).replace("T", " "));
  });

  it("--learning-window longer than the input keeps every baseline learning: the miner is a deviating replica at once, the new image still drift", async () => {
    const { findings } = await replay(demoFiles, { learningWindow: "2h" });
    expect(findings.filter((f) => f.type === "process.unexpected")).toEqual([]);
    const deviations = findings.filter((f) => f.type === "replica.deviation");
    expect(deviations.map((f) => [f.severity, f.process?.binary])).toEqual([["high", "/tmp/xmrig"]]);
    expect(findings.filter((f) => f.type === "baseline.drift").map((f) => [f.severity, f.process?.binary])).toEqual([["low", "/usr/local/bin/precompress-assets"]]);
  });

  it("reports a rejected line as FILE:LINE: code: message, still replays the rest, and exits 1", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "outlier-replay-"));
    const bad = path.join(dir, "bad.jsonl");
    writeFileSync(bad, '{"hello": "world"}\n\n{not json\n');
    const { code, findings, stderr } = await replay([...demoFiles, bad]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${bad}:1: unknown_format: `);
    expect(stderr).toContain(`${bad}:3: malformed_json: `);
    expect(stderr).toContain("lines skipped on purpose: 1 (empty lines, Falco's own messages; --verbose lists them)");
    expect(stderr).toContain("lines rejected: 2 (listed above as FILE:LINE: code: message)");
    expect(findings.some((f) => f.type === "process.unexpected")).toBe(true);
    const verbose = await replay([bad], { verbose: true });
    expect(verbose.stderr).toContain(`${bad}:2: skipped: `);
  });

  it("says in words what was kept out of the baselines", async () => {
    const { stderr } = await replay(demoFiles);
    expect(stderr).toMatch(/processes not judged against a baseline:\n\s+\d+ {2}exec probes \(liveness, readiness, startup\)\n/);
    expect(stderr).toMatch(/\d+ {2}processes of kubectl exec sessions \(reported once, as the session\)/);
    expect(stderr).not.toMatch(/deferred \d|no-workload \d/);
  });

  it("shows progress on a terminal (events/s and findings so far) and nothing on a pipe", async () => {
    const tty = memoryIo();
    (tty.stderr as unknown as { isTTY: boolean }).isTTY = true;
    await runReplay(demoFiles, { output: "jsonl", cluster: "demo" }, tty);
    expect(tty.err()).toContain("\r\u001b[Kdetecting: ");
    expect(tty.err()).toMatch(/detecting: [\d,]+\/[\d,]+ events \([\d,]+\/s\), \d+ findings so far/);
    const { stderr } = await replay(demoFiles);
    expect(stderr).not.toContain("detecting:");
  });

  it("exits 2 with a clear message on usage errors, before printing anything", async () => {
    const missing = await replay([...demoFiles, "no-such-file.jsonl"]);
    expect([missing.code, missing.stdout]).toEqual([2, ""]);
    expect(missing.stderr).toContain("cannot read no-such-file.jsonl: no such file");

    const duration = await replay(demoFiles, { learningWindow: "soon" });
    expect(duration.code).toBe(2);
    expect(duration.stderr).toContain('invalid --learning-window "soon"');

    const dir = mkdtempSync(path.join(tmpdir(), "outlier-routes-"));
    const routes = path.join(dir, "routes.yaml");
    writeFileSync(routes, "route:\n  receiver: nobody\nreceivers:\n  - name: soc\n    webhook_configs:\n      - url: https://example.com\n");
    const badRoutes = await replay(demoFiles, { routes });
    expect(badRoutes.code).toBe(2);
    expect(badRoutes.stderr).toContain(`${routes}:2:3: route.receiver: unknown receiver "nobody"`);

    const redis = await replay(demoFiles, { redis: "redis://127.0.0.1:1" });
    expect(redis.code).toBe(2);
    expect(redis.stderr).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1.*--redis/);
  });

  it("keeps a Tetragon exec probe (maybe_exec_probe on the pod's container) out of baselines, end to end", async () => {
    const fixture = path.join(repoRoot, "packages/normalize/test-fixtures/tetragon-exec-probe.jsonl");
    const probes = path.join(mkdtempSync(path.join(tmpdir(), "outlier-probe-")), "probe.jsonl");
    writeFileSync(probes, `${readFileSync(fixture, "utf8").split("\n")[0]}\n`); // the one line that is a probe
    const { code, findings, stderr } = await replay([probes]);
    expect(code).toBe(0);
    expect(findings).toEqual([]);
    expect(stderr).toMatch(/ 1 {2}exec probes \(liveness, readiness, startup\)/);
  });

  describe("a Falco-only cluster", () => {
    const alert = (rule: string, tags: string[], fields: Record<string, unknown>) =>
      JSON.stringify({
        hostname: "node-a",
        output: `10:00:00.000000000: Notice ${rule}`,
        priority: "Notice",
        rule,
        source: "syscall",
        tags,
        time: "2026-03-02T10:00:00.000000000Z",
        output_fields: { "k8s.ns.name": "shop", "k8s.pod.name": "web-7c9d8b6f5d-x2kqp", "container.name": "web", "k8smeta.pod.labels": "(app:web,team:payments)", ...fields },
      });
    let falcoFile: string;
    beforeAll(() => {
      falcoFile = path.join(mkdtempSync(path.join(tmpdir(), "outlier-falco-")), "falco.jsonl");
      const shell = alert("Terminal shell in container", ["container", "shell"], { "proc.exepath": "/bin/bash", "proc.cmdline": "bash -i" });
      const apiServer = alert("Contact K8S API Server From Container", ["network"], { "proc.exepath": "/usr/bin/curl", "proc.cmdline": "curl https://10.96.0.1" });
      writeFileSync(falcoFile, `${shell}\n${apiServer}\n`);
    });

    it("feeds the shell alert as a process exec, not also as a falco.* finding, and routes the other alert to the team its pod labels name", async () => {
      const { code, findings } = await replay([falcoFile], { routes: routesFile });
      expect(code).toBe(0);
      expect(findings.map((f) => f.type)).toEqual(["falco.contact-k8s-api-server-from-container"]);
      expect(findings[0]).toMatchObject({ workload: { name: "web", labels: { app: "web", team: "payments" } } });
      expect(findings[0]!.destinations).toContain("slack:#payments-oncall");
    });

    it("--falco-exec-rule names the rules that feed: the others, shell included, pass through", async () => {
      const { findings } = await replay([falcoFile], { falcoExecRule: ["Contact K8S API Server From Container"] });
      expect(findings.map((f) => f.type)).toEqual(["falco.terminal-shell-in-container"]);
    });

    it("still passes an exec alert through when it cannot feed: no container name to keep a baseline for", async () => {
      const noContainer = alert("Terminal shell in container", ["shell"], { "container.name": undefined, "proc.exepath": "/bin/bash" });
      const file = path.join(mkdtempSync(path.join(tmpdir(), "outlier-falco-")), "falco.jsonl");
      writeFileSync(file, `${noContainer}\n`);
      const { findings } = await replay([file]);
      expect(findings.map((f) => f.type)).toEqual(["falco.terminal-shell-in-container"]);
    });
  });

  it("exits 2 on an unknown output format or no file (through the real command line)", () => {
    expect(outlier("replay", "--output", "xml", demoFiles[0]!).code).toBe(2);
    expect(outlier("replay").code).toBe(2);
  }, SPAWN_TIMEOUT_MS);
});

describe("outlier replay with attacker-chosen names", () => {
  // A pod name and a user name are whatever whoever creates the pod chooses.
  const POD = "x\u001b]0;pwned\u0007\u001b[2J\u001b[8mhid\rden\nrow\u0000\u202etxt";
  const USER = "eve\u001b[8m\u009b<!channel>";
  // eslint-disable-next-line no-control-regex
  const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;

  function hostileInput(): string {
    const line = readFileSync(path.join(demoDir, "k8s-audit.jsonl"), "utf8").split("\n").find((l) => l.includes('"privileged":true'));
    const event = JSON.parse(line ?? "{}");
    event.objectRef.name = POD;
    event.requestObject.metadata.name = POD;
    event.user.username = USER;
    const dir = mkdtempSync(path.join(tmpdir(), "outlier-hostile-"));
    const file = path.join(dir, "audit.jsonl");
    // The second line is not JSON and holds raw control bytes: the rejection message must not echo them.
    writeFileSync(file, `${JSON.stringify(event)}\n{"kind":\u001b[2J\u001b]0;x\u0007\n`);
    return file;
  }

  it("--output table, the summary and rejection messages show control characters escaped", async () => {
    const { code, stdout, stderr } = await replay([hostileInput()], { output: "table" });
    expect(code).toBe(1);
    expect(stdout).toContain("audit.privileged-pod");
    expect(stdout).toContain("\\x1b]0;pwned\\x07\\x1b[2J\\x1b[8mhid\\rden\\nrow\\x00\\u{202e}txt");
    expect(stdout).not.toMatch(RAW_CONTROL);
    expect(stderr).toMatch(/:2: malformed_json: /);
    expect(stderr).not.toMatch(RAW_CONTROL);
  });
});
