import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { parse as parseYaml, parseAllDocuments } from "yaml";
import type { ChangeResult } from "../review/changes.ts";
import { entry, freshPrefix, id, openStore, outlier, seed, type Run } from "../review/test-support.ts";

const redisUrl = () => inject("redisUrl");

describe("outlier baseline (against a real redis-server)", () => {
  let prefix: string;
  const cli = (...args: string[]): Promise<Run> => outlier([...args, "--redis", redisUrl(), "--prefix", prefix]);

  beforeEach(async () => {
    prefix = freshPrefix();
    await seed(redisUrl(), prefix, [
      { id: id("checkout"), locked: true, entries: [entry("/bin/sh"), entry("/usr/bin/nc", "pending", { pendingReason: "after-lock", replicas: ["p-1"] }), entry("/usr/bin/curl", "pending", { pendingReason: "after-lock" })], labels: { app: "checkout", team: "pay" } },
      { id: id("checkout", "sidecar"), entries: [entry("/envoy")], labels: { app: "checkout", team: "pay" } },
      { id: id("cart"), entries: [entry("/bin/sh"), entry("/usr/bin/reconcile", "learned", { singleton: true })], labels: { app: "cart", team: "pay" } },
      { id: id("ledger", "app", "bank"), entries: [entry("/bin/sh")], labels: { app: "ledger", team: "core" } },
    ]);
  });

  it("shows every container's entries with status and evidence, or one with -c", async () => {
    const all = await cli("baseline", "show", "shop/checkout");
    expect(all.code).toBe(0);
    expect(all.stdout).toContain("shop/Deployment/checkout container app");
    expect(all.stdout).toContain("shop/Deployment/checkout container sidecar");
    expect(all.stdout).toMatch(/\/usr\/bin\/nc\s+│ pending \(after-lock\)\s+│ 3\s+│ 1 /);
    const json = JSON.parse((await cli("baseline", "show", "shop/Deployment/checkout", "-c", "app", "-o", "json")).stdout) as { baseline: { id: { container: string } }; entries: { binary: string }[] }[];
    expect(json.map((b) => b.baseline.id.container)).toEqual(["app"]);
    expect(json[0]?.entries.map((e) => e.binary)).toEqual(["/bin/sh", "/usr/bin/curl", "/usr/bin/nc"]);
    // A leader's task learned from one replica at a time is marked for review.
    expect((await cli("baseline", "show", "shop/cart")).stdout).toMatch(/\/usr\/bin\/reconcile\s+│ learned \(singleton\)/);
  });

  it("approves and denies with flags, recording who and why, and publishes each change", async () => {
    const store = await openStore(redisUrl(), prefix);
    const published: string[] = [];
    const unsubscribe = await store.subscribe((key) => published.push(key));
    const run = await cli("baseline", "review", "shop/Deployment/checkout", "--approve", "/usr/bin/nc", "--deny", "/usr/bin/curl", "--as", "ana", "--reason", "probe");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("approved /usr/bin/nc in shop/Deployment/checkout container app");
    const stored = await store.load(id("checkout"));
    expect(stored?.entries.get("/usr/bin/nc")).toMatchObject({ status: "approved", count: 3 });
    expect(stored?.entries.get("/usr/bin/nc")?.pendingReason).toBeUndefined();
    expect(stored?.entries.get("/usr/bin/curl")?.status).toBe("denied");
    expect((await store.history(id("checkout"))).map((r) => [r.actor, r.action, r.binary, r.reason])).toEqual([
      ["ana", "approve", "/usr/bin/nc", "probe"],
      ["ana", "deny", "/usr/bin/curl", "probe"],
    ]);
    await expect.poll(() => published).toEqual(["c1/shop/Deployment/checkout|app", "c1/shop/Deployment/checkout|app"]);
    const history = await cli("baseline", "history", "shop/checkout");
    expect(history.stdout).toMatch(/ana\s+│ approve\s+│ \/usr\/bin\/nc\s+│ probe/);
    await unsubscribe();
    await store.close();
  });

  it("approves every pending entry, and refuses an unknown binary or a missing terminal", async () => {
    const unknown = await cli("baseline", "review", "shop/checkout", "--approve", "/usr/bin/nope");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no entry /usr/bin/nope");
    const noTerminal = await cli("baseline", "review", "shop/checkout");
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain("not a terminal");
    expect((await cli("baseline", "review", "shop/checkout", "--approve-all-pending")).code).toBe(0);
    const store = await openStore(redisUrl(), prefix);
    expect([...(await store.load(id("checkout")))!.entries.values()].map((e) => e.status).sort()).toEqual(["approved", "approved", "learned"]);
    await store.close();
  });

  it("locks in bulk by label selector only after confirmation, which --yes gives", async () => {
    const refused = await cli("baseline", "lock", "-l", "team=pay,app!=cart");
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("pass --yes");
    const store = await openStore(redisUrl(), prefix);
    expect((await store.load(id("checkout", "sidecar")))?.baseline.state).toBe("learning");
    const locked = await cli("baseline", "lock", "-l", "team=pay,app!=cart", "--yes");
    expect(locked.code).toBe(0);
    expect(locked.stdout).toContain("shop/Deployment/checkout [app]: already locked");
    expect(locked.stdout).toContain("shop/Deployment/checkout [sidecar]: locked");
    const states = Object.fromEntries((await store.list()).map((b) => [`${b.id.name}/${b.id.container}`, b.state]));
    expect(states).toEqual({ "ledger/app": "learning", "cart/app": "learning", "checkout/app": "locked", "checkout/sidecar": "locked" });
    await store.close();
  });

  it("unlocks one workload without asking, resets with --yes, and removes an entry", async () => {
    expect((await cli("baseline", "unlock", "shop/checkout", "-c", "app")).code).toBe(0);
    expect((await cli("baseline", "reset", "shop/cart", "--yes")).code).toBe(0);
    expect((await cli("baseline", "remove-entry", "shop/checkout", "/usr/bin/curl")).code).toBe(0);
    const store = await openStore(redisUrl(), prefix);
    const checkout = await store.load(id("checkout"));
    expect(checkout?.baseline.state).toBe("learning");
    expect(checkout?.baseline.lockedAt).toBeUndefined();
    expect([...checkout!.entries.keys()].sort()).toEqual(["/bin/sh", "/usr/bin/nc"]);
    expect(checkout?.baseline.entryCount).toBe(2);
    const cart = await store.load(id("cart"));
    expect(cart?.entries.size).toBe(0);
    expect((await store.history(id("cart"))).map((r) => r.action)).toEqual(["reset"]);
    await store.close();
  });

  it("exports, imports into an empty store under another prefix, and exports identical YAML", async () => {
    const first = await cli("baseline", "export");
    expect(first.code).toBe(0);
    expect(first.stdout.match(/^---$/gm)).toHaveLength(4);
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "outlier-export-")), "baselines.yaml");
    await writeFile(file, first.stdout);
    const source = prefix;
    prefix = freshPrefix();
    const imported = await cli("baseline", "import", "-f", file);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain("changed 4 of 4 baseline(s)");
    expect((await cli("baseline", "export")).stdout).toBe(first.stdout);
    prefix = source;
    expect((await cli("baseline", "import", "-f", file)).stdout).toContain("changed 0 of 4 baseline(s)");
  });

  it("import --dry-run prints the diff and changes nothing; without it, applies the diff", async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "outlier-import-")), "shop.yaml");
    const exported = (await cli("baseline", "export", "shop/Deployment/checkout", "-c", "app")).stdout;
    const edited = exported
      .replace("state: locked", "state: learning")
      .replace(/ {2}- binary: \/usr\/bin\/curl\n(?: {4}.*\n)+/, "")
      .replace(/(binary: \/usr\/bin\/nc\n {4}status:) pending\n {4}pendingReason: after-lock/, "$1 approved")
      .replace("entries:\n", "entries:\n  - binary: /usr/bin/jq\n    status: approved\n");
    await writeFile(file, edited);
    const dry = await cli("baseline", "import", "-f", file, "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.stdout).toBe(
      [
        "shop/Deployment/checkout [app]",
        "  ~ state: locked → learning",
        "  - /usr/bin/curl: pending (after-lock)",
        "  + /usr/bin/jq: approved",
        "  ~ /usr/bin/nc: pending (after-lock) → approved",
        "would change 1 of 1 baseline(s) (dry run: nothing written)",
        "",
      ].join("\n"),
    );
    expect((await cli("baseline", "export", "shop/Deployment/checkout", "-c", "app")).stdout).toBe(exported);
    const applied = await cli("baseline", "import", "-f", file, "--as", "ci", "--reason", "PR 7");
    expect(applied.stdout).toContain("changed 1 of 1 baseline(s)");
    const after = (await cli("baseline", "export", "shop/Deployment/checkout", "-c", "app")).stdout;
    expect(after).toContain("state: learning\nentries:\n  - binary: /bin/sh\n");
    expect(after).toContain("  - binary: /usr/bin/jq\n    status: approved\n    parents: []\n");
    expect(after).toContain("  - binary: /usr/bin/nc\n    status: approved\n    parents:\n");
    expect(after).not.toContain("/usr/bin/curl");
    const store = await openStore(redisUrl(), prefix);
    const records = await store.history(id("checkout"));
    expect(records.map((r) => `${r.actor} ${r.action} ${r.binary ?? ""}`.trim())).toEqual(["ci unlock", "ci remove-entry /usr/bin/curl", "ci add-entry /usr/bin/jq", "ci approve /usr/bin/nc"]);
    expect(records[0]?.reason).toBe("PR 7 (import shop.yaml)");
    expect((await store.load(id("checkout")))?.baseline.entryCount).toBe(3);
    await store.close();
  });

  it("rejects an invalid import file with its location and writes nothing", async () => {
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), "outlier-bad-")), "bad.yaml");
    await writeFile(file, "---\napiVersion: outlier.dev/v1\nkind: Baseline\nworkload: {cluster: c1, namespace: shop, kind: Deployment, name: x, container: app}\nstate: frozen\n");
    const run = await cli("baseline", "import", "-f", file);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("bad.yaml: document 1 (line 1): state:");
  });

  describe("--output json|yaml: the changes made, stdout holding only the data", () => {
    const checkout = { workload: "shop/Deployment/checkout", container: "app" };
    const asJson = (run: Run): ChangeResult[] => JSON.parse(run.stdout) as ChangeResult[];
    const asYaml = (run: Run): ChangeResult[] => parseYaml(run.stdout) as ChangeResult[];

    it("review prints each decision with the entry's status before and after", async () => {
      const flags = await cli("baseline", "review", "shop/checkout", "--approve", "/usr/bin/nc", "--deny", "/usr/bin/curl", "--as", "ana", "--reason", "probe", "-o", "json");
      expect(flags.code).toBe(0);
      expect(asJson(flags)).toEqual([
        { ...checkout, action: "approve", binary: "/usr/bin/nc", before: "pending", after: "approved", actor: "ana", reason: "probe" },
        { ...checkout, action: "deny", binary: "/usr/bin/curl", before: "pending", after: "denied", actor: "ana", reason: "probe" },
      ]);
      expect(flags.stderr).toContain("approved /usr/bin/nc in shop/Deployment/checkout container app");
      await seed(redisUrl(), prefix, [{ id: id("cart"), entries: [entry("/bin/sh"), entry("/usr/bin/jq", "pending", { pendingReason: "single-replica" })] }]);
      const all = await cli("baseline", "review", "shop/cart", "--approve-all-pending", "--as", "bo", "-o", "yaml");
      expect(asYaml(all)).toEqual([{ workload: "shop/Deployment/cart", container: "app", action: "approve", binary: "/usr/bin/jq", before: "pending", after: "approved", actor: "bo" }]);
      const again = await cli("baseline", "review", "shop/cart", "--approve-all-pending", "-o", "yaml");
      expect(asYaml(again)).toEqual([]);
      expect(again.stderr).toContain("nothing pending in shop/Deployment/cart");
    });

    it("lock lists only the baselines it locked; the confirmation list goes to stderr", async () => {
      const bulk = await cli("baseline", "lock", "-l", "team=pay,app!=cart", "--yes", "--as", "ops", "-o", "json");
      expect(bulk.code).toBe(0);
      expect(asJson(bulk)).toEqual([{ workload: "shop/Deployment/checkout", container: "sidecar", action: "lock", before: "learning", after: "locked", actor: "ops" }]);
      expect(bulk.stderr).toContain("lock 2 baseline(s):");
      expect(bulk.stderr).toContain("shop/Deployment/checkout [app]: already locked");
      const one = await cli("baseline", "lock", "bank/ledger", "--as", "ops", "--reason", "audit", "-o", "yaml");
      expect(asYaml(one)).toEqual([{ workload: "bank/Deployment/ledger", container: "app", action: "lock", before: "learning", after: "locked", actor: "ops", reason: "audit" }]);
    });

    it("unlock and reset print the state before and after", async () => {
      const unlocked = await cli("baseline", "unlock", "shop/checkout", "--as", "ana", "-o", "json");
      expect(asJson(unlocked)).toEqual([{ ...checkout, action: "unlock", before: "locked", after: "learning", actor: "ana" }]);
      await cli("baseline", "lock", "-n", "shop", "--yes");
      const bulk = await cli("baseline", "unlock", "-n", "shop", "--yes", "--as", "ana", "-o", "yaml");
      expect(asYaml(bulk).map((r) => `${r.workload} ${r.container} ${r.before}→${r.after}`).sort()).toEqual([
        "shop/Deployment/cart app locked→learning",
        "shop/Deployment/checkout app locked→learning",
        "shop/Deployment/checkout sidecar locked→learning",
      ]);
      await cli("baseline", "lock", "shop/checkout", "-c", "app");
      const reset = await cli("baseline", "reset", "shop/checkout", "-c", "app", "--yes", "--as", "ana", "--reason", "new app", "-o", "json");
      expect(asJson(reset)).toEqual([{ ...checkout, action: "reset", before: "locked", after: "learning", actor: "ana", reason: "new app" }]);
      expect(reset.stderr).toContain("reset 1 baseline(s):");
      const again = await cli("baseline", "reset", "shop/cart", "--yes", "--as", "ana", "-o", "yaml");
      expect(asYaml(again)).toEqual([{ workload: "shop/Deployment/cart", container: "app", action: "reset", before: "learning", after: "learning", actor: "ana" }]);
      const store = await openStore(redisUrl(), prefix);
      expect((await store.load(id("checkout")))?.entries.size).toBe(0);
      await store.close();
    });

    it("remove-entry prints each removed entry with its last status", async () => {
      const json = await cli("baseline", "remove-entry", "shop/checkout", "/usr/bin/curl", "/bin/sh", "--as", "ana", "-o", "json");
      expect(asJson(json)).toEqual([
        { ...checkout, action: "remove-entry", binary: "/usr/bin/curl", before: "pending", after: null, actor: "ana" },
        { ...checkout, action: "remove-entry", binary: "/bin/sh", before: "learned", after: null, actor: "ana" },
      ]);
      expect(json.stderr).toContain("removed /usr/bin/curl from shop/Deployment/checkout [app]");
      const yaml = await cli("baseline", "remove-entry", "shop/checkout", "/envoy", "--as", "ana", "-o", "yaml");
      expect(asYaml(yaml)).toEqual([{ workload: "shop/Deployment/checkout", container: "sidecar", action: "remove-entry", binary: "/envoy", before: "learned", after: null, actor: "ana" }]);
      const store = await openStore(redisUrl(), prefix);
      expect([...(await store.load(id("checkout")))!.entries.keys()]).toEqual(["/usr/bin/nc"]);
      await store.close();
    });

    it("export -o yaml is the default output byte for byte; -o json the same documents as an array", async () => {
      const plain = await cli("baseline", "export");
      const yaml = await cli("baseline", "export", "-o", "yaml");
      expect(yaml.stdout).toBe(plain.stdout);
      const json = await cli("baseline", "export", "-o", "json");
      expect(json.code).toBe(0);
      const docs = JSON.parse(json.stdout) as { workload: { name: string; container: string }; state: string }[];
      expect(docs).toEqual(parseAllDocuments(plain.stdout).map((d) => d.toJS() as unknown));
      expect(docs.map((d) => `${d.workload.name}/${d.workload.container} ${d.state}`)).toEqual(["ledger/app learning", "cart/app learning", "checkout/app locked", "checkout/sidecar learning"]);
      expect(json.stderr).toContain("exported 4 baseline(s)");
      expect((await cli("baseline", "export", "-o", "table")).code).toBe(2);
    });
  });

  it("suggests the closest names for an unknown workload", async () => {
    const typo = await cli("baseline", "show", "shop/Deployment/chekout");
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("no baseline for workload shop/Deployment/chekout; did you mean shop/Deployment/checkout?");
    const noKind = await cli("baseline", "lock", "bank/ledgr");
    expect(noKind.stderr).toContain("did you mean bank/Deployment/ledger?");
  });

  it("fails with exit 2 naming the URL without its password when Redis is unreachable", async () => {
    const run = await outlier(["baseline", "show", "shop/checkout", "--redis", "redis://ops:s3cret@127.0.0.1:1"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("cannot reach Redis at redis://ops:***@127.0.0.1:1");
    expect(run.stderr).not.toContain("s3cret");
  });
});

