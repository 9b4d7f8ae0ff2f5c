import { createLogger, type Logger } from "@outlier/service-kit";

/** A real (redacting) service logger whose JSON lines are kept for assertions. */
export function captureLogs(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ name: "sinks-test", level: "debug", destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}
