import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import fs from "node:fs";
import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Children still running; killed when the test process exits so no server outlives a run. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Starts a server as a child of this process, stdout and stderr appended to logFile. */
export function spawnServer(command: string, args: string[], logFile: string): ChildProcess {
  const log = fs.openSync(logFile, "a");
  const child = spawn(command, args, { stdio: ["ignore", log, log] });
  fs.closeSync(log);
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL if the child has not exited after graceMs. */
export async function stopServer(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** What every harness server offers besides its address. */
export interface ServerControls {
  stop(): Promise<void>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * Runs `launch` (spawn, then wait until ready) and returns the controls: stop keeps the data,
 * restart launches again on it, dispose also removes `dir` when the harness made it
 * (kept when OUTLIER_KEEP_SERVERS is set).
 */
export async function runServer(launch: () => Promise<ChildProcess>, dir: { path: string; owned: boolean }): Promise<ServerControls> {
  let child = await launch();
  const stop = () => stopServer(child);
  return {
    stop,
    restart: async () => {
      await stop();
      child = await launch();
    },
    dispose: async () => {
      await stop();
      if (dir.owned && process.env.OUTLIER_KEEP_SERVERS === undefined) fs.rmSync(dir.path, { recursive: true, force: true });
    },
  };
}

/** Polls probe until it resolves, the child dies, or timeoutMs passes. */
export async function waitUntilReady(
  child: ChildProcess,
  probe: () => Promise<void>,
  opts: { name: string; logFile: string; timeoutMs: number },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw failure(`${opts.name} exited (${child.exitCode ?? child.signalCode}) during start-up`, opts.logFile);
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
      await sleep(250);
    }
  }
  await stopServer(child);
  throw failure(`${opts.name} not ready after ${opts.timeoutMs} ms: ${String(lastError)}`, opts.logFile);
}

function failure(message: string, logFile: string): Error {
  const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(-40).join("\n") : "";
  console.error(`${message}\n--- last lines of ${logFile} ---\n${tail}`);
  return new Error(`${message} (log: ${logFile})`);
}

/** A loopback port that is free right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("no port from the OS");
  return address.port;
}
