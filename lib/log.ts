import pino from "pino";

/**
 * The one logger of the web app, the worker and the scripts. Log objects carry
 * ids (requestId, webhookId, deliveryId, attempt), never payloads, secrets or
 * keys; the redaction below is a second line of defence, not the first.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: process.env.WVK_SERVICE ?? "wasviking-webhooks" },
  timestamp: pino.stdTimeFunctions.isoTime,
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
});

export type Logger = typeof logger;
