import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSigningSecret } from "../../lib/crypto/signing-secrets";
import { signatureDigest, signedHeaders } from "../../lib/signing";
import { secretKey, verifyDelivery } from "../../docs/examples/verify";
import { type RunningExample, runPython, runShellExample, sendRaw, startExample } from "../support/verification-examples";

/**
 * Every published verifier must return "invalid" to malformed, truncated,
 * over-long and non-ASCII signature headers, never crash or throw; accept
 * either secret and either order during a rotation; and reproduce the
 * known-answer vector of docs/signatures.md with the one key derivation.
 */
const BODY = Buffer.from('{"id":"evt_01KBQ4B1F6H3Y8D2K9W4S7T0VA","type":"finding.escalated","data":{"finding_id":"fnd_456","title":"näive «example»"}}');
const DELIVERY = "dlv_01KBQ4B1F6H3Y8D2K9W4S7T0VA";
const now = () => Math.floor(Date.now() / 1000);

// The known-answer vector of the Standard Webhooks reference tests, also in docs/signatures.md.
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: Buffer.from('{"test": 2432232314}'),
  header: "t=1614265330,v1=83484cf52b04f8e4cf2531adfed9882ad4b2665137b852442d594d20e2c9d4e1",
};

function hexDigest(secret: string, timestamp: number, deliveryId = DELIVERY): string {
  return signatureDigest(secret, deliveryId, timestamp, BODY).toString("hex");
}

let deliveryCounter = 0;
/** Returns a delivery id not used before, since the example receivers acknowledge a repeated id without processing it. */
function freshDeliveryId(): string {
  deliveryCounter++;
  return `dlv_01KBQ4B1F6H3Y8D2K9W4S7${String(deliveryCounter).padStart(4, "0")}`;
}

/** Wasviking-Signature values that must all be rejected, by name; built at call time so timestamps are current. */
function hostileHeaders(secret: string): Record<string, string | null> {
  const t = now();
  return {
    "header absent": null,
    "empty header": "",
    "v1, alone": "v1,",
    "v1= alone": "v1=",
    "sha256= alone": "sha256=",
    "sha256=abcd": "sha256=abcd",
    "63 hex digits": `t=${t},v1=${"a".repeat(63)}`,
    "65 hex digits": `t=${t},v1=${"a".repeat(65)}`,
    "64 wrong hex digits in upper case": `t=${t},v1=${"AB".repeat(32)}`,
    "é and 63 a (65 bytes)": `t=${t},v1=é${"a".repeat(63)}`,
    "64 non-hex letters": `t=${t},v1=${"z".repeat(64)}`,
    "10 KB of a": "a".repeat(10 * 1024),
    "last byte changed": `t=${t},v1=${hexDigest(secret, t).slice(0, 62)}${hexDigest(secret, t).endsWith("00") ? "01" : "00"}`,
    // Well past the 5-minute tolerance, so a second ticking over during the request cannot matter; the exact edge is tested below.
    "timestamp 6 minutes old": `t=${t - 360},v1=${hexDigest(secret, t - 360)}`,
    "timestamp 6 minutes ahead": `t=${t + 360},v1=${hexDigest(secret, t + 360)}`,
    "timestamp not a number": `t=hello,v1=${hexDigest(secret, t)}`,
    "timestamp twice": `t=${t},t=${t},v1=${hexDigest(secret, t)}`,
    "no timestamp": `v1=${hexDigest(secret, t)}`,
  };
}

