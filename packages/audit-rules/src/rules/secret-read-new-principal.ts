import type { AuditEvent } from "@outlier/contracts";
import { describeObject, isAllowedFinal, objectOf, principalOf, type AuditObject, type AuditRule, type RuleContext, type RuleMatch } from "../rule.ts";

const READS = new Set(["get", "list", "watch"]);
const LEARNED_KIND = "secret-reader";

/**
 * Learned per (namespace, principal): the first successful read of secrets in a
 * namespace by a principal raises a finding, later reads do not. During the learned
 * set's first learning period (the baselines' learning window) every reader is recorded
 * and the finding is suppressed (and counted): on a fresh install every controller is
 * "new", and that is not news.
 */
export const secretReadNewPrincipal: AuditRule = {
  id: "secret-read-new-principal",
  title: "Secrets read by a new principal",
  severity: "medium",
  description:
    "A principal that was never seen reading secrets in this namespace (or cluster-wide) got, listed or watched them. " +
    "Silent during the first learning period.",
  // Not async: only a secret read waits for the learned set, every other event is answered at once.
  match(event, ctx) {
    const object = objectOf(event);
    if (object.resource !== "secrets" || object.subresource || !READS.has(event.verb)) return undefined;
    if (!isAllowedFinal(event)) return undefined;
    return firstRead(event, object, ctx);
  },
};

async function firstRead(event: AuditEvent, object: AuditObject, ctx: RuleContext): Promise<RuleMatch | undefined> {
  const principal = principalOf(event);
  const scope = object.namespace ?? "*";
  if (await ctx.seen(LEARNED_KIND, `${scope}|${principal}`)) return undefined;
  const suppressed = (await ctx.learning(LEARNED_KIND, event.requestReceivedTimestamp)) ? ("learning" as const) : undefined;
  return {
    object,
    summary: `first ${event.verb} of ${describeObject(object)}${object.namespace ? "" : " (all namespaces)"} by this principal`,
    details: { learnedKey: { namespace: scope, principal } },
    suppressed,
  };
}
