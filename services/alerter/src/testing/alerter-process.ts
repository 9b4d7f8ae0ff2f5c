import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { stringify } from "yaml";

const MAIN = resolve(import.meta.dirname, "../main.ts");

/**
 * The alerter as operators run it: `node main.ts --config FILE` in its own process, with
 * the environment given (secrets included). Every line it writes is kept, so tests can
 * read its logs, and it can be killed mid-stream.
 */
export class AlerterProcess {
  /** stdout and stderr lines, in arrival order. */
  readonly lines: string[];
  readonly #child: ChildProcess;
  readonly exited: Promise<number | null>;

  private constructor(child: ChildProcess, lines: string[]) {
    this.#child = child;
    this.lines = lines;
    this.exited = new Promise((done) => child.on("exit", (code) => done(code)));
    for (const stream of [child.stdout, child.stderr]) {
      let rest = "";
      stream?.setEncoding("utf8").on("data", (chunk: string) => {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        lines.push(...parts.filter((l) => l !== ""));
      });
    }
  }

  /** Writes `config` as YAML into `dir` and starts the alerter on it; resolves once it consumes. */
  static async start(dir: string, config: object, env: Record<string, string>, lines: string[] = []): Promise<AlerterProcess> {
    const file = join(dir, `alerter-${Date.now()}.yaml`);
    writeFileSync(file, stringify(config));
    const child = spawn(process.execPath, [MAIN, "--config", file], { env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const alerter = new AlerterProcess(child, lines);
    await alerter.waitForLog(/"msg":"alerter started"/, 60_000);
    return alerter;
  }

  /** Resolves when a line matches; rejects if the process exits or time runs out first. */
  async waitForLog(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l));
      if (line) return line;
      if (exited) throw new Error(`alerter exited before logging ${pattern}:\n${this.lines.slice(-20).join("\n")}`);
      if (Date.now() > deadline) throw new Error(`alerter did not log ${pattern} in ${timeoutMs} ms:\n${this.lines.slice(-20).join("\n")}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGKILL: no shutdown at all, as when the node dies. */
  async kill(): Promise<void> {
    this.#child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM: the graceful shutdown. */
  async stop(): Promise<number | null> {
    if (this.#child.exitCode === null) this.#child.kill("SIGTERM");
    return this.exited;
  }
}
