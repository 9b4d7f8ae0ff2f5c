/** Strings shorter than this are never cut: ids, names and keys stay whole; an event that only fits by cutting them is too large. */
const MIN_KEPT_BYTES = 1024;

/** What replaces the end of a cut string, so a reader sees the value is incomplete and by how much. */
export function truncationMarker(cutBytes: number): string {
  return `…[truncated ${cutBytes} bytes]`;
}

export type Fitted<T> = { fits: true; value: T; cut: number } | { fits: false; bytes: number };

/**
 * `value` (plain JSON data) made to serialize within `maxBytes` by cutting its longest strings
 * (process arguments, a Falco output, an audit requestObject's annotations) to one common
 * length, each ending in a marker. `cut` says how many strings were cut (0: unchanged, same
 * object). Does not fit when it would take cutting strings under 1 KiB: many small values
 * (a huge array) are not made smaller by this. The result is a copy; `value` is not changed.
 */
export function fitToBytes<T>(value: T, maxBytes: number): Fitted<T> {
  const json = JSON.stringify(value);
  const bytes = Buffer.byteLength(json);
  if (bytes <= maxBytes) return { fits: true, value, cut: 0 };
  const leaves = stringBytes(value);
  const longest = leaves.reduce((max, size) => Math.max(max, size), 0);
  // A few rounds: escaping makes the serialized size differ a little from the strings' UTF-8 bytes.
  for (let excess = bytes - maxBytes, round = 0; round < 4; round++) {
    const keep = keptBytes(leaves, excess, longest);
    if (keep < MIN_KEPT_BYTES) break;
    const fitted = JSON.parse(json) as T;
    const cut = cutStrings(fitted, keep);
    const size = Buffer.byteLength(JSON.stringify(fitted));
    if (size <= maxBytes) return { fits: true, value: fitted, cut };
    excess += size - maxBytes;
  }
  return { fits: false, bytes };
}

/** The UTF-8 size of every string in `value`. */
function stringBytes(value: unknown): number[] {
  const sizes: number[] = [];
  visitStrings(value, (text) => {
    sizes.push(Buffer.byteLength(text));
    return undefined;
  });
  return sizes;
}

/** The largest length to cut strings to that saves `excess` bytes, marker included (0 when none does). */
function keptBytes(sizes: number[], excess: number, longest: number): number {
  const saved = (keep: number) =>
    sizes.reduce((sum, bytes) => (bytes > keep ? sum + bytes - keep - Buffer.byteLength(truncationMarker(bytes - keep)) : sum), 0);
  let low = 0;
  let high = longest;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (saved(mid) >= excess) low = mid;
    else high = mid - 1;
  }
  return saved(low) >= excess ? low : 0;
}

/** Cuts every string longer than `keep` UTF-8 bytes in place; returns how many were cut. */
function cutStrings(value: unknown, keep: number): number {
  let cut = 0;
  visitStrings(value, (text) => {
    const bytes = Buffer.byteLength(text);
    if (bytes <= keep) return undefined;
    cut++;
    // A character cut in half decodes to one trailing U+FFFD: drop it.
    const head = Buffer.from(text).subarray(0, keep).toString("utf8").replace(/\uFFFD$/, "");
    return head + truncationMarker(bytes - Buffer.byteLength(head));
  });
  return cut;
}

/** Calls `visit` with every string in objects and arrays (with a stack, not recursion); a string it returns replaces the one visited. */
function visitStrings(root: unknown, visit: (text: string) => string | undefined): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (typeof child === "string") {
        const replaced = visit(child);
        if (replaced !== undefined) record[key] = replaced;
      } else if (typeof child === "object" && child !== null) stack.push(child);
    }
  }
}
