import { describe, expect, inject, it } from "vitest";
import { entry, freshPrefix, id, outlier, seed } from "../review/test-support.ts";
import type { BaselineRow } from "./baselines.ts";

describe("outlier baselines (against a real redis-server)", () => {
  it("lists one row per baseline and filters by namespace, labels, state and pending", async () => {
    const redisUrl = inject("redisUrl");
    const prefix = freshPrefix();
    await seed(redisUrl, prefix, [
      { id: id("checkout"), locked: true, entries: [entry("/bin/sh"), entry("/usr/bin/nc", "pending")], labels: { app: "checkout", team: "pay" } },
      { id: id("checkout", "sidecar"), entries: [entry("/envoy")], labels: { app: "checkout", team: "pay" } },
      { id: id("ledger", "app", "bank"), entries: [entry("/bin/sh")], labels: { app: "ledger", team: "core" } },
    ]);
    const list = async (...args: string[]) => {
      const run = await outlier(["baselines", "-o", "json", ...args, "--redis", redisUrl, "--prefix", prefix]);
      expect(run.code).toBe(0);
      return (JSON.parse(run.stdout) as BaselineRow[]).map((r) => `${r.workload} ${r.container}`);
    };
    expect(await list()).toEqual(["bank/Deployment/ledger app", "shop/Deployment/checkout app", "shop/Deployment/checkout sidecar"]);
    expect(await list("-n", "bank")).toEqual(["bank/Deployment/ledger app"]);
    expect(await list("-l", "team!=core")).toEqual(["shop/Deployment/checkout app", "shop/Deployment/checkout sidecar"]);
    expect(await list("--state", "learning", "-l", "team=pay")).toEqual(["shop/Deployment/checkout sidecar"]);
    expect(await list("--pending")).toEqual(["shop/Deployment/checkout app"]);

    const table = await outlier(["baselines", "--redis", redisUrl, "--prefix", prefix]);
    expect(table.stdout).toMatch(/shop\/Deployment\/checkout\s+│ app\s+│ locked\s+│ 2\s+│ 1\s+│ 2026-01-01 00:00:00Z/);
    const yaml = await outlier(["baselines", "-o", "yaml", "-n", "bank", "--redis", redisUrl, "--prefix", prefix]);
    expect(yaml.stdout).toContain("- cluster: c1\n  workload: bank/Deployment/ledger\n");
    const bad = await outlier(["baselines", "-l", "team in (a,b)", "--redis", redisUrl, "--prefix", prefix]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("invalid label selector");
  });
});
