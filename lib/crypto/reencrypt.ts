import type pg from "pg";
import { decrypt, encrypt, type Keyring, keyIdOf } from "./encryption";

export interface ReencryptionReport {
  checked: number;
  reencrypted: number;
  // Secrets whose key is missing from the keyring or whose ciphertext fails authentication; they are left untouched.
  undecryptable: string[];
}

const BATCH_SIZE = 500;

/**
 * Rewrites every signing secret that is not yet under the keyring's current
 * key, so that the older keys can then be dropped from WVK_ENCRYPTION_KEYS.
 * Each row is replaced only if its ciphertext is still the one that was read,
 * so running this while the product is up is safe: a secret rotated meanwhile
 * keeps its new value. Running it twice does nothing the second time.
 */
export async function reencryptSigningSecrets(pool: pg.Pool, keyring: Keyring): Promise<ReencryptionReport> {
  const report: ReencryptionReport = { checked: 0, reencrypted: 0, undecryptable: [] };
  let after = "";
  for (;;) {
    const batch = await pool.query<{ id: string; ciphertext: string }>(
      `SELECT id, ciphertext FROM signing_secrets WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, BATCH_SIZE],
    );
    if (batch.rows.length === 0) return report;
    for (const row of batch.rows) {
      report.checked++;
      if (keyIdOf(row.ciphertext) === keyring.currentKeyId) continue;
      let plaintext: string;
      try {
        plaintext = decrypt(keyring, row.ciphertext);
      } catch {
        report.undecryptable.push(row.id);
        continue;
      }
      const updated = await pool.query(`UPDATE signing_secrets SET ciphertext = $3 WHERE id = $1 AND ciphertext = $2`, [
        row.id,
        row.ciphertext,
        encrypt(keyring, plaintext),
      ]);
      report.reencrypted += updated.rowCount ?? 0;
    }
    after = batch.rows.at(-1)!.id;
  }
}
