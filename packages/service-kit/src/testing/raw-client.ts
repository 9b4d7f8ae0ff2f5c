import { connect, type Socket } from "node:net";

/** A raw TCP client of an HTTP receiver, for tests of its limits: what it received, and when the server closed it. */
export interface RawClient {
  socket: Socket;
  received(): string;
  /** Ms from connecting until the server closed the connection. */
  closedAfter: Promise<number>;
}

export function rawClient(port: number): RawClient {
  const started = Date.now();
  const socket = connect(port, "127.0.0.1");
  let received = "";
  socket.on("data", (chunk) => (received += chunk.toString()));
  socket.on("error", () => undefined);
  const closedAfter = new Promise<number>((resolve) => socket.on("close", () => resolve(Date.now() - started)));
  return { socket, received: () => received, closedAfter };
}
