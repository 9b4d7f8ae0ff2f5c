import { z } from "zod";
import { compileTemplate } from "../template.ts";

/** Field schemas shared by the sink kinds, so every sink validates them the same way. */

export const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name");
export const filePath = z.string().min(1, "expected a file path");

/**
 * A key that would put a secret in the routing file. Present at all, it fails with a
 * message naming the keys to use instead.
 */
export function inlineSecret(key: string, instead: readonly string[]) {
  return z
    .never({ error: `${key} must not be written in the routing file; use ${instead.join(" or ")} (an environment variable or a mounted file)` })
    .optional();
}

const SECRET_QUERY = /^(token|access_token|api_key|apikey|key|password|secret|sig|signature)$/i;

/** An endpoint URL that carries no credentials of its own. */
export const endpointUrl = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: "custom", message: `not a URL: ${JSON.stringify(text)}` });
    return;
  }
  const secret =
    url.password !== ""
      ? "a password in the URL"
      : url.hostname === "hooks.slack.com"
        ? "a Slack webhook URL (the URL is the secret)"
        : [...url.searchParams.keys()].find((name) => SECRET_QUERY.test(name));
  if (secret) {
    ctx.addIssue({
      code: "custom",
      message: `the URL carries a secret (${secret}); put secrets in environment variables or mounted files, not in the routing file`,
    });
  }
});

export const template = z.string().transform((source, ctx) => {
  const compiled = compileTemplate(source);
  if (compiled.ok) return compiled.template;
  ctx.addIssue({ code: "custom", message: compiled.error });
  return z.NEVER;
});

/** Adds an issue unless exactly one (or, with `optional`, at most one) of `keys` is set. */
export function requireOneOf(
  config: Record<string, unknown>,
  keys: readonly string[],
  ctx: z.RefinementCtx,
  optional = false,
): void {
  const set = keys.filter((key) => config[key] !== undefined);
  if (set.length > 1 || (set.length === 0 && !optional)) {
    // `missingSecret` lets a check that sends nothing (routes test, replay --routes) tell this apart.
    const params = set.length === 0 ? { missingSecret: keys[0] } : undefined;
    ctx.addIssue({ code: "custom", params, message: `set ${optional ? "at most" : "exactly"} one of ${keys.join(", ")}${set.length > 1 ? ` (found ${set.join(", ")})` : ""}` });
  }
}