describe.each(["node", "python"] as const)("%s example under hostile headers", (example) => {
  const secret = generateSigningSecret();
  let server: RunningExample;

  beforeAll(async () => {
    server = await startExample(example, [secret]);
  }, 30_000);

  afterAll(async () => {
    await server.stop();
  });

  const send = (signature: string | null, extra: Array<[string, string]> = [], deliveryId = DELIVERY) => {
    const headers: Array<[string, string]> = [["Wasviking-Delivery", deliveryId], ...extra];
    // UTF-8 bytes as sent on the wire; raw sockets write latin1, one byte per character.
    if (signature !== null) headers.push(["Wasviking-Signature", Buffer.from(signature, "utf8").toString("latin1")]);
    return sendRaw(server.url, headers, BODY);
  };

  it.each(Object.keys(hostileHeaders(secret)))("rejects %s", async (name) => {
    expect(await send(hostileHeaders(secret)[name]!)).toBe(401);
    expect(server.alive()).toBe(true);
  });

  it("rejects the header sent twice", async () => {
    const valid = `t=${now()},v1=${hexDigest(secret, now())}`;
    expect(await send(valid, [["Wasviking-Signature", valid]])).toBe(401);
  });

  it("verifies before parsing the body", async () => {
    const notJson = Buffer.from("not JSON {");
    const t = now();
    // A forged request is rejected for its signature, whatever its body, so parsing never sees it.
    expect(await sendRaw(server.url, [["Wasviking-Delivery", DELIVERY], ["Wasviking-Signature", `t=${t},v1=${"0".repeat(64)}`]], notJson)).toBe(401);
    const id = freshDeliveryId();
    const digest = signatureDigest(secret, id, t, notJson).toString("hex");
    expect(await sendRaw(server.url, [["Wasviking-Delivery", id], ["Wasviking-Signature", `t=${t},v1=${digest}`]], notJson)).toBe(400);
    expect(server.alive()).toBe(true);
  });

  it("rejects a request without Wasviking-Delivery", async () => {
    const valid = `t=${now()},v1=${hexDigest(secret, now())}`;
    expect(await sendRaw(server.url, [["Wasviking-Signature", valid]], BODY)).toBe(401);
    expect(server.alive()).toBe(true);
  });

  it("accepts a correct digest in upper case", async () => {
    const id = freshDeliveryId();
    expect(await send(`t=${now()},v1=${hexDigest(secret, now(), id).toUpperCase()}`, [], id)).toBe(204);
  });

  it("accepts a correct header with surrounding spaces", async () => {
    const id = freshDeliveryId();
    expect(await send(`   t=${now()} , v1=${hexDigest(secret, now(), id)}   `, [], id)).toBe(204);
  });

  it("skips unknown versions and keys", async () => {
    const id = freshDeliveryId();
    expect(await send(`t=${now()},v2=${"f".repeat(64)},x=1,v1=${hexDigest(secret, now(), id)}`, [], id)).toBe(204);
  });

  it("acknowledges a repeated delivery without processing it again", async () => {
    const id = freshDeliveryId();
    const header = `t=${now()},v1=${hexDigest(secret, now(), id)}`;
    expect(await send(header, [], id)).toBe(204);
    expect(await send(header, [], id)).toBe(200);
    expect(server.verified.filter((line) => line.delivery === id)).toHaveLength(1);
  });

  it("is still running", () => {
    expect(server.alive()).toBe(true);
  });
});

describe("standardwebhooks example under hostile headers", () => {
  const secret = generateSigningSecret();
  let server: RunningExample;

  beforeAll(async () => {
    server = await startExample("standardwebhooks", [secret]);
  }, 30_000);

  afterAll(async () => {
    await server.stop();
  });

  const send = (signature: string | null, timestamp = String(now()), extra: Array<[string, string]> = []) => {
    const headers: Array<[string, string]> = [["webhook-id", DELIVERY], ["webhook-timestamp", timestamp], ...extra];
    if (signature !== null) headers.push(["webhook-signature", Buffer.from(signature, "utf8").toString("latin1")]);
    return sendRaw(server.url, headers, BODY);
  };
  const base64Digest = (t: number) => signatureDigest(secret, DELIVERY, t, BODY).toString("base64");

  it.each([
    ["header absent", null],
    ["empty header", ""],
    ["v1, alone", "v1,"],
    ["garbage of the wrong length", "v1,dawfeoifkpqwoekfpqoekf"],
    ["truncated digest", `v1,${"g0hM9SsE"}`],
    ["é and 43 a", `v1,é${"a".repeat(43)}`],
    ["10 KB of a", "a".repeat(10 * 1024)],
  ] as const)("rejects %s", async (_name, signature) => {
    expect(await send(signature)).toBe(401);
    expect(server.alive()).toBe(true);
  });

  it("rejects a digest that differs in the last byte", async () => {
    const t = now();
    const digest = signatureDigest(secret, DELIVERY, t, BODY);
    digest.writeUInt8(digest.readUInt8(31) ^ 1, 31);
    expect(await send(`v1,${digest.toString("base64")}`, String(t))).toBe(401);
  });

  it.each(["webhook-id", "webhook-timestamp", "webhook-signature"])("rejects a request without %s", async (missing) => {
    const t = now();
    const headers: Array<[string, string]> = [
      ["webhook-id", DELIVERY],
      ["webhook-timestamp", String(t)],
      ["webhook-signature", `v1,${base64Digest(t)}`],
    ];
    expect(await sendRaw(server.url, headers.filter(([name]) => name !== missing), BODY)).toBe(401);
    expect(server.alive()).toBe(true);
  });

  it("rejects stale and future timestamps", async () => {
    const old = now() - 360;
    expect(await send(`v1,${base64Digest(old)}`, String(old))).toBe(401);
    const ahead = now() + 360;
    expect(await send(`v1,${base64Digest(ahead)}`, String(ahead))).toBe(401);
    expect(await send(`v1,${base64Digest(now())}`, "hello")).toBe(401);
  });

  it("rejects the header sent twice", async () => {
    const valid = `v1,${base64Digest(now())}`;
    expect(await send(valid, String(now()), [["webhook-signature", valid]])).toBe(401);
  });

  it("accepts a valid signature among unknown versions", async () => {
    const t = now();
    const valid = `v1,${base64Digest(t)}`;
    const status = await send(`v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${valid}`, String(t));
    expect(status).toBe(204);
  });
});