describe("outlier baseline and baselines with attacker-chosen names (against a real redis-server)", () => {
  // Binary paths, arguments, parents, users and pod names come from the workload: any bytes.
  const BINARY = "/tmp/\u001b[8mhidden\u001b]0;pwned\u0007";
  const ARGS = "sh -c \u001b[2J\rclear\nforged\u0000\u202etxt.sh";
  const POD = "p-\u001b[31mred";
  const CONTAINER = "app\u009bx";
  // eslint-disable-next-line no-control-regex
  const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;
  let prefix: string;
  const cli = (...args: string[]): Promise<Run> => outlier([...args, "--redis", redisUrl(), "--prefix", prefix]);

  beforeEach(async () => {
    prefix = freshPrefix();
    const hostile = entry(BINARY, "pending", { pendingReason: "after-lock", sampleArgs: [ARGS], parents: [BINARY], users: ["r\u001b[8moot"], replicas: [POD] });
    await seed(redisUrl(), prefix, [{ id: id("checkout", CONTAINER), locked: true, entries: [entry("/bin/sh"), hostile] }]);
  });

  it("show, review, history and baselines print every control character escaped", async () => {
    const show = await cli("baseline", "show", "shop/checkout");
    expect(show.stdout).toContain("/tmp/\\x1b[8mhidden\\x1b]0;pwned\\x07");
    expect(show.stdout).toContain("container app\\x9bx");
    const review = await cli("baseline", "review", "shop/checkout", "--approve", BINARY, "--as", "ana\u001b[2J", "--reason", "ok\rforged");
    expect(review.code).toBe(0);
    expect(review.stdout).toContain("approved /tmp/\\x1b[8mhidden\\x1b]0;pwned\\x07 in shop/Deployment/checkout container app\\x9bx");
    const history = await cli("baseline", "history", "shop/checkout");
    expect(history.stdout).toContain("ana\\x1b[2J");
    const baselines = await cli("baselines");
    expect(baselines.stdout).toContain("app\\x9bx");
    const unknown = await cli("baseline", "review", "shop/checkout", "--approve", "/x\u001b]0;t\u0007");
    expect(unknown.stderr).toContain("no entry /x\\x1b]0;t\\x07");
    for (const run of [show, review, history, baselines, unknown]) {
      expect(run.stdout).not.toMatch(RAW_CONTROL);
      expect(run.stderr).not.toMatch(RAW_CONTROL);
    }
  });
});
