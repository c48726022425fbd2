import { z } from "zod";

/**
 * Settings read from the environment, validated once. docs/architecture.md
 * lists every variable; scripts/start.ts fills in the embedded defaults.
 */
const booleanFlag = z
  .enum(["1", "0", "true", "false", "yes", "no", ""])
  .optional()
  .transform((value) => value === "1" || value === "true" || value === "yes");

const MISSING_DATABASE_URL = "DATABASE_URL is missing: set it, or start the product with `npm start`, which starts an embedded PostgreSQL";

const environmentSchema = z.object({
  DATABASE_URL: z.string(MISSING_DATABASE_URL).min(1, MISSING_DATABASE_URL),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  // Comma-separated "id:base64key" pairs; the first encrypts, all decrypt (lib/crypto/encryption.ts).
  WVK_ENCRYPTION_KEYS: z.string().min(1, "WVK_ENCRYPTION_KEYS is missing: set it to id:base64-of-32-random-bytes (see docs/architecture.md)"),
  // Development and tests only: allows plain http and private, loopback or link-local destinations.
  WVK_ALLOW_PRIVATE_DESTINATIONS: booleanFlag,
});

export type Config = z.infer<typeof environmentSchema>;

let cached: Config | undefined;

/** Reads and validates the environment on first use; throws one message naming every invalid variable. */
export function config(): Config {
  if (cached) return cached;
  const parsed = environmentSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid environment:\n  ${problems.join("\n  ")}`);
  }
  cached = parsed.data;
  return cached;
}

/** Returns DATABASE_URL alone, for tools such as migrations that need nothing else. */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error(MISSING_DATABASE_URL);
  return url;
}

/** Forgets the cached settings so tests can change the environment. */
export function resetConfigForTests(): void {
  cached = undefined;
}
