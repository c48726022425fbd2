/**
 * Verifies WASViking webhook deliveries with Node.js 20+ and no dependencies.
 *
 *   WEBHOOK_SECRETS="whsec_…" PORT=4000 npx tsx verify.ts
 *
 * During a secret rotation, list both secrets separated by a space: a
 * delivery is accepted when any of its signatures matches any of them.
 * The server prints one JSON line per verified delivery and responds 401 to
 * anything else. Copy verifyDelivery into your own handler; it needs the
 * raw body bytes, so read them before any JSON middleware parses the body
 * (with Express: express.raw({ type: "application/json" })).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

export const TOLERANCE_SECONDS = 5 * 60;
const MAX_BODY_BYTES = 1024 * 1024;
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;
const UNIX_SECONDS = /^[0-9]{1,12}$/;

/** Returns the HMAC key of a signing secret: the base64 after "whsec_", decoded. Never the string itself. */
export function secretKey(secret: string): Buffer {
  if (!secret.startsWith("whsec_")) throw new Error('A WASViking signing secret starts with "whsec_"');
  const key = Buffer.from(secret.slice("whsec_".length), "base64");
  if (key.length < 16) throw new Error("The signing secret is truncated: copy it again from the create or rotate response");
  return key;
}

/**
 * Returns true when the delivery is signed by one of the keys and its
 * timestamp is within 5 minutes of now. Never throws, whatever the headers.
 */
export function verifyDelivery(
  rawBody: Buffer,
  deliveryId: string | undefined,
  signatureHeader: string | undefined,
  keys: Buffer[],
  nowSeconds: number = Math.floor(Date.now() / 1000),
): boolean {
  if (!deliveryId || !signatureHeader || signatureHeader.length > 4096) return false;

  // Wasviking-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]. Keep every v1: during a rotation there are two.
  let timestamp: string | undefined;
  const candidates: Buffer[] = [];
  for (const part of signatureHeader.split(",")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === "t") {
      if (timestamp !== undefined) return false;
      timestamp = value;
    } else if (name === "v1" && HEX_DIGEST.test(value)) {
      candidates.push(Buffer.from(value, "hex"));
    }
    // Other names are future signature versions: skip them.
  }
  if (timestamp === undefined || !UNIX_SECONDS.test(timestamp) || candidates.length === 0) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > TOLERANCE_SECONDS) return false;

  for (const key of keys) {
    const expected = createHmac("sha256", key).update(`${deliveryId}.${timestamp}.`).update(rawBody).digest();
    // Both sides are exactly 32 bytes (checked by HEX_DIGEST), so timingSafeEqual cannot throw.
    if (candidates.some((candidate) => timingSafeEqual(candidate, expected))) return true;
  }
  return false;
}

/** Returns a header's value when it was sent exactly once; a repeated header is treated as absent. */
function single(values: string[] | undefined): string | undefined {
  return values?.length === 1 ? values[0] : undefined;
}

function startReceiver(): void {
  const keys = (process.env.WEBHOOK_SECRETS ?? "").split(/\s+/).filter(Boolean).map(secretKey);
  if (keys.length === 0) {
    process.stderr.write('Set WEBHOOK_SECRETS to your signing secret (two, separated by a space, during a rotation)\n');
    process.exit(2);
  }
  // Delivery ids already handled: a retry or replay of one is acknowledged and not processed again.
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
      const deliveryId = single(request.headersDistinct["wasviking-delivery"]);
      const signature = single(request.headersDistinct["wasviking-signature"]);
      if (!verifyDelivery(rawBody, deliveryId, signature, keys)) {
        response.writeHead(401, { "content-type": "text/plain" }).end("invalid signature\n");
        return;
      }
      if (processed.has(deliveryId!)) {
        response.writeHead(200, { "content-type": "text/plain" }).end("already processed\n");
        return;
      }
      // Parse only after verifying: the signature covers the raw bytes, not a re-serialised object.
      let event: { id?: unknown; type?: unknown };
      try {
        event = JSON.parse(rawBody.toString("utf8"));
      } catch {
        response.writeHead(400, { "content-type": "text/plain" }).end("body is not JSON\n");
        return;
      }
      processed.add(deliveryId!);
      process.stdout.write(`${JSON.stringify({ verified: true, delivery: deliveryId, event: event.id, type: event.type })}\n`);
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
