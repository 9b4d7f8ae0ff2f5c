import { parsePodStreamRequest } from "../exec-request.ts";
import { describeObject, isAllowedFinal, objectOf, type AuditRule } from "../rule.ts";

const SUBRESOURCES = new Set(["exec", "attach", "portforward"]);

export const podExec: AuditRule = {
  id: "pod-exec",
  title: "Exec, attach or port-forward into a pod",
  severity: "medium",
  description:
    "Someone opened an interactive channel into a running pod (kubectl exec, attach or port-forward). " +
    "The exec.session finding later lists what was run.",
  match(event) {
    const object = objectOf(event);
    if (object.resource !== "pods" || !SUBRESOURCES.has(object.subresource ?? "")) return undefined;
    if (!isAllowedFinal(event)) return undefined;
    const request = parsePodStreamRequest(event.requestURI);
    const what = request.command.length > 0 ? `: ${request.command.join(" ")}` : "";
    return {
      object,
      container: request.container,
      summary: `${object.subresource} into ${describeObject({ ...object, resource: "pod", subresource: undefined })}${what}`,
      details: { ...request },
    };
  },
};
