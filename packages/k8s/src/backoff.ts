export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with "equal jitter": each delay is between half and all of the
 * current step, so restarts of many collectors after an API server outage spread out.
 */
export class Backoff {
  private attempt = 0;
  private readonly options: BackoffOptions;
  private readonly random: () => number;

  constructor(options: BackoffOptions, random: () => number = Math.random) {
    this.options = options;
    this.random = random;
  }

  next(): number {
    const step = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(step / 2 + (this.random() * step) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
