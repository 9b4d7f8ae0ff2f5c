import os from "node:os";
import Table from "cli-table3";
import { Option } from "commander";
import { stringify } from "yaml";
import { displayText, terminalJson, timeFromMillis } from "@outlier/contracts";

export type OutputFormat = "table" | "json" | "yaml";

/** `-o, --output`: the first of `formats` is the default. */
export function outputOption(formats: readonly OutputFormat[] = ["table", "json", "yaml"]): Option {
  return new Option("-o, --output <format>", "output format").choices(formats).default(formats[0]);
}

/** The data as JSON or YAML, or the table the caller draws for people. */
export function render(format: OutputFormat, data: unknown, table: () => string): string {
  if (format === "json") return `${terminalJson(JSON.stringify(data, null, 2))}\n`;
  if (format === "yaml") return stringify(data);
  return table();
}

/** A cell already made safe and coloured by the caller (see `styled`); plain strings are escaped. */
export interface Styled {
  styled: string;
}
export type Cell = string | Styled;

/** Attacker-controlled text coloured for a terminal: escaped first, so only our own colour codes reach it. */
export function styled(colour: (text: string) => string, text: string): Styled {
  return { styled: colour(displayText(text)) };
}

/**
 * A borderless table, the same look as `outlier normalize --output table`. Every plain
 * cell goes through `displayText`: cells hold names and arguments an attacker chooses.
 */
export function drawTable(head: Cell[], rows: Cell[][]): string {
  const cell = (c: Cell) => (typeof c === "string" ? displayText(c) : c.styled);
  const table = new Table({
    head: head.map(cell),
    style: { head: [], border: [] },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
  });
  table.push(...rows.map((row) => row.map(cell)));
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
