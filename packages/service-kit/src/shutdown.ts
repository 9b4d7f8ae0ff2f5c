import closeWithGrace from "close-with-grace";
import type { Logger } from "pino";

/**
 * Runs `close` once on SIGTERM/SIGINT or an uncaught error, then exits; a process
 * that does not finish within `delayMs` is ended anyway. Returns a function that
 * removes the handlers (tests, embedded mode).
 */
export function onShutdown(logger: Logger, close: () => Promise<void>, delayMs = 25_000): () => void {
  const handle = closeWithGrace({ delay: delayMs, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, "shutting down after an uncaught error");
    else logger.info({ signal }, "shutting down");
    await close();
  });
  return () => handle.uninstall();
}
