import { pool, closeDatabase } from "../lib/db";
import { keyring } from "../lib/crypto/keyring";
import { reencryptSigningSecrets } from "../lib/crypto/reencrypt";

/**
 * `npm run db:reencrypt-secrets`: moves every signing secret onto the first key
 * of WVK_ENCRYPTION_KEYS (docs/security.md, "Rotating the encryption key").
 * Exits with 1 when some secret could not be decrypted, because dropping an old
 * key would then lose it.
 */
const ring = keyring();
const report = await reencryptSigningSecrets(pool(), ring);
await closeDatabase();
process.stdout.write(`checked ${report.checked} signing secret(s); re-encrypted ${report.reencrypted} under key "${ring.currentKeyId}"\n`);
if (report.undecryptable.length > 0) {
  process.stderr.write(
    `${report.undecryptable.length} signing secret(s) cannot be decrypted with any key of WVK_ENCRYPTION_KEYS and were left as they are: ${report.undecryptable.join(", ")}\n`,
  );
  process.exit(1);
}
