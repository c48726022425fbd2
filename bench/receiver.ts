import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ReceiverCommand, ReceiverEvent } from "./receiver-protocol";

/**
 * The benchmark's receiver, run as its own process (bench/receiver-process.ts
 * starts it) so it does not share an event loop with the publisher. It
 * responds 204 as soon as a request's body has arrived and keeps connections
 * alive. For each request it notes the delivery id and the time of receipt, in
 * milliseconds since the Unix epoch with sub-millisecond precision, which is
 * comparable with the publisher's clock on the same machine.
 */
const KEEP_ALIVE_MS = 60_000;

let deliveryIds: string[] = [];
let receivedAt: number[] = [];
let unsigned = 0;
let expected: number | null = null;
let cpuAtCollect = process.cpuUsage();

function send(event: ReceiverEvent): void {
  process.send?.(event);
}

function now(): number {
  return performance.timeOrigin + performance.now();
}

const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    const at = now();
    const deliveryId = request.headers["wasviking-delivery"];
    if (typeof request.headers["wasviking-signature"] !== "string") unsigned++;
    deliveryIds.push(typeof deliveryId === "string" ? deliveryId : "");
    receivedAt.push(at);
    response.writeHead(204).end();
    if (expected !== null && deliveryIds.length >= expected) {
      expected = null;
      send({ type: "reached", count: deliveryIds.length, at });
    }
  });
});
server.keepAliveTimeout = KEEP_ALIVE_MS;
server.headersTimeout = KEEP_ALIVE_MS + 1000;

process.on("message", (command: ReceiverCommand) => {
  switch (command.type) {
    case "expect":
      if (deliveryIds.length >= command.count) send({ type: "reached", count: deliveryIds.length, at: receivedAt[command.count - 1] ?? now() });
      else expected = command.count;
      break;
    case "collect":
      send({ type: "receipts", deliveryIds, receivedAt, unsigned, cpu: process.cpuUsage(cpuAtCollect) });
      cpuAtCollect = process.cpuUsage();
      deliveryIds = [];
      receivedAt = [];
      unsigned = 0;
      expected = null;
      break;
    case "stop":
      server.closeAllConnections();
      server.close(() => process.exit(0));
      break;
  }
});
process.on("disconnect", () => process.exit(0));

server.listen(0, "127.0.0.1", () => {
  send({ type: "listening", port: (server.address() as AddressInfo).port });
});