describe("shell example under hostile headers", () => {
  const secret = generateSigningSecret();

  it.each(Object.keys(hostileHeaders(secret)))("rejects %s", async (name) => {
    expect(await runShellExample([secret], DELIVERY, hostileHeaders(secret)[name] ?? "", BODY)).toEqual({ output: "invalid", code: 1 });
  });

  it("accepts a correct digest in upper case", async () => {
    expect(await runShellExample([secret], DELIVERY, `t=${now()},v1=${hexDigest(secret, now()).toUpperCase()}`, BODY)).toEqual({ output: "valid", code: 0 });
  });

  it("accepts a correct header with surrounding spaces", async () => {
    expect(await runShellExample([secret], DELIVERY, `   t=${now()} , v1=${hexDigest(secret, now())}   `, BODY)).toEqual({ output: "valid", code: 0 });
  });

  it("rejects a missing delivery id", async () => {
    expect(await runShellExample([secret], "", `t=${now()},v1=${hexDigest(secret, now())}`, BODY)).toEqual({ output: "invalid", code: 1 });
  });
});

describe("rotation headers", () => {
  const oldSecret = generateSigningSecret();
  const newSecret = generateSigningSecret();
  let servers: Record<"node" | "python" | "standardwebhooks", { old: RunningExample; new: RunningExample }>;

  beforeAll(async () => {
    const start = async (example: "node" | "python" | "standardwebhooks") => {
      const [withOld, withNew] = await Promise.all([startExample(example, [oldSecret]), startExample(example, [newSecret])]);
      return { old: withOld, new: withNew };
    };
    const [node, python, standard] = await Promise.all([start("node"), start("python"), start("standardwebhooks")]);
    servers = { node, python, standardwebhooks: standard };
  }, 60_000);

  afterAll(async () => {
    await Promise.all(Object.values(servers).flatMap((pair) => [pair.old.stop(), pair.new.stop()]));
  });

  function forms(t: number, deliveryId: string) {
    const oldHex = hexDigest(oldSecret, t, deliveryId);
    const newHex = hexDigest(newSecret, t, deliveryId);
    const signed = signedHeaders({ deliveryId, eventType: "finding.escalated", timestamp: t, body: BODY.toString("utf8"), secrets: [newSecret, oldSecret] });
    const [newB64, oldB64] = signed["webhook-signature"]!.split(" ");
    return {
      wasviking: { "old first": `t=${t},v1=${oldHex},v1=${newHex}`, "new first": `t=${t},v1=${newHex},v1=${oldHex}` },
      standard: { "old first": `${oldB64} ${newB64}`, "new first": `${newB64} ${oldB64}` },
    };
  }

  it.each(["old first", "new first"] as const)("verify with either secret, %s", async (order) => {
    const t = now();
    const deliveryId = freshDeliveryId();
    const headers = forms(t, deliveryId);
    for (const holder of ["old", "new"] as const) {
      for (const example of ["node", "python"] as const) {
        const status = await sendRaw(servers[example][holder].url, [["Wasviking-Delivery", deliveryId], ["Wasviking-Signature", headers.wasviking[order]]], BODY);
        expect(status, `${example} with the ${holder} secret`).toBe(204);
      }
      const standard = await sendRaw(
        servers.standardwebhooks[holder].url,
        [["webhook-id", deliveryId], ["webhook-timestamp", String(t)], ["webhook-signature", headers.standard[order]]],
        BODY,
      );
      expect(standard, `standardwebhooks with the ${holder} secret`).toBe(204);
      const shell = await runShellExample(holder === "old" ? [oldSecret] : [newSecret], deliveryId, headers.wasviking[order], BODY);
      expect(shell.output, `shell with the ${holder} secret`).toBe("valid");
    }
  });
});

