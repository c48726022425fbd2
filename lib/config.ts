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

/**
 * Reads WVK_ALLOW_PRIVATE_DESTINATIONS alone, with the same values as config(),
 * for start-up code that must not require the other settings.
 */
export function privateDestinationsAllowed(environment: Record<string, string | undefined> = process.env): boolean {
  const parsed = booleanFlag.safeParse(environment.WVK_ALLOW_PRIVATE_DESTINATIONS);
  if (!parsed.success) {
    const raw = environment.WVK_ALLOW_PRIVATE_DESTINATIONS;
    throw new Error(`Invalid environment:\n  WVK_ALLOW_PRIVATE_DESTINATIONS: expected 1, 0, true, false, yes or no, got "${raw}"`);
  }
  return parsed.data;
}

/** Returns DATABASE_URL alone, for tools such as migrations that need nothing else. */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error(MISSING_DATABASE_URL);
  return url;
}

/**
 * Reads a whole number of seconds from the environment, or `fallback` when the
 * variable is unset. Separate from config() because tools such as the queue
 * installer need these without the rest of the settings.
 */
function secondsSetting(name: string, fallback: number, minimum: number, maximum: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new Error(`Invalid environment:\n  ${name}: expected whole seconds from ${minimum} to ${maximum}, got "${raw}"`);
  }
  return value;
}

/** Hard wall-clock limit of one delivery attempt, in seconds (WVK_ATTEMPT_TIMEOUT_SECONDS, default 15). */
export function attemptTimeoutSeconds(): number {
  return secondsSetting("WVK_ATTEMPT_TIMEOUT_SECONDS", 15, 1, 60);
}

/**
 * Seconds after which an attempt job still held by a worker is handed to
 * another one, because its worker is presumed dead (WVK_JOB_EXPIRY_SECONDS,
 * default 60). Applied to the queue by `npm run db:migrate` and `npm start`.
 */
export function jobExpirySeconds(): number {
  return secondsSetting("WVK_JOB_EXPIRY_SECONDS", 60, 2, 3600);
}

/** Forgets the cached settings so tests can change the environment. */
export function resetConfigForTests(): void {
  cached = undefined;
}

/** Reads a whole number from the environment, or `fallback` when the variable is unset. */
function wholeNumberSetting(name: string, fallback: number, minimum: number, maximum: number, unit: string): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum || value > maximum) {
    throw new Error(`Invalid environment:\n  ${name}: expected whole ${unit} from ${minimum} to ${maximum}, got "${raw}"`);
  }
  return value;
}

/**
 * Reads how bursts to one webhook are smoothed (lib/caps/pacing.ts): attempts
 * per second after a burst (WVK_WEBHOOK_RATE_PER_SECOND, default 100) and the
 * attempts an idle webhook may receive at once (WVK_WEBHOOK_BURST, default 1000).
 */
export function pacingSettings(): { ratePerSecond: number; burst: number } {
  return {
    ratePerSecond: wholeNumberSetting("WVK_WEBHOOK_RATE_PER_SECOND", 100, 1, 100_000, "attempts per second"),
    burst: wholeNumberSetting("WVK_WEBHOOK_BURST", 1000, 1, 1_000_000, "attempts"),
  };
}

/** Reads the highest daily cap an admin may give a webhook (WVK_MAX_DAILY_CAP, default 1,000,000 deliveries). */
export function maxDailyCap(): number {
  return wholeNumberSetting("WVK_MAX_DAILY_CAP", 1_000_000, 1, 1_000_000_000, "deliveries");
}
