import type { AuditRule } from "../rule.ts";
import { anonymousAllowed } from "./anonymous-allowed.ts";
import { clusterAdminBinding } from "./cluster-admin-binding.ts";
import { ephemeralContainer } from "./ephemeral-container.ts";
import { podPortForward } from "./pod-port-forward.ts";
import { privilegedPod } from "./privileged-pod.ts";
import { secretReadNewPrincipal } from "./secret-read-new-principal.ts";
import { serviceAccountToken } from "./service-account-token.ts";
import { wildcardRole } from "./wildcard-role.ts";

/** Every audit rule. Adding one: a file beside these, and one line here. */
export const AUDIT_RULES: readonly AuditRule[] = [
  podPortForward,
  ephemeralContainer,
  privilegedPod,
  clusterAdminBinding,
  wildcardRole,
  secretReadNewPrincipal,
  serviceAccountToken,
  anonymousAllowed,
];
