/** Prints rows as a plain aligned table (numbers right-aligned), readable in a terminal and pasteable into Markdown. */
export function printTable(headers: string[], rows: (string | number)[][]): void {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (typeof cell === "number" ? formatNumber(cell) : cell)))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
  const line = (row: string[], numeric: boolean[]) =>
    `| ${row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(" | ")} |`;
  const numeric = rows[0]?.map((cell) => typeof cell === "number") ?? [];
  console.log(line(headers, numeric));
  console.log(`|${widths.map((width, column) => (numeric[column] ? `${"-".repeat(width + 1)}:` : "-".repeat(width + 2))).join("|")}|`);
  for (const row of cells.slice(1)) console.log(line(row, numeric));
}

/** 1234567.8 → "1,234,568"; small values keep two decimals (ratios). */
export function formatNumber(value: number): string {
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString("en-US") : value.toFixed(2);
}
