/**
 * Verifies WASViking webhook deliveries with the Standard Webhooks library
 * (npm install standardwebhooks), from the webhook-id, webhook-timestamp and
 * webhook-signature headers every delivery also carries.
 *
 *   WEBHOOK_SECRETS="whsec_…" PORT=4000 npx tsx verify-standardwebhooks.ts
 *
 * The library decodes the whsec_ secret the same way WASViking does, rejects
 * timestamps more than 5 minutes away, accepts any of the space-separated
 * signatures and compares them in constant time. It signals failure by
 * throwing, so each secret is tried in turn and any error means "invalid".
 */
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";
import { Webhook } from "standardwebhooks";

const MAX_BODY_BYTES = 1024 * 1024;

export interface StandardHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

/** Returns true when any of the verifiers accepts the delivery. Never throws. */
export function verifyStandardDelivery(rawBody: Buffer, headers: StandardHeaders, verifiers: Webhook[]): boolean {
  if (!headers.id || !headers.timestamp || !headers.signature) return false;
  const signed = { "webhook-id": headers.id, "webhook-timestamp": headers.timestamp, "webhook-signature": headers.signature };
  for (const verifier of verifiers) {
    try {
      // The raw bytes, unparsed: jsonParse false leaves parsing to the caller, after verification.
      verifier.verify(rawBody, signed, { jsonParse: false });
      return true;
    } catch {
      // WebhookVerificationError, or a TypeError on a mangled header: try the next secret.
    }
  }
  return false;
}

function single(values: string[] | undefined): string | undefined {
  return values?.length === 1 ? values[0] : undefined;
}

function startReceiver(): void {
  const secrets = (process.env.WEBHOOK_SECRETS ?? "").split(/\s+/).filter(Boolean);
  if (secrets.length === 0) {
    process.stderr.write('Set WEBHOOK_SECRETS to your signing secret (two, separated by a space, during a rotation)\n');
    process.exit(2);
  }
  // Decoding happens here, once: a mistyped secret stops the receiver at start-up instead of rejecting every delivery.
  const verifiers = secrets.map((secret) => new Webhook(secret));
  const processed = new Set<string>();

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        response.writeHead(413).end();
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (response.headersSent) return;
      const rawBody = Buffer.concat(chunks);
      const headers = {
        id: single(request.headersDistinct["webhook-id"]),
        timestamp: single(request.headersDistinct["webhook-timestamp"]),
        signature: single(request.headersDistinct["webhook-signature"]),
      };
      if (!verifyStandardDelivery(rawBody, headers, verifiers)) {
        response.writeHead(401, { "content-type": "text/plain" }).end("invalid signature\n");
        return;
      }
      if (processed.has(headers.id!)) {
        response.writeHead(200, { "content-type": "text/plain" }).end("already processed\n");
        return;
      }
      let event: { id?: unknown; type?: unknown };
      try {
        event = JSON.parse(rawBody.toString("utf8"));
      } catch {
        response.writeHead(400, { "content-type": "text/plain" }).end("body is not JSON\n");
        return;
      }
      processed.add(headers.id!);
      process.stdout.write(`${JSON.stringify({ verified: true, delivery: headers.id, event: event.id, type: event.type })}\n`);
      response.writeHead(204).end();
    });
  });

  server.listen(Number(process.env.PORT ?? 4000), process.env.HOST ?? "127.0.0.1", () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : process.env.PORT;
    process.stderr.write(`listening on http://${process.env.HOST ?? "127.0.0.1"}:${port}\n`);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) startReceiver();
