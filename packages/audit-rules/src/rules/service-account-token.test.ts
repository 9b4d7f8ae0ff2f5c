import { describe, expect, it } from "vitest";
import { AuditEventSchema, type AuditEvent } from "@outlier/contracts";
import { normalizeLine } from "@outlier/normalize";
import { evaluateAudit } from "../evaluate.ts";
import { MemorySeenSet } from "../seen-set.ts";
import { AUDIT_RULES } from "./index.ts";

interface TokenRequestSpec {
  user?: { username: string; groups: string[] };
  namespace?: string;
  serviceAccount?: string;
  /** The TokenRequest body; undefined: logged at level Metadata, no body. */
  spec?: Record<string, unknown>;
  code?: number;
}

/**
 * A `create serviceaccounts/token` as the API server's log backend writes it (audit.k8s.io/v1,
 * level Request: the TokenRequest body in requestObject), through the real normalizer.
 */
function tokenRequest({ user, namespace = "kube-system", serviceAccount = "clusterrole-aggregation-controller", spec, code = 201 }: TokenRequestSpec): AuditEvent {
  const line = JSON.stringify({
    kind: "Event",
    apiVersion: "audit.k8s.io/v1",
    level: spec ? "Request" : "Metadata",
    auditID: "5b7e2a0c-8f43-4d6e-9a51-0c2d3e4f5a6b",
    stage: "ResponseComplete",
    requestURI: `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`,
    verb: "create",
    user: user ?? { username: "mallory@example.com", groups: ["system:authenticated", "oidc:developers"] },
    sourceIPs: ["203.0.113.9"],
    userAgent: "kubectl/v1.30.2 (linux/amd64) kubernetes/3968350",
    objectRef: { resource: "serviceaccounts", namespace, name: serviceAccount, apiVersion: "v1", subresource: "token" },
    responseStatus: { metadata: {}, code },
    requestObject: spec && { kind: "TokenRequest", apiVersion: "authentication.k8s.io/v1", metadata: { creationTimestamp: null }, spec, status: { token: "", expirationTimestamp: null } },
    requestReceivedTimestamp: "2026-03-02T10:30:00.123456Z",
    stageTimestamp: "2026-03-02T10:30:00.131002Z",
    annotations: { "authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": 'RBAC: allowed by ClusterRoleBinding "dev-admins"' },
  });
  const result = normalizeLine(line, { source: "audit", cluster: "prod" });
  if (result.ok !== true) throw new Error(`did not normalize: ${JSON.stringify(result)}`);
  return AuditEventSchema.parse(result.events[0]);
}

const findings = async (event: AuditEvent) => (await evaluateAudit(event, AUDIT_RULES, new MemorySeenSet({ learningMs: 0 }))).filter((f) => f.type === "audit.service-account-token");
const WEEK = 7 * 24 * 3600;

describe("service-account-token", () => {
  it("is critical when a person mints a token for a kube-system service account, naming who, which account, and how long", async () => {
    const [finding] = await findings(tokenRequest({ spec: { audiences: ["https://kubernetes.default.svc"], expirationSeconds: WEEK } }));
    expect(finding).toMatchObject({
      severity: "critical",
      namespace: "kube-system",
      evidence: {
        user: { username: "mallory@example.com" },
        details: { serviceAccount: "kube-system/clusterrole-aggregation-controller", expirationSeconds: WEEK, audiences: ["https://kubernetes.default.svc"], bound: false },
      },
    });
    expect(finding!.summary).toBe("mallory@example.com: minted a token for service account kube-system/clusterrole-aggregation-controller, valid 7d, not bound to a pod or secret");
    expect(finding!.evidence["details"]).toMatchObject({ why: expect.stringContaining("kube-system"), action: expect.stringContaining("revoke") });
  });

  it("is critical anywhere when the token lives beyond a day, and high for a short one in an application namespace", async () => {
    expect((await findings(tokenRequest({ namespace: "shop", serviceAccount: "checkout", spec: { expirationSeconds: 2 * 24 * 3600 } })))[0]?.severity).toBe("critical");
    expect((await findings(tokenRequest({ namespace: "shop", serviceAccount: "checkout", spec: { expirationSeconds: 3600 } })))[0]?.severity).toBe("high");
  });

  it("fires at audit level Metadata too (no body: expiration unknown), high outside kube-system", async () => {
    const [finding] = await findings(tokenRequest({ namespace: "shop", serviceAccount: "checkout" }));
    expect(finding).toMatchObject({ severity: "high", evidence: { details: { serviceAccount: "shop/checkout" } } });
    expect(finding!.summary).toContain("expiration not logged");
  });

  it("is silent for controllers: the kubelet (system:node:*), service accounts and control-plane components", async () => {
    const kubelet = { username: "system:node:worker-a", groups: ["system:nodes", "system:authenticated"] };
    const serviceAccount = { username: "system:serviceaccount:argocd:argocd-server", groups: ["system:serviceaccounts", "system:serviceaccounts:argocd", "system:authenticated"] };
    const controllerManager = { username: "system:kube-controller-manager", groups: ["system:authenticated"] };
    const bound = { expirationSeconds: 3607, boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web-0", uid: "c512dc5b-2d2a-499f-857d-6c361033582d" } };
    for (const user of [kubelet, serviceAccount, controllerManager]) expect(await findings(tokenRequest({ user, spec: bound }))).toEqual([]);
  });

  it("is silent when the request was denied, and on other service-account requests", async () => {
    expect(await findings(tokenRequest({ spec: { expirationSeconds: WEEK }, code: 403 }))).toEqual([]);
    const get = { ...tokenRequest({ spec: { expirationSeconds: WEEK } }), verb: "get" };
    expect(await findings(get)).toEqual([]);
  });
});
