import { describe, expect, it } from "vitest";
import type { AuditEvent } from "@outlier/contracts";
import { MemorySeenSet } from "../seen-set.ts";
import { auditFixture, haveFixtures } from "../test-support.ts";
import type { RuleContext } from "../rule.ts";
import { AUDIT_RULES } from "./index.ts";

/** rule id → auditIDs (first 8 characters) it matched, once per matching line, in file order. */
async function firings(events: AuditEvent[], ctx: RuleContext = new MemorySeenSet({ learningMs: 0 })): Promise<Record<string, string[]>> {
  const fired: Record<string, string[]> = Object.fromEntries(AUDIT_RULES.map((rule) => [rule.id, []]));
  for (const event of events) {
    for (const rule of AUDIT_RULES) {
      if (await rule.match(event, ctx)) fired[rule.id]?.push(event.auditID.slice(0, 8));
    }
  }
  return fired;
}

describe.skipIf(!haveFixtures)(`audit rules on ../shared/fixtures/k8s-audit${haveFixtures ? "" : " (absent: ../shared/fixtures not found, suite skipped)"}`, () => {
  it("fires each rule on the falco trace lines that show its behaviour, and nowhere else", async () => {
    expect(await firings(auditFixture("falco-trace-files-k8s-audit.jsonl"))).toEqual({
      "pod-port-forward": [], // the attach (line 3) and the exec (line 48) are exec sessions, not audit findings
      "ephemeral-container": [],
      // hostNetwork; privileged mysql (logged twice, lines 21 and 24); privileged nginx; two hostPath /etc
      "privileged-pod": ["24142dcc", "f83ecd50", "a362d22b", "f83ecd50", "e456c9cf", "9a52c28e"],
      "cluster-admin-binding": ["c97244c7"], // not e040d0ab, bound to system:basic-user
      "wildcard-role": ["d8964c73", "0dc97dd4"], // resources ["*"], verbs ["*"]
      "secret-read-new-principal": [], // this file only creates and deletes secrets
      "service-account-token": [], // no token requests in these traces
      // the anonymous namespace create; line 51 re-uses that auditID for a named user and must not fire
      "anonymous-allowed": ["841d3e6d"],
    });
  });

  it("says which kind of host access each privileged pod has", async () => {
    const events = auditFixture("falco-trace-files-k8s-audit.jsonl");
    const rule = AUDIT_RULES.find((r) => r.id === "privileged-pod");
    const ctx = new MemorySeenSet();
    const matches = await Promise.all(events.map((e) => rule?.match(e, ctx)));
    const details = Object.fromEntries(
      events.flatMap((e, i) => {
        const match = matches[i];
        return match ? [[e.auditID.slice(0, 8), { ...match.details, generateName: match.object.generateName }]] : [];
      }),
    );
    expect(details["24142dcc"]).toEqual({
      reasons: ["hostNetwork"],
      privilegedContainers: [],
      hostPaths: [],
      generateName: "nginx-deployment-754c877bcd-",
    });
    expect(details["f83ecd50"]).toMatchObject({ reasons: ["privileged"], privilegedContainers: ["mysql"] });
    expect(details["e456c9cf"]).toMatchObject({ reasons: ["hostPath"], hostPaths: ["/etc"] });
  });

  it("names the subjects bound to cluster-admin", async () => {
    const events = auditFixture("falco-trace-files-k8s-audit.jsonl");
    const rule = AUDIT_RULES.find((r) => r.id === "cluster-admin-binding");
    const match = (await Promise.all(events.map((e) => rule?.match(e, new MemorySeenSet())))).find((m) => m !== undefined);
    expect(match?.details).toEqual({
      roleRef: { kind: "ClusterRole", name: "cluster-admin" },
      subjects: [{ kind: "User", name: "minikube", namespace: undefined }],
    });
    expect(match?.object.name).toBe("some-reader-binding");
  });

  it("raises nothing on forbidden requests (audit2rbac: 403 lists of secrets, pods, nodes)", async () => {
    const fired = await firings(auditFixture("audit2rbac-demo-log-v1beta1-2017.jsonl"));
    expect(Object.values(fired).flat()).toEqual([]);
  });

  it("ignores anonymous hits on public paths (OpenShift's anonymous POST /login, 302)", async () => {
    const events = auditFixture("openshift-docs-audit-log-examples.jsonl");
    expect(events.some((e) => e.user.username === "system:anonymous" && e.requestURI === "/login")).toBe(true);
    expect(Object.values(firings(events)).flat()).toEqual([]);
  });
});
