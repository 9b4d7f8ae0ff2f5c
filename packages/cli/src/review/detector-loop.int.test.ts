import { describe, expect, inject, it } from "vitest";
import { DEFAULT_POLICY } from "@outlier/baseline";
import type { RuntimeEvent } from "@outlier/contracts";
import { Detector } from "@outlier/detector";
import { connectRedis, RedisBaselineStore } from "@outlier/store";
import { exec as checkoutExec } from "../../../detector/src/test-events.ts";
import { freshPrefix, outlier } from "./test-support.ts";

/** A process_exec of `binary` in pod `pod` of Deployment shop/checkout, `minutes` after the tests' epoch. */
const exec = (pod: string, binary: string, minutes: number): RuntimeEvent => checkoutExec({ pod, binary, minutes });

describe("a CLI decision reaches a running detector at once", () => {
  it("after `baseline review --approve`, the next run of the executable raises nothing", async () => {
    const redisUrl = inject("redisUrl");
    const prefix = freshPrefix();
    const store = new RedisBaselineStore(await connectRedis(redisUrl), { prefix });
    // Cooldown shorter than the gap between events: a missing finding is the decision, not a rollup.
    const detector = new Detector({ store }, { policy: { ...DEFAULT_POLICY, learningWindowMs: 10 * 60_000 }, cooldownMs: 1000 });
    const invalidated: string[] = [];
    const unsubscribe = await store.subscribe((key) => {
      invalidated.push(key);
      detector.invalidate(key);
    });
    const unexpected = async (event: RuntimeEvent) => (await detector.process([event])).filter((f) => f.type === "process.unexpected");

    // Learn for ten minutes on three replicas; the baseline locks itself at the end.
    for (const [minute, pod] of [[0, "p-1"], [1, "p-2"], [2, "p-3"]] as const) await detector.process([exec(pod, "/bin/app", minute)]);
    expect(await unexpected(exec("p-1", "/bin/app", 11))).toEqual([]);
    expect((await store.load({ cluster: "c1", namespace: "shop", kind: "Deployment", name: "checkout", container: "app" }))?.baseline.state).toBe("locked");

    const first = await unexpected(exec("p-1", "/usr/bin/nc", 12));
    expect(first.map((f) => f.process?.binary)).toEqual(["/usr/bin/nc"]);
    // Still pending: it alerts again (the cooldown is over), so silence later is the approval's doing.
    expect(await unexpected(exec("p-2", "/usr/bin/nc", 13))).toHaveLength(1);

    const run = await outlier(["baseline", "review", "shop/Deployment/checkout", "--approve", "/usr/bin/nc", "--redis", redisUrl, "--prefix", prefix]);
    expect(run.code).toBe(0);
    await expect.poll(() => invalidated).toEqual(["c1/shop/Deployment/checkout|app"]);

    expect(await unexpected(exec("p-3", "/usr/bin/nc", 14))).toEqual([]);
    await unsubscribe();
    await store.close();
  });
});
