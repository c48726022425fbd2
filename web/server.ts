import { createServer } from "node:http";
import { parseArgs } from "node:util";
import next from "next";
import { PEER_ADDRESS_HEADER, trustedProxies } from "../lib/http/client-address";
import { logger } from "../lib/log";

/**
 * The portal and REST API in production: Next.js behind a plain Node HTTP
 * server, which exists to record each request's TCP peer address
 * (lib/http/client-address.ts) that route handlers cannot see otherwise. The
 * address a client might send under the same header name is overwritten.
 * SIGTERM or SIGINT stops accepting connections and lets requests in progress
 * finish.
 */
const { values } = parseArgs({
  options: { port: { type: "string", short: "p", default: process.env.PORT ?? "3000" }, hostname: { type: "string", short: "H" } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port "${values.port}"`);
// A wrong WVK_TRUSTED_PROXIES stops the start here rather than at the first request.
trustedProxies();

const app = next({ dev: false, dir: process.cwd(), port, hostname: values.hostname });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((request, response) => {
  request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? "";
  void handle(request, response);
});
server.listen(port, values.hostname, () => {
  logger.info({ port, hostname: values.hostname ?? "all interfaces" }, "portal and API listening");
});

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "portal and API stopping");
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  // Requests that outlive the grace period are cut off rather than holding the shutdown.
  setTimeout(() => process.exit(0), 10_000).unref();
}
process.on("SIGTERM", () => stop("SIGTERM"));
process.on("SIGINT", () => stop("SIGINT"));
