import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, lock, newBaseline, type BaselineEntry } from "@outlier/baseline";
import type { StoredBaseline } from "@outlier/store";
import { exportYaml, parseBaselineYaml, toDocument } from "./baseline-yaml.ts";
import { describePlan, importChange, planImport } from "./import-plan.ts";

const T0 = "2026-01-01T00:00:00.000000000Z";
const NOW = "2026-02-01T00:00:00.000000000Z";
const id = { cluster: "c1", namespace: "shop", kind: "Deployment", name: "web", container: "app" } as const;

function entry(binary: string, status: BaselineEntry["status"], extra: Partial<BaselineEntry> = {}): BaselineEntry {
  return { binary, status, count: 7, firstSeen: T0, lastSeen: T0, parents: ["/b", "/a"], sampleArgs: [], users: ["1000", "0"], replicas: ["web-1"], ...extra };
}

function stored(entries: BaselineEntry[], locked = false): StoredBaseline {
  const baseline = { ...newBaseline(id, T0, DEFAULT_POLICY), entryCount: entries.length };
  return { baseline: locked ? lock(baseline, T0) : baseline, entries: new Map(entries.map((e) => [e.binary, e])) };
}

describe("baseline YAML", () => {
  it("exports only reviewable content, sorted, and parses it back", () => {
    const s = stored([entry("/usr/bin/nc", "pending", { pendingReason: "after-lock" }), entry("/bin/sh", "learned")], true);
    const text = exportYaml([s]);
    expect(text).not.toMatch(/count|lastSeen|replicas|web-1/);
    expect(text).toContain("entries:\n  - binary: /bin/sh\n    status: learned\n    parents:\n      - /a\n      - /b\n");
    expect(text).toContain("status: pending\n    pendingReason: after-lock\n");
    expect(parseBaselineYaml(text, "f.yaml")).toEqual([toDocument(s)]);
    const changedCounts = stored([entry("/bin/sh", "learned", { count: 99, lastSeen: NOW }), entry("/usr/bin/nc", "pending", { pendingReason: "after-lock" })], true);
    expect(exportYaml([changedCounts])).toBe(text);
  });

  it("leaves sample arguments out unless asked (they may hold an attacker's command line or a secret)", () => {
    const s = stored([entry("/usr/bin/curl", "pending", { pendingReason: "after-lock", sampleArgs: ["-H Authorization: Bearer s3cr3t https://x"] })], true);
    expect(exportYaml([s])).not.toMatch(/sampleArgs|s3cr3t/);
    const withArgs = exportYaml([s], { withArgs: true });
    expect(withArgs).toContain("sampleArgs:\n      - \"-H Authorization: Bearer s3cr3t https://x\"\n");
    expect(parseBaselineYaml(withArgs, "f.yaml")).toEqual([toDocument(s, { withArgs: true })]);
  });

  it("fails on duplicates and unknown fields with the document's place", () => {
    const doc = exportYaml([stored([entry("/bin/sh", "learned")])]);
    const secondDocLine = doc.split("\n").length; // the second document's `---`
    expect(() => parseBaselineYaml(doc + doc, "f.yaml")).toThrow(`f.yaml: document 2 (line ${secondDocLine}): the baseline c1/shop/Deployment/web|app appears twice`);
    expect(() => parseBaselineYaml(doc.replace("state: learning", "state: learning\nowner: me"), "f.yaml")).toThrow(/document 1 \(line 1\): document: Unrecognized key/);
  });
});

describe("import plan", () => {
  it("diffs the file against the store: state, status changes, additions and removals", () => {
    const current = stored([entry("/bin/sh", "learned"), entry("/usr/bin/nc", "pending", { pendingReason: "after-lock" }), entry("/usr/bin/curl", "learned")]);
    const [doc] = parseBaselineYaml(exportYaml([current]), "f.yaml");
    doc!.state = "locked";
    doc!.entries = doc!.entries.filter((e) => e.binary !== "/usr/bin/curl").map((e) => (e.binary === "/usr/bin/nc" ? { ...e, status: "denied" as const } : e));
    doc!.entries.push({ binary: "/usr/bin/jq", status: "approved", parents: [], sampleArgs: [], users: [] });
    const plan = planImport(doc!, current);
    expect(describePlan(plan)).toEqual([
      "shop/Deployment/web [app]",
      "  ~ state: learning → locked",
      "  - /usr/bin/curl: learned",
      "  + /usr/bin/jq: approved",
      "  ~ /usr/bin/nc: pending (after-lock) → denied",
    ]);
    const change = importChange(doc!, current, plan, NOW);
    expect(change.write.baseline).toMatchObject({ state: "locked", lockedAt: NOW, entryCount: 3 });
    expect(change.write.remove).toEqual(["/usr/bin/curl"]);
    const upserts = Object.fromEntries(change.write.upsert!.map((e) => [e.binary, e]));
    expect(upserts["/usr/bin/nc"]).toMatchObject({ status: "denied", count: 7 });
    expect("pendingReason" in upserts["/usr/bin/nc"]!).toBe(false);
    expect(upserts["/usr/bin/jq"]).toMatchObject({ status: "approved", count: 0, firstSeen: NOW, replicas: [] });
    expect(change.records.map((r) => `${r.action} ${r.binary ?? ""}`.trim())).toEqual(["lock", "remove-entry /usr/bin/curl", "add-entry /usr/bin/jq", "deny /usr/bin/nc"]);
  });

  it("shows hostile binary names escaped in the diff, one line per change", () => {
    const evil = "/tmp/\u001b]0;pwned\u0007\nforged";
    const current = stored([entry(evil, "learned"), entry("/bin/\u001b[8msh", "pending")]);
    const [doc] = parseBaselineYaml(exportYaml([current]), "f.yaml");
    doc!.entries = doc!.entries.map((e) => ({ ...e, status: "denied" as const }));
    doc!.entries.push({ binary: "/x\u202etxt.sh", status: "approved", parents: [], sampleArgs: [], users: [] });
    expect(describePlan(planImport(doc!, current))).toEqual([
      "shop/Deployment/web [app]",
      "  ~ /bin/\\x1b[8msh: pending → denied",
      "  ~ /tmp/\\x1b]0;pwned\\x07\\nforged: learned → denied",
      "  + /x\\u{202e}txt.sh: approved",
    ]);
  });

  it("keeps the detector's evidence on existing entries and plans nothing for an unchanged file", () => {
    const current = stored([entry("/bin/sh", "learned")]);
    const [doc] = parseBaselineYaml(exportYaml([current]), "f.yaml");
    doc!.entries[0]!.parents = ["/edited"];
    expect(planImport(doc!, current)).toEqual({ baseline: "shop/Deployment/web [app]", create: false, entries: [] });
  });
});
