import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { DEFAULT_TOLERANCE_SECONDS, verifySignature } from "../lib/signing";

/**
 * Reference receiver: `npm run receiver -- --secret whsec_... [--secret ...] [--port 4000]`.
 *
 * Verifies each delivery's Wasviking-Signature against the raw body bytes with
 * a constant-time comparison, rejects timestamps more than --tolerance seconds
 * away (default 300), ignores a delivery id it has already processed, and
 * prints each verified event as one JSON line. Pass --secret twice during a
 * rotation. `--status 500` makes it answer 500 after verifying, to watch retries.
 */
const { values } = parseArgs({
  options: {
    secret: { type: "string", multiple: true },
    port: { type: "string", default: "4000" },
    host: { type: "string", default: "127.0.0.1" },
    tolerance: { type: "string", default: String(DEFAULT_TOLERANCE_SECONDS) },
    status: { type: "string" },
  },
});

const secrets = values.secret ?? [];
if (secrets.length === 0) {
  process.stderr.write("Missing --secret: pass the whsec_... secret from the webhook's create or rotate response\n");
  process.exit(2);
}
const port = Number(values.port);
const tolerance = Number(values.tolerance);
const forcedStatus = values.status ? Number(values.status) : undefined;
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`Invalid --port "${values.port}": expected 0-65535\n`);
  process.exit(2);
}

const MAX_BODY_BYTES = 1024 * 1024;
// Delivery ids already processed. A retry or replay of one is acknowledged and noted on stderr, not printed again.
const seen = new Set<string>();
const SEEN_LIMIT = 100_000;

const server = createServer((request, response) => {
  if (request.method !== "POST") {
    response.writeHead(405, { allow: "POST" }).end();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  request.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      response.writeHead(413).end("body too large\n");
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on("end", () => {
    if (response.headersSent) return;
    const body = Buffer.concat(chunks);
    const deliveryId = request.headers["wasviking-delivery"];
    const signature = request.headers["wasviking-signature"];
    const result = verifySignature({
      signatureHeader: typeof signature === "string" ? signature : undefined,
      deliveryId: typeof deliveryId === "string" ? deliveryId : undefined,
      body,
      secrets,
      toleranceSeconds: tolerance,
    });
    if (!result.ok) {
      process.stderr.write(`${JSON.stringify({ rejected: result.reason, delivery: deliveryId ?? null })}\n`);
      response.writeHead(401, { "content-type": "text/plain" }).end(`signature check failed: ${result.reason}\n`);
      return;
    }
    const id = deliveryId as string;
    const duplicate = seen.has(id);
    if (!duplicate) {
      if (seen.size >= SEEN_LIMIT) seen.delete(seen.values().next().value!);
      seen.add(id);
      let event: unknown;
      try {
        event = JSON.parse(body.toString("utf8"));
      } catch {
        event = null;
      }
      process.stdout.write(`${JSON.stringify({ delivery: id, verified: true, event })}\n`);
    } else {
      // A retry or a replay goes to stderr, so that stdout keeps one line per event.
      process.stderr.write(`${JSON.stringify({ duplicate: id, verified: true })}\n`);
    }
    if (forcedStatus) {
      response.writeHead(forcedStatus, { "content-type": "text/plain" }).end(`answering ${forcedStatus} as asked by --status\n`);
      return;
    }
    response.writeHead(duplicate ? 200 : 204).end();
  });
});

server.listen(port, values.host, () => {
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  process.stderr.write(`receiver listening on http://${values.host}:${actual}/ with ${secrets.length} secret(s)\n`);
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.close(() => process.exit(0)));
