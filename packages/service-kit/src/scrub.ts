/**
 * Removes credentials from free text (error messages, stack traces, URLs in log
 * messages): userinfo in URLs, token-like query parameters, Slack webhook paths
 * (the path is the secret) and bearer tokens.
 */
const RULES: [RegExp, string][] = [
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, "$1***@"],
  [/([?&](?:token|access_token|api_key|apikey|key|password|passwd|secret|sig|signature|auth)=)[^&\s#"']+/gi, "$1***"],
  [/(hooks\.slack\.com\/)[^\s"'<>]+/gi, "$1***"],
  [/\b(Bearer\s+)[A-Za-z0-9._~+/=-]+/g, "$1***"],
];

export function scrubSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}
