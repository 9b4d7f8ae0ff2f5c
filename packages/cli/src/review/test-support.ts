import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { DEFAULT_POLICY, lock, newBaseline, type BaselineEntry, type BaselineId, type EntryStatus } from "@outlier/baseline";
import { connectRedis, RedisBaselineStore, RedisLabelIndex } from "@outlier/store";

/** Helpers for the review commands' tests: a real CLI process against a real Redis. */

export const repoRoot = path.resolve(import.meta.dirname, "../../../..");
const main = path.join(repoRoot, "packages/cli/src/main.ts");
export const T0 = "2026-01-01T00:00:00.000000000Z";

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `outlier ARGS…` with stdin closed (not a terminal), as a script or CI job would. */
export function outlier(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [main, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1", ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

/** A fresh key prefix, so tests share one redis-server without seeing each other. */
export function freshPrefix(): string {
  return `t${randomUUID().slice(0, 8)}:`;
}

export function id(name: string, container = "app", namespace = "shop"): BaselineId {
  return { cluster: "c1", namespace, kind: "Deployment", name, container };
}

export function entry(binary: string, status: EntryStatus = "learned", extra: Partial<BaselineEntry> = {}): BaselineEntry {
  return { binary, status, count: 3, firstSeen: T0, lastSeen: T0, parents: ["/bin/sh"], sampleArgs: [`${binary} --x`], users: ["0"], replicas: ["p-1", "p-2"], ...extra };
}

export interface SeedBaseline {
  id: BaselineId;
  locked?: boolean;
  entries: BaselineEntry[];
  labels?: Record<string, string>;
}

/** Writes baselines (and workload labels) the way the detector does. */
export async function seed(redisUrl: string, prefix: string, baselines: SeedBaseline[]): Promise<void> {
  const client = await connectRedis(redisUrl);
  const store = new RedisBaselineStore(client, { prefix });
  const labels = new RedisLabelIndex(client, { prefix });
  for (const b of baselines) {
    const fresh = { ...newBaseline(b.id, T0, DEFAULT_POLICY), entryCount: b.entries.length };
    await store.write([{ id: b.id, baseline: b.locked ? lock(fresh, T0) : fresh, upsert: b.entries }]);
    if (b.labels) await labels.setLabels(b.id, b.labels);
  }
  await store.close();
}

/** Opens the store the CLI wrote to, to check what it did. */
export async function openStore(redisUrl: string, prefix: string): Promise<RedisBaselineStore> {
  return new RedisBaselineStore(await connectRedis(redisUrl), { prefix });
}

/** Strips ANSI colours and cursor codes from terminal output. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
}
