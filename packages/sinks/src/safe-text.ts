import { scrubSecrets } from "@outlier/service-kit";

const MAX_LENGTH = 300;

/**
 * Text fit for an error message or a log line: the sink's own secret values replaced
 * (a Slack webhook URL, a HEC token), then the generic credential patterns scrubbed,
 * then shortened (a response body can be large).
 */
export function safeText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join("***");
  }
  out = scrubSecrets(out).replace(/\s+/g, " ").trim();
  return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH)}…` : out;
}
