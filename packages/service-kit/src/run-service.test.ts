import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const RUN_SERVICE = join(import.meta.dirname, "run-service.ts");

/** Runs a service main whose load and start are given as JS source, as its own process. */
function runMain(load: string, start: string, args: string[] = []) {
  const script = `
    import { ConfigError } from ${JSON.stringify(join(import.meta.dirname, "config.ts"))};
    import { runService } from ${JSON.stringify(RUN_SERVICE)};
    class UsageError extends Error {}
    await runService({
      name: "test", envPrefix: "OUTLIER_TEST",
      load: (file) => { ${load} },
      start: async ({ config, logger }) => { ${start} },
      usageError: { is: (e) => e instanceof UsageError, message: "fix it" },
    });`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script, "--", ...args], {
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", OUTLIER_TEST_CONFIG: "from-env.yaml" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("runService", () => {
  it("loads the file named by --config, else <PREFIX>_CONFIG, and starts with a named logger", () => {
    const start = `logger.info({ file: config.file }, "started"); process.exit(0);`;
    const fromEnv = runMain(`return { logLevel: "info", file };`, start);
    expect(fromEnv.code).toBe(0);
    expect(JSON.parse(fromEnv.stdout)).toMatchObject({ name: "outlier-test", file: "from-env.yaml", msg: "started" });
    expect(JSON.parse(runMain(`return { logLevel: "info", file };`, start, ["--config", "given.yaml"]).stdout)).toMatchObject({ file: "given.yaml" });
  });

  it("exits 2 with the problems on stderr for a bad configuration", () => {
    const result = runMain(`throw new ConfigError(["kafka.brokers: too small"]);`, "");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("kafka.brokers: too small");
  });

  it("logs a start-up failure as fatal: exit 2 for the operator's mistakes, 1 otherwise", () => {
    const usage = runMain(`return { logLevel: "info" };`, `throw new UsageError("no such secret");`);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toMatchObject({ level: 60, msg: "cannot start: fix it", err: { message: "no such secret" } });
    const other = runMain(`return { logLevel: "info" };`, `throw new Error("ECONNREFUSED");`);
    expect(other.code).toBe(1);
    expect(JSON.parse(other.stdout)).toMatchObject({ level: 60, msg: "cannot start", err: { message: "ECONNREFUSED" } });
  });
});
