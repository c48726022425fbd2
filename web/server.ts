import { createServer, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import next from "next";
import { privateDestinationsAllowed } from "../lib/config";
import { EXIT_CONFIGURATION_ERROR } from "../lib/exit-codes";
import { PEER_ADDRESS_HEADER, trustedProxies } from "../lib/http/client-address";
import { requestDeclaresBody } from "../lib/http/request-body";
import { repeatedHeaderInRaw } from "../lib/http/repeated-headers";
import { FETCH_FORBIDDEN_METHODS, forbiddenMethodResponse, repeatedHeaderResponse, requestWithBodyResponse } from "../lib/http/unmatched-route";
import { describeListenAddress, exposureWarning, listenHostFromEnvironment, listenScope, parseListenHost } from "../lib/listen-address";
import { logger } from "../lib/log";

/**
 * The portal and REST API in production: Next.js behind a plain Node HTTP
 * server, which exists to record each request's TCP peer address
 * (lib/http/client-address.ts) that route handlers cannot see otherwise. The
 * address a client might send under the same header name is overwritten.
 * Requests with a body that no route handler takes get their response here,
 * before any of the body is read (lib/http/unmatched-route.ts, requestWithBodyResponse).
 * So do requests that repeat a header that must appear once
 * (lib/http/repeated-headers.ts), which only the raw headers show.
 * It listens on `--hostname`, else on WVK_HOST, else on loopback only
 * (lib/listen-address.ts). SIGTERM or SIGINT stops accepting connections and
 * lets requests in progress finish.
 */
const { values } = parseArgs({
  options: { port: { type: "string", short: "p", default: process.env.PORT ?? "3000" }, hostname: { type: "string", short: "H" } },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port "${values.port}"`);
const hostname = values.hostname === undefined ? listenHostFromEnvironment(process.env) : parseListenHost(values.hostname, "--hostname");
// A wrong WVK_TRUSTED_PROXIES or WVK_ALLOW_PRIVATE_DESTINATIONS stops the start here rather than at the first request.
trustedProxies();
const warning = exposureWarning(hostname, privateDestinationsAllowed());
if (warning) logger.warn({ hostname, port }, warning);

const app = next({ dev: false, dir: process.cwd(), port, hostname });
const handle = app.getRequestHandler();
await app.prepare();

async function send(response: ServerResponse, answer: Response): Promise<void> {
  response.writeHead(answer.status, Object.fromEntries(answer.headers));
  response.end(Buffer.from(await answer.arrayBuffer()));
}

const server = createServer((request, response) => {
  request.headers[PEER_ADDRESS_HEADER] = request.socket.remoteAddress ?? "";
  const repeated = repeatedHeaderInRaw(request.rawHeaders);
  if (repeated) {
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    const requestId = request.headers["x-request-id"];
    // Any body is left unread, so the connection is closed after the response.
    response.setHeader("connection", "close");
    void send(response, repeatedHeaderResponse(pathname, repeated, typeof requestId === "string" ? requestId : null));
    return;
  }
  if (FETCH_FORBIDDEN_METHODS.has(request.method ?? "")) {
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    const requestId = request.headers["x-request-id"];
    void send(response, forbiddenMethodResponse(pathname, typeof requestId === "string" ? requestId : null));
    return;
  }
  if (requestDeclaresBody(request.headers)) {
    const { pathname } = new URL(request.url ?? "/", "http://localhost");
    const requestId = request.headers["x-request-id"];
    const early = requestWithBodyResponse(request.method ?? "", pathname, typeof requestId === "string" ? requestId : null);
    if (early) {
      // The body is left unread, and closing the connection saves reading the rest of it just to throw it away.
      response.setHeader("connection", "close");
      void send(response, early);
      return;
    }
  }
  void handle(request, response);
});
server.on("error", (error: NodeJS.ErrnoException) => {
  const reason = error.code === "EADDRINUSE" ? `port ${port} is already in use: stop the process that holds it, or set PORT` : error.message;
  logger.fatal({ err: error, hostname, port }, `portal and API cannot listen: ${reason}`);
  process.exit(EXIT_CONFIGURATION_ERROR);
});
server.listen(port, hostname, () => {
  const address = server.address();
  const boundPort = typeof address === "object" && address ? address.port : port;
  logger.info({ hostname, port: boundPort, scope: listenScope(hostname) }, `portal and API listening on ${describeListenAddress(hostname, boundPort)}`);
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