describe("tolerance edge", () => {
  const secret = generateSigningSecret();
  const signedAt = 1767225600;
  const header = `t=${signedAt},v1=${hexDigest(secret, signedAt)}`;
  const python = (nowSeconds: number) =>
    runPython(`verify.verify_delivery(bytes.fromhex("${BODY.toString("hex")}"), "${DELIVERY}", "${header}", [verify.secret_key("${secret}")], now=${nowSeconds})`);

  it.each([
    ["300 s old", signedAt + 300, true],
    ["301 s old", signedAt + 301, false],
    ["300 s ahead", signedAt - 300, true],
    ["301 s ahead", signedAt - 301, false],
  ] as const)("treats a signature %s alike in every example", async (_name, nowSeconds, valid) => {
    expect(verifyDelivery(BODY, DELIVERY, header, [secretKey(secret)], nowSeconds)).toBe(valid);
    expect(await python(nowSeconds)).toBe(valid ? "True" : "False");
    expect((await runShellExample([secret], DELIVERY, header, BODY, nowSeconds)).output).toBe(valid ? "valid" : "invalid");
  });
});

describe("known-answer vector", () => {
  it("verifies in the Node example", () => {
    expect(verifyDelivery(VECTOR.body, VECTOR.id, VECTOR.header, [secretKey(VECTOR.secret)], VECTOR.timestamp)).toBe(true);
  });

  it("verifies in the Python example", async () => {
    const expression = `verify.verify_delivery(b'{"test": 2432232314}', "${VECTOR.id}", "${VECTOR.header}", [verify.secret_key("${VECTOR.secret}")], now=${VECTOR.timestamp})`;
    expect(await runPython(expression)).toBe("True");
  });

  it("verifies in the shell example", async () => {
    expect(await runShellExample([VECTOR.secret], VECTOR.id, VECTOR.header, VECTOR.body, VECTOR.timestamp)).toEqual({ output: "valid", code: 0 });
  });

  it("fails with the secret string as the key", async () => {
    // The derivation docs elsewhere get wrong: the UTF-8 bytes of the whole secret instead of its decoded base64.
    const wrong = createHmac("sha256", VECTOR.secret).update(`${VECTOR.id}.${VECTOR.timestamp}.`).update(VECTOR.body).digest("hex");
    const header = `t=${VECTOR.timestamp},v1=${wrong}`;
    expect(verifyDelivery(VECTOR.body, VECTOR.id, header, [secretKey(VECTOR.secret)], VECTOR.timestamp)).toBe(false);
    expect(await runShellExample([VECTOR.secret], VECTOR.id, header, VECTOR.body, VECTOR.timestamp)).toEqual({ output: "invalid", code: 1 });
  });

  it("rejects a secret without its prefix in every example", async () => {
    expect(() => secretKey("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).toThrow(/whsec_/);
    expect(await runPython(`verify.secret_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")`)).toMatch(/ValueError: .*whsec_/);
    const shell = await runShellExample(["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"], VECTOR.id, VECTOR.header, VECTOR.body, VECTOR.timestamp);
    expect(shell.code).toBe(2);
    expect(shell.output).toContain("whsec_");
  });
});

describe("published examples", () => {
  it("appear verbatim in docs/signatures.md", () => {
    const documentation = readFileSync(path.join(import.meta.dirname, "..", "..", "docs", "signatures.md"), "utf8");
    for (const file of ["verify.ts", "verify.py", "verify.sh", "verify-standardwebhooks.ts"]) {
      const source = readFileSync(path.join(import.meta.dirname, "..", "..", "docs", "examples", file), "utf8");
      expect(documentation.includes("\n" + source + "```"), file).toBe(true);
    }
  });
});
