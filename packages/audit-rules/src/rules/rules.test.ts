import { describe, expect, it } from "vitest";
import type { AuditEvent } from "@outlier/contracts";
import { MemorySeenSet } from "../seen-set.ts";
import { auditEvent, execAudit } from "../test-support.ts";
import { AUDIT_RULES } from "./index.ts";

const ctx = () => new MemorySeenSet({ learningMs: 0 });
const fired = async (event: AuditEvent, seen = ctx()) => {
  const matches = await Promise.all(AUDIT_RULES.map((rule) => rule.match(event, seen)));
  return AUDIT_RULES.filter((_, i) => matches[i] !== undefined).map((rule) => rule.id);
};

describe("audit rules", () => {
  it("have unique ids, a severity and a description", async () => {
    expect(new Set(AUDIT_RULES.map((r) => r.id)).size).toBe(AUDIT_RULES.length);
    for (const rule of AUDIT_RULES) expect(rule.description.length).toBeGreaterThan(20);
  });

  describe("pod-port-forward", () => {
    const portForward = (overrides: Partial<AuditEvent> = {}) =>
      execAudit({
        objectRef: { resource: "pods", subresource: "portforward", namespace: "shop", name: "db-0" },
        requestURI: "/api/v1/namespaces/shop/pods/db-0/portforward?ports=5432",
        ...overrides,
      });

    it("fires on an allowed port-forward at ResponseStarted, with the ports", async () => {
      expect(await fired(portForward())).toEqual(["pod-port-forward"]);
      const match = await AUDIT_RULES.find((r) => r.id === "pod-port-forward")?.match(portForward(), ctx());
      expect(match?.details).toMatchObject({ ports: ["5432"] });
      expect(match?.summary).toBe("port-forward into pod shop/db-0: ports 5432");
    });

    it("leaves exec and attach to the exec-session correlator (one exec.session finding each, not two findings)", async () => {
      expect(await fired(execAudit())).toEqual([]);
      const attach = execAudit({ objectRef: { resource: "pods", subresource: "attach", namespace: "shop", name: "web-6f87496b94-qdlh8" } });
      expect(await fired(attach)).toEqual([]);
    });

    it("does not fire on a forbidden port-forward, nor again when it ends or at RequestReceived", async () => {
      expect(await fired(portForward({ stage: "ResponseComplete", responseStatus: { code: 403 } }))).toEqual([]);
      expect(await fired(portForward({ stage: "ResponseComplete" }))).toEqual([]);
      expect(await fired(portForward({ stage: "RequestReceived", responseStatus: undefined }))).toEqual([]);
    });
  });

  describe("ephemeral-container", () => {
    const debug = (overrides: Partial<AuditEvent> = {}) =>
      auditEvent({
        verb: "patch",
        objectRef: { resource: "pods", subresource: "ephemeralcontainers", namespace: "shop", name: "web-6f87496b94-qdlh8" },
        requestObject: {
          spec: { ephemeralContainers: [{ name: "debugger-x", image: "busybox", targetContainerName: "app" }] },
        },
        ...overrides,
      });

    it("fires on an allowed patch and names the image and target", async () => {
      const match = await AUDIT_RULES.find((r) => r.id === "ephemeral-container")?.match(debug(), ctx());
      expect(match?.details).toEqual({
        containers: [{ name: "debugger-x", image: "busybox", targetContainerName: "app" }],
      });
    });

    it("fires without a body (audit level Metadata), and not on a read or a 422", async () => {
      expect(await fired(debug({ requestObject: undefined }))).toEqual(["ephemeral-container"]);
      expect(await fired(debug({ verb: "get" }))).toEqual([]);
      expect(await fired(debug({ responseStatus: { code: 422 } }))).toEqual([]);
    });
  });

  describe("privileged-pod", () => {
    const create = (spec: unknown, overrides: Partial<AuditEvent> = {}) =>
      auditEvent({ verb: "create", objectRef: { resource: "pods", namespace: "shop" }, requestObject: { spec }, ...overrides });

    it("names every kind of host access in one match", async () => {
      const spec = {
        hostPID: true,
        hostIPC: true,
        initContainers: [{ name: "setup", securityContext: { privileged: true } }],
        containers: [{ name: "app" }],
        volumes: [{ name: "root", hostPath: { path: "/" } }, { name: "tmp", emptyDir: {} }],
      };
      const match = await AUDIT_RULES.find((r) => r.id === "privileged-pod")?.match(create(spec), ctx());
      expect(match?.details).toEqual({
        reasons: ["privileged", "hostPID", "hostIPC", "hostPath"],
        privilegedContainers: ["setup"],
        hostPaths: ["/"],
      });
    });

    it("does not fire on a plain pod, privileged: false, a denied create, or a non-final stage", async () => {
      const privileged = { containers: [{ name: "app", securityContext: { privileged: true } }] };
      expect(await fired(create({ containers: [{ name: "app", securityContext: { privileged: false } }] }))).toEqual([]);
      expect(await fired(create(privileged, { responseStatus: { code: 403 } }))).toEqual([]);
      expect(await fired(create(privileged, { stage: "ResponseStarted" }))).toEqual([]);
      expect(await fired(create(privileged))).toEqual(["privileged-pod"]);
    });
  });

  describe("cluster-admin-binding and wildcard-role", () => {
    it("fire on a namespaced RoleBinding to cluster-admin and a Role with verbs *", async () => {
      const binding = auditEvent({
        verb: "create",
        objectRef: { resource: "rolebindings", namespace: "shop", name: "oops", apiGroup: "rbac.authorization.k8s.io" },
        requestObject: {
          roleRef: { kind: "ClusterRole", name: "cluster-admin" },
          subjects: [{ kind: "ServiceAccount", name: "ci", namespace: "shop" }],
        },
      });
      const role = auditEvent({
        verb: "update",
        objectRef: { resource: "roles", namespace: "shop", name: "all", apiGroup: "rbac.authorization.k8s.io" },
        requestObject: { rules: [{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["*"] }] },
      });
      expect(await fired(binding)).toEqual(["cluster-admin-binding"]);
      expect(await fired(role)).toEqual(["wildcard-role"]);
    });

    it("do not fire on a Role named cluster-admin, a delete, or a role without wildcards", async () => {
      const binding = (roleRef: unknown, verb = "create") =>
        auditEvent({ verb, objectRef: { resource: "rolebindings", namespace: "shop", name: "b" }, requestObject: { roleRef } });
      expect(await fired(binding({ kind: "Role", name: "cluster-admin" }))).toEqual([]);
      expect(await fired(binding({ kind: "ClusterRole", name: "cluster-admin" }, "delete"))).toEqual([]);
      const role = auditEvent({
        verb: "create",
        objectRef: { resource: "clusterroles", name: "reader" },
        requestObject: { rules: [{ apiGroups: ["*"], resources: ["pods"], verbs: ["get"] }] },
      });
      expect(await fired(role)).toEqual([]);
    });
  });

  describe("secret-read-new-principal", () => {
    const read = (overrides: Partial<AuditEvent> = {}) =>
      auditEvent({ objectRef: { resource: "secrets", namespace: "shop", name: "db-password" }, ...overrides });

    it("fires the first time a principal reads secrets in a namespace, not the second", async () => {
      const seen = ctx();
      expect(await fired(read(), seen)).toEqual(["secret-read-new-principal"]);
      expect(await fired(read({ verb: "list", objectRef: { resource: "secrets", namespace: "shop" } }), seen)).toEqual([]);
      expect(await fired(read({ objectRef: { resource: "secrets", namespace: "billing", name: "x" } }), seen)).toEqual([
        "secret-read-new-principal",
      ]);
    });

    it("learns the impersonated user, not the impersonator", async () => {
      const seen = ctx();
      fired(read(), seen);
      const asBob = read({ impersonatedUser: { username: "bob", groups: [] } });
      expect(await fired(asBob, seen)).toEqual(["secret-read-new-principal"]);
      expect(await fired(asBob, seen)).toEqual([]);
    });

    it("neither fires nor learns on a forbidden read, and ignores writes", async () => {
      const seen = ctx();
      expect(await fired(read({ responseStatus: { code: 403 } }), seen)).toEqual([]);
      expect(await fired(read({ verb: "delete" }), seen)).toEqual([]);
      expect(await fired(read(), seen)).toEqual(["secret-read-new-principal"]);
    });

    it("marks first reads during the learning period as suppressed", async () => {
      const seen = new MemorySeenSet({ learningMs: 60 * 60_000 });
      const rule = AUDIT_RULES.find((r) => r.id === "secret-read-new-principal");
      expect((await rule?.match(read(), seen))?.suppressed).toBe("learning");
      const later = read({ requestReceivedTimestamp: "2024-05-01T11:00:00.000000000Z" });
      expect(await rule?.match(later, seen)).toBeUndefined(); // learned while learning
      const stranger = read({ ...later, user: { username: "mallory", groups: [] } });
      expect((await rule?.match(stranger, seen))?.suppressed).toBeUndefined();
    });
  });

  describe("anonymous-allowed", () => {
    const anonymous = (overrides: Partial<AuditEvent> = {}) =>
      auditEvent({ user: { username: "system:anonymous", groups: ["system:unauthenticated"] }, ...overrides });

    it("fires on an allowed anonymous resource request, also when only the group says so", async () => {
      expect(await fired(anonymous())).toEqual(["anonymous-allowed"]);
      expect(await fired(anonymous({ user: { username: "someone", groups: ["system:unauthenticated"] } }))).toEqual([
        "anonymous-allowed",
      ]);
      expect(await fired(anonymous({ objectRef: undefined, requestURI: "/api/v1/nodes/x/proxy/metrics" }))).toEqual([
        "anonymous-allowed",
      ]);
    });

    it("does not fire when denied (401/403) or on public paths such as /healthz?verbose", async () => {
      expect(await fired(anonymous({ responseStatus: { code: 401 } }))).toEqual([]);
      expect(await fired(anonymous({ responseStatus: { code: 403 } }))).toEqual([]);
      expect(await fired(anonymous({ objectRef: undefined, requestURI: "/healthz?verbose" }))).toEqual([]);
    });
  });
});
