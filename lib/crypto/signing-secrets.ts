import { createHash, randomBytes } from "node:crypto";

/**
 * Signing secrets follow the Standard Webhooks format: `whsec_` and the base64
 * of 32 random bytes. The HMAC key is the decoded bytes, never the string, and
 * this is the only derivation the product uses (docs/signatures.md).
 */
export const SECRET_PREFIX = "whsec_";

/** Creates a new random signing secret. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString("base64");
}

/** Returns the HMAC key bytes of a `whsec_` secret; throws on anything else. */
export function secretKeyBytes(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error("Invalid signing secret: expected the whsec_ prefix");
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), "base64");
  if (key.length < 16) throw new Error("Invalid signing secret: the key is shorter than 16 bytes");
  return key;
}

/**
 * Returns a short, non-reversible label of a secret: the first 12 hex digits of
 * SHA-256 over the whole secret string. A consumer can compute the same with
 * `printf %s "$SECRET" | sha256sum | cut -c1-12`.
 */
export function secretFingerprint(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 12);
}
