import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { decrypt, encrypt, keyIdOf, parseKeyring } from "../../lib/crypto/encryption";
import { reencryptSigningSecrets } from "../../lib/crypto/reencrypt";
import { pool } from "../../lib/db";
import { api } from "../support/api";
import { TEST_ENVIRONMENT } from "../support/environment";
import { createTenant, type Tenant } from "../support/fixtures";

const NEW_KEY = `next:${randomBytes(32).toString("base64")}`;

async function ciphertextsOf(webhookId: string): Promise<string[]> {
  const rows = await pool().query<{ ciphertext: string }>(`SELECT ciphertext FROM signing_secrets WHERE subscription_id = $1 ORDER BY id`, [webhookId]);
  return rows.rows.map((row) => row.ciphertext);
}

describe("rotating the encryption key", () => {
  let tenant: Tenant;
  let webhookId: string;
  let secret: string;

  beforeAll(async () => {
    tenant = await createTenant("Key rotation");
    const created = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      body: { url: "https://siem.example.com/hooks/rotation", events: ["finding.created"] },
    });
    expect(created.status).toBe(201);
    webhookId = created.body.id;
    secret = created.body.secret;
  });

  it("moves every secret onto the new key, which alone then decrypts them", async () => {
    const before = await ciphertextsOf(webhookId);
    expect(before.map(keyIdOf)).toEqual(["test"]);

    const rotating = parseKeyring(`${NEW_KEY},${TEST_ENVIRONMENT.WVK_ENCRYPTION_KEYS}`);
    const report = await reencryptSigningSecrets(pool(), rotating);
    expect(report.undecryptable).toEqual([]);
    expect(report.reencrypted).toBeGreaterThanOrEqual(1);

    const after = await ciphertextsOf(webhookId);
    expect(after.map(keyIdOf)).toEqual(["next"]);
    expect(decrypt(parseKeyring(NEW_KEY), after[0]!)).toBe(secret);

    const again = await reencryptSigningSecrets(pool(), rotating);
    expect(again.reencrypted).toBe(0);
  });

  it("reports and keeps a secret that no key of the ring can decrypt", async () => {
    const lost = parseKeyring(`lost:${randomBytes(32).toString("base64")}`);
    const created = await api("POST", "/v1/webhooks", {
      apiKey: tenant.apiKey,
      body: { url: "https://siem.example.com/hooks/lost-key", events: ["finding.created"] },
    });
    const orphanCiphertext = encrypt(lost, "whsec_unrecoverable");
    await pool().query(`UPDATE signing_secrets SET ciphertext = $2 WHERE subscription_id = $1`, [created.body.id, orphanCiphertext]);

    const report = await reencryptSigningSecrets(pool(), parseKeyring(`${NEW_KEY},${TEST_ENVIRONMENT.WVK_ENCRYPTION_KEYS}`));
    expect(report.undecryptable).toHaveLength(1);
    expect(await ciphertextsOf(created.body.id)).toEqual([orphanCiphertext]);
  });
});
