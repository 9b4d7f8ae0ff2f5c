/**
 * Durations in Prometheus/Alertmanager syntax: units from largest to smallest, each
 * at most once ("30s", "5m", "1h30m", "1d", "500ms"); "0" alone means zero.
 */
const UNITS = [
  ["y", 365 * 24 * 3_600_000],
  ["w", 7 * 24 * 3_600_000],
  ["d", 24 * 3_600_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1_000],
  ["ms", 1],
] as const;

const DURATION = new RegExp(`^${UNITS.map(([unit]) => `(?:(\\d+)${unit})?`).join("")}$`);

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (text === "0") return 0;
  const m = DURATION.exec(text);
  if (!m || text === "") return undefined;
  let total = 0;
  UNITS.forEach(([, ms], i) => {
    const count = m[i + 1];
    if (count !== undefined) total += Number(count) * ms;
  });
  return total;
}

/**
 * For windows and spans that must not be empty (learning window, cooldown, `--since`):
 * surrounding spaces are ignored (annotation values); undefined when malformed or zero.
 */
export function parsePositiveDuration(text: string): number | undefined {
  const ms = parseDuration(text.trim());
  return ms ? ms : undefined;
}

/** The shortest text that parses back to the same duration ("1h30m", "0s"). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  let rest = Math.round(ms);
  let text = "";
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}
