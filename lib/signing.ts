import { createHmac, timingSafeEqual } from "node:crypto";
import { secretKeyBytes } from "./crypto/signing-secrets";

/**
 * Request signing, the one place that knows the scheme (docs/signatures.md).
 *
 * Signed content: `<delivery id>.<unix seconds>.<raw body bytes>`, HMAC-SHA256
 * keyed with the decoded bytes of each valid `whsec_` secret. The same digests go
 * out twice: hex in `Wasviking-Signature` (`t=<seconds>,v1=<hex>[,v1=<hex>]`) and
 * base64 in the Standard Webhooks `webhook-signature` (`v1,<b64>[ v1,<b64>]`), so
 * both our verifiers and the standard libraries accept the request.
 */
export const SIGNATURE_HEADER = "Wasviking-Signature";
export const DELIVERY_HEADER = "Wasviking-Delivery";
export const EVENT_HEADER = "Wasviking-Event";
export const DEFAULT_TOLERANCE_SECONDS = 300;
// During a rotation overlap a request carries one signature per valid secret; more are never sent.
export const MAX_SIGNATURES = 2;

/** Returns the raw HMAC-SHA256 digest of one delivery attempt under one secret. */
export function signatureDigest(secret: string, deliveryId: string, timestamp: number, body: string | Buffer): Buffer {
  return createHmac("sha256", secretKeyBytes(secret))
    .update(`${deliveryId}.${timestamp}.`, "utf8")
    .update(typeof body === "string" ? Buffer.from(body, "utf8") : body)
    .digest();
}

export interface SignedHeadersInput {
  deliveryId: string;
  eventType: string;
  timestamp: number;
  body: string;
  // Valid secrets, newest first.
  secrets: readonly string[];
}

/** Builds every header that identifies and signs one attempt. */
export function signedHeaders(input: SignedHeadersInput): Record<string, string> {
  if (input.secrets.length === 0) throw new Error(`No valid signing secret for delivery ${input.deliveryId}`);
  const digests = input.secrets
    .slice(0, MAX_SIGNATURES)
    .map((secret) => signatureDigest(secret, input.deliveryId, input.timestamp, input.body));
  return {
    "content-type": "application/json",
    "user-agent": "WASViking-Webhooks/1.0",
    "wasviking-delivery": input.deliveryId,
    "wasviking-event": input.eventType,
    "wasviking-signature": [`t=${input.timestamp}`, ...digests.map((digest) => `v1=${digest.toString("hex")}`)].join(","),
    "webhook-id": input.deliveryId,
    "webhook-timestamp": String(input.timestamp),
    "webhook-signature": digests.map((digest) => `v1,${digest.toString("base64")}`).join(" "),
  };
}

export type VerificationResult =
  | { ok: true; timestamp: number }
  | { ok: false; reason: "missing_header" | "malformed_header" | "timestamp_out_of_tolerance" | "no_matching_signature" };

export interface VerifyInput {
  signatureHeader: string | null | undefined;
  deliveryId: string | null | undefined;
  body: Buffer;
  secrets: readonly string[];
  toleranceSeconds?: number;
  nowSeconds?: number;
}

const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;

/**
 * Verifies a `Wasviking-Signature` header against the raw body. Accepts when any
 * `v1` entry matches any secret; skips entries of other versions; tolerates
 * surrounding spaces and upper-case hex. Never throws on hostile input.
 */
export function verifySignature(input: VerifyInput): VerificationResult {
  if (!input.signatureHeader || !input.deliveryId) return { ok: false, reason: "missing_header" };
  if (input.signatureHeader.length > 4096) return { ok: false, reason: "malformed_header" };
  let timestamp: number | undefined;
  const candidates: Buffer[] = [];
  for (const part of input.signatureHeader.split(",")) {
    const separator = part.indexOf("=");
    if (separator < 0) continue;
    const name = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (name === "t") {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return { ok: false, reason: "malformed_header" };
      timestamp = Number(value);
    } else if (name === "v1" && HEX_DIGEST.test(value)) {
      candidates.push(Buffer.from(value, "hex"));
    }
  }
  if (timestamp === undefined || candidates.length === 0) return { ok: false, reason: "malformed_header" };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) {
    return { ok: false, reason: "timestamp_out_of_tolerance" };
  }
  for (const secret of input.secrets) {
    let expected: Buffer;
    try {
      expected = signatureDigest(secret, input.deliveryId, timestamp, input.body);
    } catch {
      continue;
    }
    // Every candidate is 32 bytes (checked by the pattern above), so timingSafeEqual cannot throw.
    if (candidates.some((candidate) => timingSafeEqual(candidate, expected))) return { ok: true, timestamp };
  }
  return { ok: false, reason: "no_matching_signature" };
}
