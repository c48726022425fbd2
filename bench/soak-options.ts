import { parseArgs } from "node:util";

/** Command-line options of `npm run soak`; parsing is pure so it can be unit tested. */
export interface SoakOptions {
  minutes: number;
  rate: number;
  sampleSeconds: number;
  drainMinutes: number;
  help: boolean;
}

interface NumberOption {
  flag: string;
  key: Exclude<keyof SoakOptions, "help">;
  fallback: number;
  min: number;
  max: number;
  help: string;
}

const NUMBER_OPTIONS: readonly NumberOption[] = [
  { flag: "minutes", key: "minutes", fallback: 10, min: 0.5, max: 24 * 60, help: "how long events are published, in minutes" },
  { flag: "rate", key: "rate", fallback: 20, min: 1, max: 1000, help: "events published per second (each fans out to several webhooks)" },
  { flag: "sample-seconds", key: "sampleSeconds", fallback: 5, min: 1, max: 600, help: "seconds between two samples of memory, queue and stuck deliveries" },
  { flag: "drain-minutes", key: "drainMinutes", fallback: 4, min: 0.5, max: 60, help: "how long to wait, after publishing stops, for every delivery to succeed, in minutes" },
];

export const SOAK_USAGE = `Usage: npm run soak -- [options]

Publishes events at a steady rate to loopback receivers (some answer 500 or hang
past the attempt timeout on a delivery's first attempt, some are slow) with the
real worker, samples its memory, the queue and stuck deliveries, and exits
non-zero when a check fails.
Uses a new database on DATABASE_URL's server, or an embedded PostgreSQL.

${NUMBER_OPTIONS.map((option) => `  --${option.flag} N`.padEnd(24) + `${option.help} (default ${option.fallback})`).join("\n")}
  --help                this text`;

/** Parses the soak's arguments; throws an Error naming the invalid option. */
export function parseSoakArguments(args: readonly string[]): SoakOptions {
  const { values: parsed } = parseArgs({
    args: [...args],
    options: {
      ...Object.fromEntries(NUMBER_OPTIONS.map((option) => [option.flag, { type: "string" as const }])),
      help: { type: "boolean" as const },
    },
    strict: true,
    allowPositionals: false,
  });
  const values = parsed as Record<string, string | boolean | undefined>;
  const options: SoakOptions = { minutes: 10, rate: 20, sampleSeconds: 5, drainMinutes: 4, help: values.help === true };
  for (const option of NUMBER_OPTIONS) {
    const raw = values[option.flag];
    if (raw === undefined) {
      options[option.key] = option.fallback;
      continue;
    }
    const value = Number(raw);
    if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(value) || value < option.min || value > option.max) {
      throw new Error(`Invalid --${option.flag} "${String(raw)}": expected a number from ${option.min} to ${option.max}`);
    }
    options[option.key] = value;
  }
  return options;
}
