import { parsePodStreamRequest } from "../exec-request.ts";
import { describeObject, isAllowedFinal, objectOf, type AuditRule } from "../rule.ts";

/**
 * Port-forward opens a channel into a pod without starting a process in it. Exec and
 * attach are not this rule's: the exec-session correlator reports each of them once, as
 * `exec.session`, with what was run (a second finding for the same request was noise).
 */
export const podPortForward: AuditRule = {
  id: "pod-port-forward",
  title: "Port-forward into a pod",
  severity: "medium",
  description: "Someone opened a port-forward into a running pod (kubectl port-forward): a direct channel to its ports, around Services and network policies.",
  match(event) {
    const object = objectOf(event);
    if (object.resource !== "pods" || object.subresource !== "portforward") return undefined;
    if (!isAllowedFinal(event)) return undefined;
    const request = parsePodStreamRequest(event.requestURI);
    const ports = request.ports.length > 0 ? `: ports ${request.ports.join(", ")}` : "";
    return {
      object,
      summary: `port-forward into ${describeObject({ ...object, resource: "pod", subresource: undefined })}${ports}`,
      details: { ...request },
    };
  },
};
