import { secretKeyBytes } from "../../lib/crypto/signing-secrets";

/**
 * Signing secret sources of the reference receiver (scripts/receiver.ts): the
 * WEBHOOK_SECRETS variable, which the published verification examples read too,
 * files named by --secret-file ("-" for standard input), and --secret. Other
 * users of the machine can read a command line (`ps`, /proc/PID/cmdline), so
 * --secret is kept only for compatibility, with a warning.
 */
export const SECRETS_VARIABLE = "WEBHOOK_SECRETS";

export const COMMAND_LINE_SECRET_WARNING =
  `warning: --secret puts the signing secret on the command line, where every user of this machine can read it (ps, /proc). ` +
  `Set ${SECRETS_VARIABLE} or pass --secret-file instead`;

export const MISSING_SECRET_MESSAGE =
  `Missing signing secret: set ${SECRETS_VARIABLE}=whsec_..., or pass --secret-file PATH ("-" reads standard input), ` +
  "with the secret from the webhook's create or rotate response";

/** The secrets of one source and the name that error messages use for it. */
export interface SecretSource {
  name: string;
  text: string;
}

/**
 * Splits a source's text into secrets, which spaces or line breaks separate
 * (both secrets during a rotation). A line that starts with `#` is a comment.
 */
export function splitSecrets(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith("#"))
    .flatMap((line) => line.split(/\s+/))
    .filter((secret) => secret !== "");
}

/**
 * Returns every distinct secret of `sources`, in order. Throws when a secret is
 * not a valid `whsec_` secret, naming its source and position but never its
 * value, so that a mistyped secret stops the receiver at start-up instead of
 * failing every delivery.
 */
export function collectSecrets(sources: readonly SecretSource[]): string[] {
  const secrets: string[] = [];
  for (const source of sources) {
    splitSecrets(source.text).forEach((secret, index) => {
      try {
        secretKeyBytes(secret);
      } catch (error) {
        const reason = (error as Error).message.replace(/^Invalid signing secret: /, "");
        throw new Error(`Invalid signing secret ${index + 1} of ${source.name}: ${reason}. Copy it again from the webhook's create or rotate response`);
      }
      if (!secrets.includes(secret)) secrets.push(secret);
    });
  }
  return secrets;
}

/**
 * Returns a warning when a secret file's permission bits let its group or
 * other users read it, or null when only its owner can.
 */
export function secretFileModeWarning(filePath: string, mode: number): string | null {
  if ((mode & 0o044) === 0) return null;
  const permissions = (mode & 0o777).toString(8).padStart(3, "0");
  return `warning: ${filePath} can be read by other users (mode ${permissions}); run chmod 600 ${filePath}`;
}
