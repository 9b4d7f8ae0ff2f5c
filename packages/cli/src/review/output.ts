import os from "node:os";
import Table from "cli-table3";
import { Option } from "commander";
import { stringify } from "yaml";
import { timeFromMillis } from "@outlier/contracts";

export type OutputFormat = "table" | "json" | "yaml";

/** `-o, --output`: the first of `formats` is the default. */
export function outputOption(formats: readonly OutputFormat[] = ["table", "json", "yaml"]): Option {
  return new Option("-o, --output <format>", "output format").choices(formats).default(formats[0]);
}

/** The data as JSON or YAML, or the table the caller draws for people. */
export function render(format: OutputFormat, data: unknown, table: () => string): string {
  if (format === "json") return `${JSON.stringify(data, null, 2)}\n`;
  if (format === "yaml") return stringify(data);
  return table();
}

/** A borderless table, the same look as `outlier normalize --output table`. */
export function drawTable(head: string[], rows: string[][]): string {
  const table = new Table({
    head,
    style: { head: [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  table.push(...rows);
  return `${table.toString()}\n`;
}

/** `2024-05-01 10:00:03Z`: event times to the second, for tables. */
export function shortTime(time: string | undefined): string {
  return time ? `${time.slice(0, 10)} ${time.slice(11, 19)}Z` : "";
}

/** Wall-clock now in the event-time format (RFC 3339, nine fractional digits). */
export function wallClock(): string {
  return timeFromMillis(Date.now());
}

/** Who is making a change: `--as`, else the OS user. */
export function actorName(as: string | undefined): string {
  if (as) return as;
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}
