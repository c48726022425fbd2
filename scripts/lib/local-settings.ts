import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Secrets of a local installation that nobody configured: the session signing
 * secret and the encryption keyring for signing secrets. They are generated on
 * first start and kept (mode 600) in the data folder, so restarts keep sessions
 * and can still decrypt stored secrets. Losing the file makes every stored
 * signing secret unreadable; back it up with the database.
 */
export interface LocalSettings {
  nextAuthSecret: string;
  encryptionKeys: string;
}

export function loadLocalSettings(dataDirectory: string): LocalSettings {
  const file = path.join(dataDirectory, "local-secrets.json");
  if (existsSync(file)) return JSON.parse(readFileSync(file, "utf8")) as LocalSettings;
  const settings: LocalSettings = {
    nextAuthSecret: randomBytes(32).toString("base64url"),
    encryptionKeys: `k1:${randomBytes(32).toString("base64")}`,
  };
  writeFileSync(file, JSON.stringify(settings, null, 2) + "\n", { mode: 0o600 });
  return settings;
}

const projectDirectory = path.resolve(import.meta.dirname, "..", "..");

/**
 * Returns the folder of the embedded database and the local secrets: .data/
 * in the project, or WVK_DATA_DIR, which tests set to run apart from it.
 */
export function dataDirectoryFromEnvironment(environment: Record<string, string | undefined>): string {
  return path.resolve(environment.WVK_DATA_DIR ?? path.join(projectDirectory, ".data"));
}

/**
 * Creates the data folder with mode 711, so that under root the postgres user
 * can reach its cluster inside it while other users cannot list it. With 700
 * the cluster went to /var/lib/wasviking-webhooks, and deleting the folder did
 * not remove it. An existing folder keeps its mode, and so its cluster.
 */
export function createDataDirectory(dataDirectory: string): void {
  if (existsSync(dataDirectory)) return;
  mkdirSync(dataDirectory, { recursive: true });
  // Set after creation because mkdirSync's mode is reduced by the umask.
  chmodSync(dataDirectory, 0o711);
}
