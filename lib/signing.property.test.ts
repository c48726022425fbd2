import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signedHeaders, verifySignature } from "./signing";

/**
 * Properties of the signature scheme on generated secrets, ids and bodies:
 * a signature verifies, any single changed byte of what it covers does not,
 * and the verifier never throws. Seeded, so a failure reproduces.
 */
const SEED = 20261204;
const NOW = 1_796_000_000;

const secret = fc.uint8Array({ minLength: 16, maxLength: 64 }).map((bytes) => `whsec_${Buffer.from(bytes).toString("base64")}`);
const deliveryId = fc.oneof(fc.constant("dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA"), fc.string({ minLength: 1, maxLength: 40 }));
const body = fc.oneof(fc.json(), fc.string({ unit: "grapheme", maxLength: 200 }));
const signedInput = fc.record({ secret, deliveryId, body, timestamp: fc.integer({ min: NOW - 300, max: NOW + 300 }) });

function sign(input: { secret: string; deliveryId: string; body: string; timestamp: number }): string {
  return signedHeaders({ deliveryId: input.deliveryId, eventType: "finding.created", timestamp: input.timestamp, body: input.body, secrets: [input.secret] })["wasviking-signature"]!;
}

describe("signature properties", () => {
  it("verifies what it signed", () => {
    fc.assert(
      fc.property(signedInput, (input) => {
        const result = verifySignature({ signatureHeader: sign(input), deliveryId: input.deliveryId, body: Buffer.from(input.body, "utf8"), secrets: [input.secret], nowSeconds: NOW });
        expect(result).toEqual({ ok: true, timestamp: input.timestamp });
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it("rejects a body with any single byte changed", () => {
    fc.assert(
      fc.property(signedInput.filter((input) => input.body.length > 0), fc.nat(), fc.integer({ min: 1, max: 255 }), (input, position, delta) => {
        const bytes = Buffer.from(input.body, "utf8");
        const index = position % bytes.length;
        bytes[index] = (bytes[index]! + delta) % 256;
        const result = verifySignature({ signatureHeader: sign(input), deliveryId: input.deliveryId, body: bytes, secrets: [input.secret], nowSeconds: NOW });
        expect(result).toEqual({ ok: false, reason: "no_matching_signature" });
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it("rejects another delivery id, timestamp or secret", () => {
    fc.assert(
      fc.property(signedInput, deliveryId, fc.integer({ min: -300, max: 300 }), secret, (input, otherId, shift, otherSecret) => {
        const header = sign(input);
        const bytes = Buffer.from(input.body, "utf8");
        if (otherId !== input.deliveryId) {
          expect(verifySignature({ signatureHeader: header, deliveryId: otherId, body: bytes, secrets: [input.secret], nowSeconds: NOW }).ok).toBe(false);
        }
        if (shift !== 0) {
          const moved = header.replace(/^t=\d+/, `t=${input.timestamp + shift}`);
          expect(verifySignature({ signatureHeader: moved, deliveryId: input.deliveryId, body: bytes, secrets: [input.secret], nowSeconds: NOW }).ok).toBe(false);
        }
        if (otherSecret !== input.secret) {
          expect(verifySignature({ signatureHeader: header, deliveryId: input.deliveryId, body: bytes, secrets: [otherSecret], nowSeconds: NOW }).ok).toBe(false);
        }
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it("rejects a signature with any single hex digit changed", () => {
    fc.assert(
      fc.property(signedInput, fc.integer({ min: 0, max: 63 }), fc.integer({ min: 1, max: 15 }), (input, position, delta) => {
        const header = sign(input);
        const digest = header.slice(header.indexOf("v1=") + 3);
        const changed = digest.slice(0, position) + ((parseInt(digest[position]!, 16) + delta) % 16).toString(16) + digest.slice(position + 1);
        const result = verifySignature({
          signatureHeader: header.replace(digest, changed),
          deliveryId: input.deliveryId,
          body: Buffer.from(input.body, "utf8"),
          secrets: [input.secret],
          nowSeconds: NOW,
        });
        expect(result).toEqual({ ok: false, reason: "no_matching_signature" });
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it("never throws on any header, id, body or secret", () => {
    const header = fc.oneof(
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.array(fc.oneof(fc.constantFrom("t=", "v1=", "v0=", ",", "=", " ", "t=1796000000", `v1=${"a".repeat(64)}`), fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), maxLength: 70 })), { maxLength: 10 }).map((parts) => parts.join("")),
      fc.constant(null),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(header, fc.option(fc.string({ unit: "binary" }), { nil: undefined }), fc.uint8Array({ maxLength: 100 }), fc.array(fc.oneof(secret, fc.string()), { maxLength: 3 }), (signatureHeader, id, bytes, secrets) => {
        const result = verifySignature({ signatureHeader, deliveryId: id, body: Buffer.from(bytes), secrets, nowSeconds: NOW });
        expect(typeof result.ok).toBe("boolean");
      }),
      { numRuns: 2000, seed: SEED },
    );
  });
});
