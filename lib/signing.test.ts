import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signatureDigest, signedHeaders, verifySignature } from "./signing";

// Known-answer vector of the Standard Webhooks reference tests; the product uses the same construction and key derivation.
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  base64: "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
  hex: "83484cf52b04f8e4cf2531adfed9882ad4b2665137b852442d594d20e2c9d4e1",
};

describe("signatureDigest", () => {
  it("matches the Standard Webhooks known answer", () => {
    const digest = signatureDigest(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body);
    expect(digest.toString("base64")).toBe(VECTOR.base64);
    expect(digest.toString("hex")).toBe(VECTOR.hex);
  });

  it("signs the raw bytes, not a re-serialised body", () => {
    const compact = signatureDigest(VECTOR.secret, VECTOR.id, VECTOR.timestamp, '{"test":2432232314}');
    expect(compact.toString("base64")).not.toBe(VECTOR.base64);
  });

  // Keys that verifiers have derived by mistake. Each gives a digest other than the known answer.
  it.each([
    ["the UTF-8 bytes of the whole secret", VECTOR.secret, "TcxlhK9b6UD6iVI1ZU2tTqp8PEVfYRseNNfa6b+LcUg="],
    ["the UTF-8 bytes after the prefix", VECTOR.secret.slice("whsec_".length), "ELhqG0Ku1gwOc1f4jyKdp3SFGFLAOdJ9bvpWLciCakI="],
  ])("differs from a digest keyed with %s", (_derivation, wrongKey, wrongDigest) => {
    const wrong = createHmac("sha256", Buffer.from(wrongKey, "utf8")).update(`${VECTOR.id}.${VECTOR.timestamp}.${VECTOR.body}`).digest("base64");
    expect(wrong).toBe(wrongDigest);
    const digest = signatureDigest(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body).toString("base64");
    expect(digest).toBe(VECTOR.base64);
    expect(digest).not.toBe(wrongDigest);
  });

  it("emits canonical padded base64 and lower-case hex", () => {
    const digest = signatureDigest(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body);
    const base64 = digest.toString("base64");
    expect(base64).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    // Lenient decoders read "...1OF=" as the same bytes; only the canonical spelling is ever sent.
    expect(Buffer.from(base64, "base64").toString("base64")).toBe(base64);
    expect(base64.endsWith("1OE=")).toBe(true);
    expect(digest.toString("hex")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives every attempt timestamp its own signature", () => {
    const body = '{"event":"finding.sla_breached","finding_id":"fnd_789"}';
    const timestamps = [1767225600, 1767225660, 1767225960, 1767227760];
    const digests = timestamps.map((timestamp) => signatureDigest(VECTOR.secret, "dlv_0000000001", timestamp, body).toString("hex"));
    expect(new Set(digests).size).toBe(timestamps.length);
    timestamps.forEach((timestamp, index) => {
      const header = `t=${timestamp},v1=${digests[index]}`;
      const input = { signatureHeader: header, deliveryId: "dlv_0000000001", body: Buffer.from(body), secrets: [VECTOR.secret] };
      expect(verifySignature({ ...input, nowSeconds: timestamp }).ok).toBe(true);
      // A retry half an hour later cannot reuse the first attempt's header.
      expect(verifySignature({ ...input, nowSeconds: timestamp + 1800 }).ok).toBe(false);
    });
  });

  it("rejects a secret without the whsec_ prefix", () => {
    expect(() => signatureDigest("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", VECTOR.id, VECTOR.timestamp, VECTOR.body)).toThrow(/whsec_/);
  });
});

describe("signedHeaders", () => {
  const headers = signedHeaders({
    deliveryId: VECTOR.id,
    eventType: "finding.created",
    timestamp: VECTOR.timestamp,
    body: VECTOR.body,
    secrets: [VECTOR.secret],
  });

  it("formats Wasviking-Signature as t=<seconds>,v1=<hex>", () => {
    expect(headers["wasviking-signature"]).toBe(`t=${VECTOR.timestamp},v1=${VECTOR.hex}`);
  });

  it("sends the Standard Webhooks headers with the same digest", () => {
    expect(headers["webhook-id"]).toBe(VECTOR.id);
    expect(headers["webhook-timestamp"]).toBe(String(VECTOR.timestamp));
    expect(headers["webhook-signature"]).toBe(`v1,${VECTOR.base64}`);
  });

  it("identifies the delivery and the event type", () => {
    expect(headers["wasviking-delivery"]).toBe(VECTOR.id);
    expect(headers["wasviking-event"]).toBe("finding.created");
    expect(headers["content-type"]).toBe("application/json");
  });

  it("carries one signature per valid secret, newest first", () => {
    const newer = "whsec_" + Buffer.alloc(32, 7).toString("base64");
    const both = signedHeaders({ deliveryId: VECTOR.id, eventType: "x", timestamp: VECTOR.timestamp, body: VECTOR.body, secrets: [newer, VECTOR.secret] });
    const values = both["wasviking-signature"]!.split(",").slice(1);
    expect(values).toHaveLength(2);
    expect(values[1]).toBe(`v1=${VECTOR.hex}`);
    expect(both["webhook-signature"]!.split(" ")).toHaveLength(2);
  });

  it("sends at most two signatures", () => {
    const secrets = [1, 2, 3].map((fill) => "whsec_" + Buffer.alloc(32, fill).toString("base64"));
    const signed = signedHeaders({ deliveryId: VECTOR.id, eventType: "x", timestamp: VECTOR.timestamp, body: VECTOR.body, secrets });
    const expected = secrets.slice(0, 2).map((secret) => signatureDigest(secret, VECTOR.id, VECTOR.timestamp, VECTOR.body));
    expect(signed["wasviking-signature"]).toBe(`t=${VECTOR.timestamp},${expected.map((digest) => `v1=${digest.toString("hex")}`).join(",")}`);
    expect(signed["webhook-signature"]).toBe(expected.map((digest) => `v1,${digest.toString("base64")}`).join(" "));
  });

  it("refuses to sign without any secret", () => {
    expect(() => signedHeaders({ deliveryId: "dlv_1", eventType: "x", timestamp: 1, body: "{}", secrets: [] })).toThrow(/No valid signing secret/);
  });
});

describe("verifySignature", () => {
  const body = Buffer.from(VECTOR.body);
  const base = { deliveryId: VECTOR.id, body, secrets: [VECTOR.secret], nowSeconds: VECTOR.timestamp };
  const valid = `t=${VECTOR.timestamp},v1=${VECTOR.hex}`;

  it("accepts a valid signature", () => {
    expect(verifySignature({ ...base, signatureHeader: valid })).toEqual({ ok: true, timestamp: VECTOR.timestamp });
  });

  it("accepts when any of several signatures matches, in either order", () => {
    const other = "0".repeat(64);
    expect(verifySignature({ ...base, signatureHeader: `t=${VECTOR.timestamp},v1=${other},v1=${VECTOR.hex}` }).ok).toBe(true);
    expect(verifySignature({ ...base, signatureHeader: `t=${VECTOR.timestamp},v1=${VECTOR.hex},v1=${other}` }).ok).toBe(true);
  });

  it("accepts both rotation orders with either secret alone", () => {
    const oldSecret = "whsec_" + Buffer.alloc(32, 1).toString("base64");
    const newSecret = "whsec_" + Buffer.alloc(32, 2).toString("base64");
    const rotationBody = '{"event":"finding.escalated","finding_id":"fnd_456","seq":7}';
    const timestamp = 1767225600;
    const oldHex = signatureDigest(oldSecret, "dlv_0000000001", timestamp, rotationBody).toString("hex");
    const newHex = signatureDigest(newSecret, "dlv_0000000001", timestamp, rotationBody).toString("hex");
    const orders = { "old first": `t=${timestamp},v1=${oldHex},v1=${newHex}`, "new first": `t=${timestamp},v1=${newHex},v1=${oldHex}` };
    for (const [order, header] of Object.entries(orders)) {
      for (const secret of [oldSecret, newSecret]) {
        const result = verifySignature({ signatureHeader: header, deliveryId: "dlv_0000000001", body: Buffer.from(rotationBody), secrets: [secret], nowSeconds: timestamp });
        expect(result.ok, `${order}, ${secret === oldSecret ? "old" : "new"} secret`).toBe(true);
      }
    }
  });

  it("skips unknown versions", () => {
    expect(verifySignature({ ...base, signatureHeader: `t=${VECTOR.timestamp},v2=abc,v1=${VECTOR.hex}` }).ok).toBe(true);
  });

  it("tolerates spaces and upper-case hex", () => {
    expect(verifySignature({ ...base, signatureHeader: ` t=${VECTOR.timestamp} , v1=${VECTOR.hex.toUpperCase()} ` }).ok).toBe(true);
  });

  it("rejects a digest that differs in the last byte", () => {
    const tampered = VECTOR.hex.slice(0, -2) + "e0";
    expect(verifySignature({ ...base, signatureHeader: `t=${VECTOR.timestamp},v1=${tampered}` })).toEqual({ ok: false, reason: "no_matching_signature" });
  });

  it("rejects a tampered body", () => {
    expect(verifySignature({ ...base, body: Buffer.from('{"test": 2432232315}'), signatureHeader: valid }).ok).toBe(false);
  });

  it("rejects another delivery id", () => {
    expect(verifySignature({ ...base, deliveryId: "dlv_other", signatureHeader: valid }).ok).toBe(false);
  });

  it("rejects a missing delivery id", () => {
    expect(verifySignature({ ...base, deliveryId: undefined, signatureHeader: valid })).toEqual({ ok: false, reason: "missing_header" });
    expect(verifySignature({ ...base, deliveryId: "", signatureHeader: valid })).toEqual({ ok: false, reason: "missing_header" });
  });

  it("rejects timestamps outside the tolerance in both directions", () => {
    expect(verifySignature({ ...base, nowSeconds: VECTOR.timestamp + 301, signatureHeader: valid })).toEqual({ ok: false, reason: "timestamp_out_of_tolerance" });
    expect(verifySignature({ ...base, nowSeconds: VECTOR.timestamp - 301, signatureHeader: valid })).toEqual({ ok: false, reason: "timestamp_out_of_tolerance" });
  });

  it.each([
    ["absent", undefined],
    ["empty", ""],
    ["bare version", "v1,"],
    ["empty value", "v1="],
    ["other scheme", "sha256=abcd"],
    ["other scheme without a value", "sha256="],
    ["wrong digest in upper case", `t=${VECTOR.timestamp},v1=${"AB".repeat(32)}`],
    ["truncated digest", `t=${VECTOR.timestamp},v1=${VECTOR.hex.slice(0, 8)}`],
    ["63 hex digits", `t=${VECTOR.timestamp},v1=${VECTOR.hex.slice(1)}`],
    ["65 hex digits", `t=${VECTOR.timestamp},v1=${VECTOR.hex}0`],
    ["multibyte character", `t=${VECTOR.timestamp},v1=é${"a".repeat(63)}`],
    ["non-hex letters", `t=${VECTOR.timestamp},v1=${"z".repeat(64)}`],
    ["timestamp twice", `t=${VECTOR.timestamp},t=${VECTOR.timestamp},v1=${VECTOR.hex}`],
    ["non-numeric timestamp", `t=hello,v1=${VECTOR.hex}`],
    ["10 KB of junk", "a".repeat(10_000)],
  ])("rejects a %s header without throwing", (_name, header) => {
    expect(() => verifySignature({ ...base, signatureHeader: header })).not.toThrow();
    expect(verifySignature({ ...base, signatureHeader: header }).ok).toBe(false);
  });
});
