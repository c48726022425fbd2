import type pg from "pg";
import { decrypt } from "../crypto/encryption";
import { keyring } from "../crypto/keyring";
import { prepared } from "../db";
import { logger } from "../log";

/**
 * Reads and decrypts the signing secrets valid at `at` for each subscription,
 * newest first. This is the only function that reads secret ciphertexts:
 * everything that needs a secret value (signing) goes through it, and every
 * other query leaves the column out.
 */
export async function validSecrets(
  client: pg.Pool | pg.PoolClient,
  subscriptionIds: readonly string[],
  at: Date,
): Promise<Map<string, string[]>> {
  const secrets = new Map<string, string[]>();
  if (subscriptionIds.length === 0) return secrets;
  const result = await client.query<{ id: string; subscription_id: string; ciphertext: string }>(
    prepared(
      `SELECT id, subscription_id, ciphertext FROM signing_secrets
       WHERE subscription_id = ANY($1) AND revoked_at IS NULL AND created_at <= $2 AND (expires_at IS NULL OR expires_at > $2)
       ORDER BY subscription_id, created_at DESC, id DESC`,
      [subscriptionIds, at],
    ),
  );
  for (const row of result.rows) {
    let secret: string;
    try {
      secret = decrypt(keyring(), row.ciphertext);
    } catch (error) {
      // A secret encrypted under a key that was dropped from the keyring cannot sign; the others still can.
      logger.error({ err: error, webhookId: row.subscription_id, secretId: row.id }, "signing secret cannot be decrypted");
      continue;
    }
    const list = secrets.get(row.subscription_id) ?? [];
    list.push(secret);
    secrets.set(row.subscription_id, list);
  }
  return secrets;
}
