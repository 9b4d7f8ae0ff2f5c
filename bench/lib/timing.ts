import { cpus, loadavg } from "node:os";

export interface Measurement {
  name: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
}

/** Runs `run` once (it returns how many events it handled) and times it with the monotonic clock. */
export async function measure(name: string, run: () => Promise<number>): Promise<Measurement> {
  const started = process.hrtime.bigint();
  const events = await run();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { name, events, seconds, eventsPerSecond: events / seconds };
}

/** A progress reporter on stderr (stdout keeps only the results), at most one line a second. */
export function progress(label: string, total: number): (done: number) => void {
  let shownAt = 0;
  return (done) => {
    const now = Date.now();
    if (now - shownAt < 1000 && done < total) return;
    shownAt = now;
    process.stderr.write(`${label}: ${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")}\n`);
  };
}

/** What a result depends on, printed with it (the load average: other work on the machine skews absolute rates). */
export function machine(): { cpus: number; cpuModel: string; node: string; date: string; loadAverage: number } {
  const all = cpus();
  return { cpus: all.length, cpuModel: all[0]?.model.trim() ?? "unknown", node: process.version, date: new Date().toISOString().slice(0, 10), loadAverage: loadavg()[0] ?? 0 };
}
