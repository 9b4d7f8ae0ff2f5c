import type { Cluster, Redis } from "ioredis";
import { watchLike } from "./redis-watch.ts";

/**
 * Calls `onMessage` with each message published on `channel`, on a connection of its own
 * (a subscribed connection can do nothing else). Quit the returned connection to stop.
 */
export async function subscribeTo(client: Redis | Cluster, channel: string, onMessage: (message: string) => void): Promise<Redis> {
  const sub = client.duplicate() as Redis;
  // A duplicate has none of the client's listeners: without these an outage prints ioredis's stack traces.
  watchLike(client as Redis, sub);
  sub.on("message", (_channel: string, message: string) => onMessage(message));
  await sub.subscribe(channel);
  return sub;
}
