import { spawn, spawnSync } from "node:child_process";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * TCP servers on loopback that misbehave below HTTP: they accept and stay
 * silent, reset, close half-way, or trickle bytes. Each counts the connections
 * it accepted, so a test can also prove that nothing connected.
 */
export interface RawServer {
  port: number;
  connections: number;
  close(): Promise<void>;
}

/** Starts a TCP server on 127.0.0.1 that hands every accepted socket to `onConnection`. */
export async function startRawServer(onConnection: (socket: Socket) => void): Promise<RawServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const state: RawServer = {
    port: (server.address() as AddressInfo).port,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  return state;
}

/** Calls `then` once the socket has received the end of the request headers. */
export function afterRequestHeaders(socket: Socket, then: () => void): void {
  let received = "";
  let done = false;
  socket.on("data", (chunk: Buffer) => {
    if (done) return;
    received += chunk.toString("latin1");
    if (received.includes("\r\n\r\n")) {
      done = true;
      then();
    }
  });
}

/** Returns a loopback port on which nothing listens (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const hasPython = spawnSync("python3", ["--version"]).status === 0;

/**
 * Starts a listener whose accept queue is full, so a new connection never
 * completes: the kernel drops its SYN, as a firewall DROP rule would. Node's
 * servers always accept, so the listener is a small python3 process.
 */
export async function startBlackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const child = spawn("python3", [
    "-c",
    "import socket, sys, time\ns = socket.socket()\ns.bind(('127.0.0.1', 0))\ns.listen(0)\nprint(s.getsockname()[1], flush=True)\ntime.sleep(600)",
  ]);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once("error", reject);
  });
  // One connection fills the queue of a listener with backlog 0; every later one hangs in SYN-SENT.
  const filler = await new Promise<Socket>((resolve) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
  });
  return {
    port,
    close: async () => {
      filler.destroy();
      child.kill("SIGKILL");
    },
  };
}
