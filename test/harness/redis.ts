import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { freePort, runServer, spawnServer, waitUntilReady } from "./process.ts";

export interface RedisServer {
  url: string;
  /** Folder holding the append-only file and redis.log. */
  dir: string;
  logFile: string;
  /** SIGTERM (redis flushes the AOF), then SIGKILL after 10 s. Data is kept for restart(). */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same port and dir: keys survive via the AOF. */
  restart(): Promise<void>;
  /** Stops and deletes the folder (kept when OUTLIER_KEEP_SERVERS is set). */
  dispose(): Promise<void>;
}

/** The binary: REDIS_SERVER when set, else redis-server from PATH (Debian's package). */
const redisBinary = process.env.REDIS_SERVER ?? "redis-server";

/** Starts redis-server as our child (not daemonized, so it cannot outlive the run) on a free port. */
export async function startRedis(opts: { port?: number; dataDir?: string } = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort());
  const ownsDir = opts.dataDir === undefined;
  const dir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "outlier-redis-"));
  fs.mkdirSync(dir, { recursive: true });
  const logFile = path.join(dir, "redis.log");
  const url = `redis://127.0.0.1:${port}`;
  const args = [
    "--port", String(port), "--bind", "127.0.0.1",
    "--save", "", "--appendonly", "yes", "--dir", dir, "--daemonize", "no",
  ];

  const controls = await runServer(
    async () => {
      const child = spawnServer(redisBinary, args, logFile);
      await waitUntilReady(child, () => ping(url), { name: `redis-server on ${port}`, logFile, timeoutMs: 20_000 });
      return child;
    },
    { path: dir, owned: ownsDir },
  );
  return { url, dir, logFile, ...controls };
}

async function ping(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => undefined); // a refused connection is the expected answer until the server is up
  try {
    await client.connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}
