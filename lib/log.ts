import pino from "pino";

/** A destination of log lines, each one JSON object. */
export interface LogDestination {
  write(line: string): unknown;
}

// The stream pino writes to when given no destination: asynchronous, and flushed when the process exits.
const standardOutput: LogDestination = pino.destination({ dest: process.stdout.fd ?? 1, sync: false });
let destination: LogDestination = standardOutput;

// Properties that other libraries attach to errors and that must not reach a log line: pg-pool adds the failed
// connection as `client`, whose settings include the database password when DATABASE_URL carries one.
const DROPPED_ERROR_PROPERTIES = ["client", "connectionParameters"];

/** Serializes an error like pino's standard serializer, without the properties above. */
function serializeError(error: Error): Record<string, unknown> {
  const serialized: Record<string, unknown> = { ...pino.stdSerializers.err(error) };
  for (const property of DROPPED_ERROR_PROPERTIES) delete serialized[property];
  return serialized;
}

/**
 * The one logger of the web app, the worker and the scripts. Log objects carry
 * ids (requestId, webhookId, deliveryId, attempt), never payloads, secrets or
 * keys; the redaction below is a second line of defence, not the first.
 */
export const logger = pino(
  {
    level: process.env.LOG_LEVEL ?? "info",
    base: { service: process.env.WVK_SERVICE ?? "wasviking-webhooks" },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serializeError },
    redact: {
      paths: [
        "*.authorization",
        "*.Authorization",
        "*.secret",
        "*.apiKey",
        "*.password",
        "headers.authorization",
        "headers.cookie",
        "*.headers.authorization",
        "*.headers.cookie",
      ],
      censor: "[redacted]",
    },
  },
  { write: (line: string) => destination.write(line) },
);

export type Logger = typeof logger;

/**
 * Sends every later log line, of the logger and of its children, to `target`
 * instead of standard output; pass null to restore standard output. Tests use
 * it to read what the product logs.
 */
export function redirectLogs(target: LogDestination | null): void {
  destination = target ?? standardOutput;
}
