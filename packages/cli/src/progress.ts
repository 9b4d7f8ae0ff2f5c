import { isTty, type Io } from "./io.ts";

/** Redraws at most this often, so that progress costs nothing measurable. */
const REDRAW_MS = 250;

/**
 * One line of progress on stderr, redrawn in place — only when stderr is a terminal
 * (nothing on a pipe, in a log file or in CI). `rate` gives events per second since start.
 */
export class Progress {
  readonly #io: Io;
  readonly #enabled: boolean;
  readonly #startMs = Date.now();
  #drawnMs = 0;
  #shown = false;

  constructor(io: Io, enabled = isTty(io.stderr)) {
    this.#io = io;
    this.#enabled = enabled;
  }

  /** Per second since the start, for `count` things done. */
  rate(count: number): string {
    const seconds = Math.max((Date.now() - this.#startMs) / 1000, 0.001);
    return `${Math.round(count / seconds).toLocaleString("en-US")}/s`;
  }

  show(line: () => string): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#drawnMs < REDRAW_MS) return;
    this.#drawnMs = now;
    this.#shown = true;
    this.#io.stderr.write(`\r\x1b[K${line()}`);
  }

  clear(): void {
    if (this.#shown) this.#io.stderr.write("\r\x1b[K");
    this.#shown = false;
  }
}
