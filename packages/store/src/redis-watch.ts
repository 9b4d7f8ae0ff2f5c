import type { Redis } from "ioredis";

/** The part of a pino logger the watch uses. */
export interface WatchLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** A connection's changes: lost (was ready), retrying (a reconnection failed, backing off), recovered (ready again). */
export type RedisConnectionEvent = "lost" | "retrying" | "recovered";

export interface RedisWatchOptions {
  logger: WatchLogger;
  /** Which client, in the log lines: "main", "subscriber". */
  role?: string;
  /** Called once per change, for a counter. */
  onChange?: (event: RedisConnectionEvent) => void;
}

const watches = new WeakMap<Redis, RedisWatchOptions>();

/**
 * Logs one line per change of a client's connection instead of ioredis's own output: without
 * an "error" listener ioredis prints "[ioredis] Unhandled error event" and a stack to stderr for
 * every failed reconnection (162 lines in one 20 s outage). Errors are kept, not logged: the
 * last one's code goes into the next line. Connections made with subscribeTo() from this client
 * are watched the same way.
 */
export function watchRedis(client: Redis, options: RedisWatchOptions): void {
  watches.set(client, options);
  const { logger, role = "main", onChange } = options;
  let state: "up" | RedisConnectionEvent = "up";
  let lostAt = 0;
  let attempts = 0;
  let lastError: string | undefined;
  const change = (next: RedisConnectionEvent): void => {
    state = next;
    onChange?.(next);
  };
  client.on("error", (error: Error & { code?: string }) => {
    lastError = error.code ?? error.message;
  });
  // Emitted only when ioredis will reconnect: not after quit() or disconnect().
  client.on("reconnecting", (delayMs: number) => {
    attempts += 1;
    if (state === "up" || state === "recovered") {
      lostAt = Date.now();
      attempts = 1;
      logger.warn({ redis: role, error: lastError, retryInMs: delayMs }, "redis connection lost; reconnecting");
      change("lost");
    } else if (state === "lost") {
      logger.warn({ redis: role, error: lastError, attempts, retryInMs: delayMs }, "redis still unreachable; retrying with backoff");
      change("retrying");
    }
  });
  client.on("ready", () => {
    if (state !== "lost" && state !== "retrying") return;
    logger.info({ redis: role, downMs: Date.now() - lostAt, attempts }, "redis connection recovered");
    lastError = undefined;
    change("recovered");
  });
}

/** Watches `duplicate` as `client` is watched (if it is), with role "subscriber". */
export function watchLike(client: Redis, duplicate: Redis): void {
  const options = watches.get(client);
  if (options) watchRedis(duplicate, { ...options, role: "subscriber" });
}
