/**
 * Event times are kept as RFC 3339 strings in UTC with exactly nine fractional
 * digits ("2024-05-01T10:00:00.123456789Z"). At that fixed width, string order is
 * time order, and no nanosecond precision is lost to a JavaScript number.
 */
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9})\d*)?(Z|[+-]\d{2}:?\d{2})$/i;

export function normalizeTime(input: string): string | undefined {
  const m = RFC3339.exec(input.trim());
  if (!m) return undefined;
  const [, date, clock, frac = "", zone = "Z"] = m;
  const whole = Date.parse(`${date}T${clock}${zone.toUpperCase() === "Z" ? "Z" : zone}`);
  if (Number.isNaN(whole)) return undefined;
  const iso = new Date(whole).toISOString(); // 2024-05-01T10:00:00.000Z
  return `${iso.slice(0, 19)}.${frac.padEnd(9, "0")}Z`;
}

/** From a count of nanoseconds since the epoch, given as a decimal string (exact). */
export function timeFromEpochNanos(nanos: string): string | undefined {
  if (!/^\d{10,19}$/.test(nanos)) return undefined;
  const padded = nanos.padStart(19, "0");
  const seconds = Number(padded.slice(0, 10));
  const frac = padded.slice(10);
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

/** The last few answers of `timeToMillis` (round robin). */
const MEMO_SLOTS = 4;
const memoTimes: string[] = new Array<string>(MEMO_SLOTS).fill("");
const memoMillis: number[] = new Array<number>(MEMO_SLOTS).fill(Number.NaN);
let memoNext = 0;

/**
 * Milliseconds since the epoch (sub-millisecond digits dropped), for windows and durations.
 * The detector asks for the same few times (the event's, its baseline's) many times in a
 * row: the last few answers are kept.
 */
export function timeToMillis(time: string): number {
  for (let i = 0; i < MEMO_SLOTS; i++) if (memoTimes[i] === time) return memoMillis[i]!;
  const ms = Date.parse(time.slice(0, 23) + "Z");
  memoTimes[memoNext] = time;
  memoMillis[memoNext] = ms;
  memoNext = (memoNext + 1) % MEMO_SLOTS;
  return ms;
}

export function timeFromMillis(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}000000Z`;
}
