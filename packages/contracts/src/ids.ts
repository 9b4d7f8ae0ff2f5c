import { createHash } from "node:crypto";

/**
 * A deterministic id from its parts: the same input always gives the same id, so a
 * redelivered event or a replay produces the same event/finding ids and downstream
 * dedup works. 128 bits of SHA-256, hex.
 */
export function stableId(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const p of parts) hash.update(p).update("\u0000");
  return hash.digest("hex").slice(0, 32);
}
